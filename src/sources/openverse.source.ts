/**
 * Openverse (https://api.openverse.org/v1/): openly licensed images, keyless. Anonymous callers may
 * ask for at most 20 results per page and 20 pages deep.
 */
import type { Candidate, Filters, ImageFormat, LicenseCode } from '../domain.js';
import { apiUrl } from './api-url.js';
import { filtersOf, minimumArea, safeBucket, type SizeBucket } from './filter-params.js';
import { licenseCode } from './license-codes.js';
import { asRecord, dimension, httpUrl, type JsonRecord, num, parserOutdated, records, str } from './parse.js';
import { sourceRequests } from './source-request.js';
import type { Pushdown, SearchRequest, Source, SourceContext } from './source.js';

const ENDPOINT = '/v1/images/';
/** Anonymous `page_size` above this is answered with 401 (settings.py `MAX_ANONYMOUS_PAGE_SIZE`). */
const MAX_PAGE_SIZE = 20;
/** Pages past this are refused (`MAX_PAGINATION_DEPTH`). */
const MAX_PAGE = 20;

/** Licence codes whose readable name is not simply "CC " + the code in capitals. */
const LICENSE_NAMES: Readonly<Record<string, string>> = {
  cc0: 'CC0',
  pdm: 'Public Domain Mark',
  'sampling+': 'CC Sampling+',
  'nc-sampling+': 'CC NC-Sampling+',
};
/** Trawl's codes as Openverse's `license` values (the CC codes without `cc-`). */
const OPENVERSE_LICENSES: Readonly<Record<LicenseCode, string | null>> = {
  cc0: 'cc0',
  pdm: 'pdm',
  'cc-by': 'by',
  'cc-by-sa': 'by-sa',
  'cc-by-nd': 'by-nd',
  'cc-by-nc': 'by-nc',
  'cc-by-nc-sa': 'by-nc-sa',
  'cc-by-nc-nd': 'by-nc-nd',
  pexels: null,
  pixabay: null,
  unsplash: null,
};
/**
 * Openverse files images by pixel count (ingestion_server `ImageSizes`): small below 640 × 480,
 * medium below 1600 × 900, large from there; the `size` filter takes a comma list of them.
 */
const SIZES: readonly SizeBucket<string>[] = [
  { value: 'large', pixels: 1600 * 900 - 1 },
  { value: 'medium,large', pixels: 640 * 480 - 1 },
];
/** The URL extensions (Openverse's `extension` filter) files of each format have. */
const EXTENSIONS: Readonly<Record<ImageFormat, readonly string[]>> = {
  jpeg: ['jpg', 'jpeg'],
  png: ['png'],
  webp: ['webp'],
  gif: ['gif'],
  avif: ['avif'],
};

const PUSHDOWN: readonly Pushdown[] = [
  { filter: 'minWidth', sends: 'size=medium,large | size=large when min width × min height rules the smaller sizes out', precision: 'coarse' },
  { filter: 'minHeight', sends: 'size=… (with min width, as above)', precision: 'coarse' },
  { filter: 'orientation', sends: 'aspect_ratio=wide|tall (Openverse: width > height, height > width); square is not asked for', precision: 'exact' },
  { filter: 'license', sends: 'license=by,by-sa,…,cc0,pdm (no request when none of the codes is a CC licence or mark)', precision: 'exact' },
  { filter: 'safeSearch', sends: 'nothing (mature works are left out by default) | mature=true', precision: 'exact' },
  { filter: 'format', sends: 'extension=jpg,jpeg,png,… (the file name’s extension)', precision: 'approximate' },
];

/** Openverse images (Creative Commons and public domain works from many collections). */
export const openverseSource: Source = {
  id: 'openverse',
  displayName: 'Openverse',
  kinds: ['image'],
  statesLicenses: true,
  pushdown: PUSHDOWN,
  requests: { pageDelay: null, refusalStatuses: [], quotaHeaders: null },
  licensePolicy: 'Each item carries its own Creative Commons licence or public-domain mark, as reported by Openverse.',
  defaultOrigin: 'https://api.openverse.org',
  search,
};

async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind !== 'image' || request.limit <= 0) return;
  const filterParams = openverseFilterParams(filtersOf(request));
  if (filterParams === null) return;
  const requests = sourceRequests(openverseSource, context);
  // One page size for the whole search: changing it between pages would shift the offsets.
  const pageSize = Math.min(request.limit, MAX_PAGE_SIZE);
  let remaining = request.limit;
  for (let page = 1; page <= MAX_PAGE && remaining > 0; page++) {
    const url = apiUrl(openverseSource, context.config, ENDPOINT, { q: request.query, page, page_size: pageSize, ...filterParams });
    const { data } = await requests.json(url);
    const body = asRecord(data);
    const results: unknown = body?.results;
    if (body === undefined || !Array.isArray(results)) throw parserOutdated('openverse', ENDPOINT, 'results[] array');
    const candidates = records(results)
      .map(imageCandidate)
      .filter((c): c is Candidate => c !== null)
      .slice(0, remaining);
    remaining -= candidates.length;
    if (candidates.length > 0) yield candidates;
    const pageCount = num(body.page_count);
    if (results.length === 0 || (pageCount !== null && page >= pageCount)) return;
  }
}

/**
 * The search parameters for the job's filters, or null when the licence filter allows none of the
 * licences Openverse has (every item would be thrown away).
 */
function openverseFilterParams(filters: Filters): Record<string, string> | null {
  const params: Record<string, string> = {};
  if (filters.license !== null) {
    const licenses = filters.license.map((code) => OPENVERSE_LICENSES[code]).filter((l): l is string => l !== null);
    if (licenses.length === 0) return null;
    params.license = licenses.join(',');
  }
  const size = safeBucket(SIZES, minimumArea(filters));
  if (size !== null) params.size = size;
  if (filters.orientation === 'landscape' || filters.orientation === 'portrait') params.aspect_ratio = filters.orientation === 'landscape' ? 'wide' : 'tall';
  if (!filters.safeSearch) params.mature = 'true';
  if (filters.format !== null) params.extension = filters.format.flatMap((format) => EXTENSIONS[format]).join(',');
  return params;
}

function imageCandidate(result: JsonRecord): Candidate | null {
  const url = httpUrl(result.url);
  if (url === null) return null;
  return {
    source: 'openverse',
    kind: 'image',
    url,
    pageUrl: httpUrl(result.foreign_landing_url),
    title: str(result.title),
    author: str(result.creator),
    authorUrl: httpUrl(result.creator_url),
    license: licenseName(result.license, result.license_version),
    licenseUrl: httpUrl(result.license_url),
    licenseCode: licenseCode(str(result.license)),
    width: dimension(result.width),
    height: dimension(result.height),
  };
}

/** `by-sa` + `4.0` → "CC BY-SA 4.0"; `cc0` + `1.0` → "CC0 1.0"; `pdm` + `1.0` → "Public Domain Mark 1.0". */
function licenseName(code: unknown, version: unknown): string | null {
  const key = str(code)?.toLowerCase();
  if (key === undefined) return null;
  const name = LICENSE_NAMES[key] ?? `CC ${key.toUpperCase()}`;
  const v = str(version);
  return v === null ? name : `${name} ${v}`;
}

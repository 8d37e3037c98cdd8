/**
 * The Cleveland Museum of Art Open Access API (https://openaccess-api.clevelandart.org/, keyless):
 * `GET /api/artworks/?q=&has_image=1&cc0=1&limit=&skip=` asks for CC0 works with a web image only.
 * The image is the `print` JPEG (up to 3400 px), else the `web` one (≈ 900 px), never the archival
 * `full` TIFF (hundreds of MB); its sizes come as strings. No published rate limit: requests stay
 * sequential, one page at a time.
 */
import type { Candidate } from '../domain.js';
import { apiUrl } from './api-url.js';
import { filtersOf, licenseAllows } from './filter-params.js';
import { asRecord, httpUrl, type JsonRecord, num, parserOutdated, records, str } from './parse.js';
import { sourceRequests } from './source-request.js';
import type { SearchRequest, Source, SourceContext } from './source.js';

const ENDPOINT = '/api/artworks/';
/**
 * The API allows 1000 per request, but records carry long lists (citations, exhibitions,
 * provenance) of 5–20 KB each: 100 keeps one answer around a megabyte.
 */
const MAX_PAGE_SIZE = 100;
const LICENSE = 'CC0 1.0 (Cleveland Museum of Art open access)';
const LICENSE_URL = 'https://creativecommons.org/publicdomain/zero/1.0/';

/** Open-access (CC0) artworks of the Cleveland Museum of Art; no key. */
export const clevelandMuseumSource: Source = {
  id: 'cleveland_museum',
  displayName: 'Cleveland Museum of Art',
  kinds: ['image'],
  statesLicenses: true,
  // Every item Trawl takes is CC0: without cc0 in a licence filter nothing is asked.
  pushdown: [{ filter: 'license', sends: 'no request at all unless the filter allows cc0', precision: 'exact' }],
  requests: { pageDelay: null, refusalStatuses: [], quotaHeaders: null },
  licensePolicy: 'Only works the museum dedicates CC0 (share_license_status "CC0"); copyrighted works are never taken.',
  defaultOrigin: 'https://openaccess-api.clevelandart.org',
  search,
};

async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind !== 'image' || request.limit <= 0 || !licenseAllows(filtersOf(request), 'cc0')) return;
  const requests = sourceRequests(clevelandMuseumSource, context);
  const pageSize = Math.min(request.limit, MAX_PAGE_SIZE);
  let remaining = request.limit;
  for (let skip = 0; remaining > 0; skip += pageSize) {
    const params = { q: request.query, has_image: 1, cc0: 1, limit: pageSize, skip };
    const { data } = await requests.json(apiUrl(clevelandMuseumSource, context.config, ENDPOINT, params));
    const body = asRecord(data);
    const works: unknown = body?.data;
    if (body === undefined || !Array.isArray(works)) throw parserOutdated('cleveland_museum', ENDPOINT, 'data[] array');
    const fresh = records(works)
      .map(candidate)
      .filter((c): c is Candidate => c !== null)
      .slice(0, remaining);
    remaining -= fresh.length;
    if (fresh.length > 0) yield fresh;
    // Past the end `data` is empty while `info.total` stays.
    const total = num(asRecord(body.info)?.total);
    if (works.length === 0 || (total !== null && skip + pageSize >= total)) return;
  }
}

/** A CC0 work's candidate: null for any other licence mark or without a JPEG image. */
function candidate(work: JsonRecord): Candidate | null {
  if (str(work.share_license_status)?.toUpperCase() !== 'CC0') return null;
  const images = asRecord(work.images);
  const image = [asRecord(images?.print), asRecord(images?.web)].find((entry) => httpUrl(entry?.url) !== null);
  const url = httpUrl(image?.url);
  if (image === undefined || url === null) return null;
  return {
    source: 'cleveland_museum',
    kind: 'image',
    url,
    pageUrl: httpUrl(work.url),
    title: str(work.title),
    author: creatorName(work.creators),
    authorUrl: null,
    license: LICENSE,
    licenseUrl: LICENSE_URL,
    licenseCode: 'cc0',
    width: pixels(image.width),
    height: pixels(image.height),
  };
}

/** "Claude Monet (French, 1840–1926)" → "Claude Monet": the first creator's plain name. */
function creatorName(creators: unknown): string | null {
  const description = str(records(creators)[0]?.description);
  return description === null ? null : str(description.replace(/\s*\(.*$/s, '')) ?? description;
}

/** A size the API sends as a string ("3400") or a number; null unless a positive whole number. */
function pixels(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : num(value);
  return n !== null && Number.isInteger(n) && n > 0 ? n : null;
}

/**
 * Openverse (https://api.openverse.org/v1/): openly licensed images, keyless. Anonymous callers may
 * ask for at most 20 results per page and 20 pages deep.
 */
import type { Candidate } from '../domain.js';
import { apiUrl } from './api-url.js';
import { asRecord, dimension, httpUrl, type JsonRecord, num, parserOutdated, records, str } from './parse.js';
import type { SearchRequest, Source, SourceContext } from './source.js';

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

/** Openverse images (Creative Commons and public domain works from many collections). */
export const openverseSource: Source = {
  id: 'openverse',
  displayName: 'Openverse',
  kinds: ['image'],
  statesLicenses: true,
  pushdown: [],
  licensePolicy: 'Each item carries its own Creative Commons licence or public-domain mark, as reported by Openverse.',
  defaultOrigin: 'https://api.openverse.org',
  search,
};

async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind !== 'image' || request.limit <= 0) return;
  // One page size for the whole search: changing it between pages would shift the offsets.
  const pageSize = Math.min(request.limit, MAX_PAGE_SIZE);
  let remaining = request.limit;
  for (let page = 1; page <= MAX_PAGE && remaining > 0; page++) {
    const url = apiUrl(openverseSource, context.config, ENDPOINT, { q: request.query, page, page_size: pageSize });
    const { data } = await context.http.getJson(url, { signal: context.signal });
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

/**
 * Pixabay (https://pixabay.com/api/docs/): images from `/api/`, videos from `/api/videos/`, the key
 * as the `key` query parameter, `per_page` 3–200, at most `totalHits` (500) results per query, and
 * 100 requests per 60 s announced in X-RateLimit-* headers (Reset = seconds until the window ends).
 */
import type { Candidate, Filters, MediaKind } from '../domain.js';
import { TrawlError } from '../errors.js';
import { apiUrl } from './api-url.js';
import { filtersOf, licenseAllows } from './filter-params.js';
import { asRecord, dimension, httpUrl, type JsonRecord, num, parserOutdated, records, str } from './parse.js';
import { type SourceRequests, sourceRequests } from './source-request.js';
import { type Pushdown, requireKey, type SearchRequest, type Source, type SourceContext } from './source.js';

const KEY_VAR = 'PIXABAY_API_KEY';
/** The API refuses `per_page` outside 3–200. */
const MIN_PER_PAGE = 3;
const MAX_PER_PAGE = 200;
/** The API refuses longer `q` values. */
const MAX_QUERY_CHARS = 100;
const LICENSE = 'Pixabay Content License';
const LICENSE_URL = 'https://pixabay.com/service/license-summary/';
/** The site user pages live on (not an API URL, so no origin override applies). */
const SITE = 'https://pixabay.com';

interface Endpoint {
  path: string;
  toCandidate: (hit: JsonRecord) => Candidate | null;
  /** What a hit must have to be usable, for the "format changed" message. */
  usable: string;
}

const ENDPOINTS: Readonly<Record<'image' | 'video', Endpoint>> = {
  image: { path: '/api/', toCandidate: imageCandidate, usable: 'hits with an image URL (largeImageURL, webformatURL, …)' },
  video: { path: '/api/videos/', toCandidate: videoCandidate, usable: 'hits with a videos.{large,medium,small,tiny}.url' },
};

const PUSHDOWN: readonly Pushdown[] = [
  { filter: 'minWidth', sends: 'min_width=N (of the original; the rendition a key may fetch can be smaller)', precision: 'coarse' },
  { filter: 'minHeight', sends: 'min_height=N (of the original, as above)', precision: 'coarse' },
  { filter: 'orientation', sends: 'images: orientation=horizontal|vertical (square is not asked for)', precision: 'approximate' },
  { filter: 'license', sends: 'no request at all unless the filter allows pixabay', precision: 'exact' },
  { filter: 'safeSearch', sends: 'safesearch=true | safesearch=false', precision: 'exact' },
];

/** Pixabay images and videos; needs `PIXABAY_API_KEY`. */
export const pixabaySource: Source = {
  id: 'pixabay',
  displayName: 'Pixabay',
  kinds: ['image', 'video'],
  keyVar: KEY_VAR,
  statesLicenses: true,
  pushdown: PUSHDOWN,
  // 100 requests per 60 s; X-RateLimit-Reset is the seconds until the window ends.
  requests: { pageDelay: null, refusalStatuses: [], quotaHeaders: { reset: 'seconds-from-now', windowMs: 60_000 } },
  licensePolicy: `Everything on Pixabay is under the ${LICENSE} (${LICENSE_URL}); crediting the author is appreciated.`,
  defaultOrigin: 'https://pixabay.com',
  search,
};

async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  const filters = filtersOf(request);
  if (request.kind === 'audio' || request.limit <= 0 || !licenseAllows(filters, 'pixabay')) return;
  const key = requireKey({ id: 'pixabay', keyVar: KEY_VAR }, context.config);
  const endpoint = ENDPOINTS[request.kind];
  const requests = sourceRequests(pixabaySource, context);
  // One page size for the whole search: changing it between pages would shift the offsets.
  const perPage = Math.min(MAX_PER_PAGE, Math.max(MIN_PER_PAGE, request.limit));
  const q = Array.from(request.query.trim()).slice(0, MAX_QUERY_CHARS).join('');
  const filterParams = pixabayFilterParams(filters, request.kind);
  let remaining = request.limit;
  for (let page = 1; remaining > 0; page++) {
    const url = apiUrl(pixabaySource, context.config, endpoint.path, { key, q, page, per_page: perPage, ...filterParams });
    const body = asRecord(await fetchPage(requests, url, key));
    const hits: unknown = body?.hits;
    if (body === undefined || !Array.isArray(hits)) throw parserOutdated('pixabay', endpoint.path, 'hits[] array');
    const candidates = records(hits)
      .map(endpoint.toCandidate)
      .filter((c): c is Candidate => c !== null);
    if (hits.length > 0 && candidates.length === 0) throw parserOutdated('pixabay', endpoint.path, endpoint.usable);
    const taken = candidates.slice(0, remaining);
    remaining -= taken.length;
    if (taken.length > 0) yield taken;
    // Pages past totalHits are refused with a 400, so never ask for one.
    const totalHits = num(body.totalHits);
    if (hits.length < perPage || totalHits === null || page * perPage >= totalHits) return;
  }
}

/** `min_width`, `min_height`, `orientation` (images only; Pixabay has no square) and `safesearch`. */
function pixabayFilterParams(filters: Filters, kind: Exclude<MediaKind, 'audio'>): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  if (filters.minWidth !== null) params.min_width = filters.minWidth;
  if (filters.minHeight !== null) params.min_height = filters.minHeight;
  if (kind === 'image' && (filters.orientation === 'landscape' || filters.orientation === 'portrait')) {
    params.orientation = filters.orientation === 'landscape' ? 'horizontal' : 'vertical';
  }
  params.safesearch = String(filters.safeSearch);
  return params;
}

/** One search page; errors keep the key out of their messages (it travels in the URL). */
async function fetchPage(requests: SourceRequests, url: string, key: string): Promise<unknown> {
  try {
    return (await requests.json(url)).data;
  } catch (err) {
    throw pixabayError(err, key);
  }
}

/**
 * Pixabay refuses a bad key with HTTP 400 and a text body (`[ERROR 400] Invalid API key`); our
 * requests are otherwise well-formed (per_page clamped, q cut, pages within totalHits), so a 400
 * is reported as a key problem. Every message and URL is scrubbed of the key.
 */
function pixabayError(err: unknown, key: string): unknown {
  if (!(err instanceof TrawlError)) return err;
  const scrub = (text: string): string => text.split(key).join('***');
  const url = typeof err.context.url === 'string' ? scrub(err.context.url) : undefined;
  const context = { ...err.context, source: 'pixabay', ...(url === undefined ? {} : { url }) };
  if (err.code === 'TRAWL_HTTP_STATUS' && err.context.status === 400) {
    return new TrawlError('TRAWL_AUTH', `pixabay: the API answered HTTP 400, which is how Pixabay refuses an invalid key; check ${KEY_VAR}`, { context });
  }
  if (!err.message.includes(key) && url === err.context.url) return err;
  return new TrawlError(err.code, scrub(err.message), { context });
}

interface Rendition {
  url: string;
  width: number | null;
  height: number | null;
}

function imageCandidate(hit: JsonRecord): Candidate | null {
  const image = bestImage(hit);
  return image === null ? null : { ...common(hit), kind: 'image', ...image };
}

function videoCandidate(hit: JsonRecord): Candidate | null {
  const video = bestVideo(hit);
  return video === null ? null : { ...common(hit), kind: 'video', ...video };
}

/** Page, title (Pixabay has none: its tags stand in), author and licence, shared by images and videos. */
function common(hit: JsonRecord): Omit<Candidate, 'kind' | 'url' | 'width' | 'height'> {
  const user = str(hit.user);
  const userId = num(hit.user_id);
  return {
    source: 'pixabay',
    pageUrl: httpUrl(hit.pageURL),
    title: str(hit.tags),
    author: user,
    authorUrl: user !== null && userId !== null ? `${SITE}/users/${encodeURIComponent(user)}-${userId}/` : null,
    license: LICENSE,
    licenseUrl: LICENSE_URL,
    licenseCode: 'pixabay',
  };
}

/**
 * The largest URL the hit offers: `imageURL` (original) and `fullHDURL` (≤ 1920 px) come only with
 * full API access; every key gets `largeImageURL` (≤ 1280 px), `webformatURL` (≤ 640 px) and
 * `previewURL` (≤ 150 px). Scaled sizes are derived from the original's, as Pixabay scales them.
 */
function bestImage(hit: JsonRecord): Rendition | null {
  const original = { width: dimension(hit.imageWidth), height: dimension(hit.imageHeight) };
  const choices: readonly [unknown, { width: number | null; height: number | null }][] = [
    [hit.imageURL, original],
    [hit.fullHDURL, fitWithin(original, 1920)],
    [hit.largeImageURL, fitWithin(original, 1280)],
    [hit.webformatURL, { width: dimension(hit.webformatWidth), height: dimension(hit.webformatHeight) }],
    [hit.previewURL, { width: dimension(hit.previewWidth), height: dimension(hit.previewHeight) }],
  ];
  for (const [value, size] of choices) {
    const url = httpUrl(value);
    if (url !== null) return { url, ...size };
  }
  return null;
}

/** The size of an image scaled (never up) so its longer side is at most `maxSide`. */
function fitWithin(size: { width: number | null; height: number | null }, maxSide: number): { width: number | null; height: number | null } {
  const { width, height } = size;
  if (width === null || height === null) return { width: null, height: null };
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/**
 * The largest of `videos.{large,medium,small,tiny}` by pixels, then bytes. An unavailable rendition
 * has `url: ""` and zeros (large often is); old (≤ 2022) answers have no per-rendition thumbnail and
 * `cdn.pixabay.com/vimeo/…?width=…` URLs, plus a top-level `url` used when no rendition is usable.
 */
function bestVideo(hit: JsonRecord): Rendition | null {
  let best: Rendition | null = null;
  let bestRank: [number, number] = [-1, -1];
  for (const rendition of Object.values(asRecord(hit.videos) ?? {}).map(asRecord)) {
    const url = httpUrl(rendition?.url);
    if (rendition === undefined || url === null || new URL(url).pathname.toLowerCase().endsWith('.m3u8')) continue;
    const width = dimension(rendition.width);
    const height = dimension(rendition.height);
    const rank: [number, number] = [(width ?? 0) * (height ?? 0), num(rendition.size) ?? 0];
    if (rank[0] > bestRank[0] || (rank[0] === bestRank[0] && rank[1] > bestRank[1])) {
      best = { url, width, height };
      bestRank = rank;
    }
  }
  if (best !== null) return best;
  const fallback = httpUrl(hit.url);
  return fallback === null ? null : { url: fallback, width: null, height: null };
}

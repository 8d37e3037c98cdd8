/**
 * Unsplash (https://unsplash.com/documentation): photos from `/search/photos`, the access key as
 * `Authorization: Client-ID <key>`, at most 30 per page, X-Ratelimit-Limit/-Remaining (no reset
 * header; the window is an hour). Unsplash requires a GET of each photo's `download_location`
 * (with the same key) when the photo is actually downloaded: {@link unsplashSource.notifyDownloaded}.
 */
import type { Config } from '../config/config.js';
import type { Candidate, Filters, Orientation } from '../domain.js';
import { TrawlError } from '../errors.js';
import { apiUrl } from './api-url.js';
import { filtersOf, licenseAllows } from './filter-params.js';
import { asRecord, dimension, httpUrl, type JsonRecord, num, parserOutdated, records, str } from './parse.js';
import { sourceRequests } from './source-request.js';
import { apiOrigin, type Pushdown, requireKey, type SearchRequest, type Source, type SourceContext } from './source.js';

const KEY_VAR = 'UNSPLASH_ACCESS_KEY';
const ENDPOINT = '/search/photos';
/** The API's documented maximum for `per_page`. */
const MAX_PER_PAGE = 30;
const LICENSE = 'Unsplash License';
const LICENSE_URL = 'https://unsplash.com/license';
/** Unsplash's guidelines ask for these on links back to photographers. */
const REFERRAL = { utm_source: 'trawl', utm_medium: 'referral' } as const;
const ORIENTATIONS: Readonly<Record<Orientation, string>> = { landscape: 'landscape', portrait: 'portrait', square: 'squarish' };

const PUSHDOWN: readonly Pushdown[] = [
  { filter: 'orientation', sends: 'orientation=landscape|portrait|squarish', precision: 'approximate' },
  { filter: 'license', sends: 'no request at all unless the filter allows unsplash', precision: 'exact' },
  { filter: 'safeSearch', sends: 'content_filter=high | content_filter=low', precision: 'exact' },
];

/** Unsplash photos; needs `UNSPLASH_ACCESS_KEY`. */
export const unsplashSource: Source = {
  id: 'unsplash',
  displayName: 'Unsplash',
  kinds: ['image'],
  keyVar: KEY_VAR,
  statesLicenses: true,
  pushdown: PUSHDOWN,
  // X-Ratelimit-Limit/-Remaining but no reset (the window is an hour); over the limit Unsplash
  // answers 403 "Rate Limit Exceeded" (a bad key is a 401).
  requests: { pageDelay: null, refusalStatuses: [403], quotaHeaders: { reset: 'absent', windowMs: 3_600_000 } },
  licensePolicy: `Everything on Unsplash is under the ${LICENSE} (${LICENSE_URL}); credit the photographer and Unsplash. Each downloaded photo is reported to Unsplash, as its API terms require.`,
  defaultOrigin: 'https://api.unsplash.com',
  search,
  notifyDownloaded,
};

async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  const filters = filtersOf(request);
  if (request.kind !== 'image' || request.limit <= 0 || !licenseAllows(filters, 'unsplash')) return;
  const headers = authHeaders(context);
  const requests = sourceRequests(unsplashSource, context);
  // One page size for the whole search: changing it between pages would shift the offsets.
  const perPage = Math.min(request.limit, MAX_PER_PAGE);
  const filterParams = unsplashFilterParams(filters);
  let remaining = request.limit;
  for (let page = 1; remaining > 0; page++) {
    const url = apiUrl(unsplashSource, context.config, ENDPOINT, { query: request.query, page, per_page: perPage, ...filterParams });
    const { data } = await requests.json(url, headers);
    const body = asRecord(data);
    const results: unknown = body?.results;
    if (body === undefined || !Array.isArray(results)) throw parserOutdated('unsplash', ENDPOINT, 'results[] array');
    const free = records(results).filter((photo) => !isPremium(photo));
    const candidates = free.map((photo) => photoCandidate(photo, context.config)).filter((c): c is Candidate => c !== null);
    if (free.length > 0 && candidates.length === 0) throw parserOutdated('unsplash', ENDPOINT, 'results with urls.full and links.download_location');
    const taken = candidates.slice(0, remaining);
    remaining -= taken.length;
    if (taken.length > 0) yield taken;
    const totalPages = num(body.total_pages);
    if (results.length < perPage || totalPages === null || page >= totalPages) return;
  }
}

/** `orientation` and `content_filter` (Unsplash's own default is `low`). */
function unsplashFilterParams(filters: Filters): Record<string, string> {
  const orientation = filters.orientation === null ? {} : { orientation: ORIENTATIONS[filters.orientation] };
  return { ...orientation, content_filter: filters.safeSearch ? 'high' : 'low' };
}

/**
 * The tracking call Unsplash requires for every photo actually downloaded: a GET of the photo's
 * `download_location` with the access key. Throws a TrawlError when it fails (the engine turns it
 * into an alert; the saved item stays).
 */
async function notifyDownloaded(candidate: Candidate, context: SourceContext): Promise<void> {
  const location = candidate.sourceData?.downloadLocation;
  const origin = new URL(apiOrigin(unsplashSource, context.config)).origin;
  if (location === undefined || httpUrl(location) === null || new URL(location).origin !== origin) {
    throw new TrawlError('TRAWL_BAD_INPUT', `unsplash: ${candidate.url} has no download_location on ${origin} to report the download to`, {
      context: { source: 'unsplash', url: candidate.url },
    });
  }
  await sourceRequests(unsplashSource, context).json(location, authHeaders(context));
}

function authHeaders(context: SourceContext): Record<string, string> {
  const key = requireKey({ id: 'unsplash', keyVar: KEY_VAR }, context.config);
  return { Authorization: `Client-ID ${key}`, 'Accept-Version': 'v1' };
}

/**
 * A photo that is not under the Unsplash License (Unsplash+ items, served from plus.unsplash.com,
 * flagged `premium` in newer answers): it cannot be downloaded with an API key.
 */
function isPremium(photo: JsonRecord): boolean {
  if (photo.premium === true) return true;
  const raw = httpUrl(asRecord(photo.urls)?.raw);
  return raw !== null && new URL(raw).hostname === 'plus.unsplash.com';
}

/**
 * A candidate for a photo, or null when it lacks an image URL or a `download_location`: a photo
 * whose download cannot be reported must not be downloaded.
 */
function photoCandidate(photo: JsonRecord, config: Config): Candidate | null {
  const image = bestImage(photo);
  const links = asRecord(photo.links);
  const downloadLocation = trackingUrl(links?.download_location, config);
  if (image === null || downloadLocation === null) return null;
  const user = asRecord(photo.user);
  return {
    source: 'unsplash',
    kind: 'image',
    ...image,
    pageUrl: httpUrl(links?.html),
    title: str(photo.alt_description) ?? str(photo.description),
    author: str(user?.name) ?? str(user?.username),
    authorUrl: withReferral(httpUrl(asRecord(user?.links)?.html)),
    license: LICENSE,
    licenseUrl: LICENSE_URL,
    licenseCode: 'unsplash',
    sourceData: { downloadLocation },
  };
}

/**
 * The full-size rendition: `urls.full` (JPEG at the original size), else `raw` (the original), else
 * the scaled `regular` (1080 px wide) or `small` (400 px wide).
 */
function bestImage(photo: JsonRecord): Pick<Candidate, 'url' | 'width' | 'height'> | null {
  const urls = asRecord(photo.urls);
  const width = dimension(photo.width);
  const height = dimension(photo.height);
  const choices: readonly [unknown, number | null][] = [
    [urls?.full, width],
    [urls?.raw, width],
    [urls?.regular, 1080],
    [urls?.small, 400],
  ];
  for (const [value, targetWidth] of choices) {
    const url = httpUrl(value);
    if (url === null) continue;
    if (width === null || height === null || targetWidth === null) return { url, width: null, height: null };
    const scale = Math.min(1, targetWidth / width);
    return { url, width: Math.round(width * scale), height: Math.round(height * scale) };
  }
  return null;
}

/**
 * `download_location` is an API URL (`https://api.unsplash.com/photos/<id>/download?ixid=…`): with a
 * `TRAWL_ORIGIN_UNSPLASH` override it is sent there, path and query kept. A location on any other
 * host is refused, so the key never goes where it was not configured to go.
 */
function trackingUrl(value: unknown, config: Config): string | null {
  const url = httpUrl(value);
  if (url === null) return null;
  const parsed = new URL(url);
  const api = new URL(apiOrigin(unsplashSource, config));
  if (parsed.origin === api.origin) return parsed.href;
  if (parsed.origin !== new URL(unsplashSource.defaultOrigin).origin) return null;
  return new URL(`${parsed.pathname}${parsed.search}`, api).href;
}

function withReferral(url: string | null): string | null {
  if (url === null) return null;
  const parsed = new URL(url);
  for (const [name, value] of Object.entries(REFERRAL)) parsed.searchParams.set(name, value);
  return parsed.href;
}

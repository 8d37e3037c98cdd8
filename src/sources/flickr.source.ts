/**
 * Flickr (https://www.flickr.com/services/api/flickr.photos.search.html, SOURCES.md §10a and §14):
 * `flickr.photos.search` as plain JSON, the key in `api_key`, only photos under an open licence
 * (`license=` the ids with a code), the sizes as `url_*` extras, paged by `page` up to `pages`.
 */
import type { Candidate, Filters } from '../domain.js';
import { TrawlError } from '../errors.js';
import { apiUrl } from './api-url.js';
import { filtersOf } from './filter-params.js';
import { flickrLicense, flickrLicenseParam } from './flickr.licenses.js';
import { asRecord, dimension, httpUrl, type JsonRecord, num, parserOutdated, records, str } from './parse.js';
import { type SourceRequests, sourceRequests } from './source-request.js';
import { type Pushdown, requireKey, type SearchRequest, type Source, type SourceContext } from './source.js';

const KEY_VAR = 'FLICKR_API_KEY';
const ENDPOINT = '/services/rest/';
const MAX_PER_PAGE = 500;
/** Flickr returns at most the first 4,000 results of a search; pages past them repeat earlier ones. */
const MAX_RESULTS = 4_000;
/** The sizes asked for, largest first: each present `url_<s>` comes with `width_<s>` and `height_<s>`. */
const SIZES = ['o', 'k', 'h', 'l', 'c', 'z', 'm'] as const;
const EXTRAS = ['license', 'owner_name', 'path_alias', 'o_dims', ...SIZES.map((s) => `url_${s}`)].join(',');
/** Flickr's error code for a missing, malformed or expired key. */
const INVALID_KEY = 100;

const PUSHDOWN: readonly Pushdown[] = [
  { filter: 'license', sends: 'license=1,2,…,16 (the ids of the allowed CC licences, CC0 and the Public Domain Mark; no request when none is allowed)', precision: 'exact' },
  { filter: 'safeSearch', sends: 'safe_search=1 | safe_search=3 (Flickr shows callers without a login only safe photos)', precision: 'exact' },
];

/** Creative Commons, CC0 and public-domain photos on Flickr; needs `FLICKR_API_KEY`. */
export const flickrSource: Source = {
  id: 'flickr',
  displayName: 'Flickr',
  kinds: ['image'],
  keyVar: KEY_VAR,
  statesLicenses: true,
  pushdown: PUSHDOWN,
  // 3,600 queries an hour per key; Flickr sends no quota headers.
  requests: { pageDelay: null, refusalStatuses: [], quotaHeaders: null },
  licensePolicy: 'Only photos their owners put under a Creative Commons licence, CC0 or the Public Domain Mark, each with its own licence.',
  defaultOrigin: 'https://api.flickr.com',
  search,
};

async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind !== 'image' || request.limit <= 0) return;
  const params = flickrFilterParams(filtersOf(request));
  if (params === null) return;
  const key = requireKey({ id: 'flickr', keyVar: KEY_VAR }, context.config);
  const requests = sourceRequests(flickrSource, context);
  const perPage = Math.min(request.limit, MAX_PER_PAGE);
  let remaining = request.limit;
  for (let page = 1; remaining > 0 && (page - 1) * perPage < MAX_RESULTS; page++) {
    const url = apiUrl(flickrSource, context.config, ENDPOINT, {
      method: 'flickr.photos.search',
      api_key: key,
      text: request.query,
      ...params,
      extras: EXTRAS,
      per_page: perPage,
      page,
      format: 'json',
      nojsoncallback: 1,
    });
    const photos = await fetchPhotos(requests, url, key);
    const candidates = records(photos.photo)
      .map(photoCandidate)
      .filter((c): c is Candidate => c !== null)
      .slice(0, remaining);
    remaining -= candidates.length;
    if (candidates.length > 0) yield candidates;
    const pages = num(photos.pages);
    if (!Array.isArray(photos.photo) || photos.photo.length === 0 || (pages !== null && page >= pages)) return;
  }
}

/**
 * The licence ids, safe search and media type to ask for, or null when the licence filter allows
 * none of the open licences Flickr has.
 */
function flickrFilterParams(filters: Filters): Record<string, string> | null {
  const license = flickrLicenseParam(filters.license);
  if (license === null) return null;
  return { license, safe_search: filters.safeSearch ? '1' : '3', content_types: '0', media: 'photos' };
}

/** One answer's `photos` object; Flickr reports errors inside a 200 answer as `stat: "fail"`. */
async function fetchPhotos(requests: SourceRequests, url: string, key: string): Promise<JsonRecord> {
  let data: unknown;
  try {
    data = (await requests.json(url)).data;
  } catch (err) {
    throw withoutKey(err, key);
  }
  const body = asRecord(data);
  if (body?.stat === 'fail') throw flickrFailure(body);
  const photos = asRecord(body?.photos);
  if (body?.stat !== 'ok' || photos === undefined || !Array.isArray(photos.photo)) throw parserOutdated('flickr', ENDPOINT, 'stat "ok" with a photos.photo[] array');
  return photos;
}

/** A `stat: "fail"` answer as the error it means: code 100 is a refused key, anything else Flickr's own words. */
function flickrFailure(body: JsonRecord): TrawlError {
  const code = num(body.code);
  const message = str(body.message) ?? 'no message';
  const context = { source: 'flickr', flickrCode: code };
  if (code === INVALID_KEY) return new TrawlError('TRAWL_AUTH', `flickr: Flickr refused the key (${message}); check ${KEY_VAR}`, { context });
  return new TrawlError('TRAWL_HTTP_STATUS', `flickr: Flickr answered with error ${code ?? '?'}: ${message}`, { context });
}

/** The key travels in the URL: every message and URL of a failed request is scrubbed of it. */
function withoutKey(err: unknown, key: string): unknown {
  if (!(err instanceof TrawlError)) return err;
  const scrub = (text: string): string => text.split(key).join('***');
  const url = typeof err.context.url === 'string' ? scrub(err.context.url) : undefined;
  if (!err.message.includes(key) && url === err.context.url) return err;
  return new TrawlError(err.code, scrub(err.message), { cause: err, context: { ...err.context, ...(url === undefined ? {} : { url }) } });
}

/** A photo with an open licence and at least one size, else null (never downloaded). */
function photoCandidate(photo: JsonRecord): Candidate | null {
  const license = flickrLicense(photo.license);
  const size = largestSize(photo);
  const id = str(photo.id) ?? (typeof photo.id === 'number' ? String(photo.id) : null);
  if (license === null || license.code === null || size === null || id === null) return null;
  const owner = str(photo.pathalias) ?? str(photo.owner);
  const ownerUrl = owner === null ? null : `https://www.flickr.com/photos/${encodeURIComponent(owner)}/`;
  return {
    source: 'flickr',
    kind: 'image',
    url: size.url,
    pageUrl: ownerUrl === null ? null : `${ownerUrl}${encodeURIComponent(id)}/`,
    title: str(photo.title) ?? id,
    author: str(photo.ownername),
    authorUrl: ownerUrl,
    license: license.name,
    licenseUrl: license.url,
    licenseCode: license.code,
    width: size.width,
    height: size.height,
  };
}

interface Size {
  url: string;
  width: number | null;
  height: number | null;
}

/** The largest `url_<s>` present (sizes a photo lacks are absent); widths may come as strings. */
function largestSize(photo: JsonRecord): Size | null {
  for (const suffix of SIZES) {
    const url = httpUrl(photo[`url_${suffix}`]);
    if (url !== null) return { url, width: pixels(photo[`width_${suffix}`]), height: pixels(photo[`height_${suffix}`]) };
  }
  return null;
}

/** A pixel count sent as a number or a numeric string. */
function pixels(value: unknown): number | null {
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? dimension(Number(value)) : dimension(value);
}

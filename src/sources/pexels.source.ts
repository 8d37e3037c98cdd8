/**
 * Pexels (https://www.pexels.com/api/documentation/): photos from `/v1/search`, videos from
 * `/videos/search` (no `/v1`), raw key in `Authorization`, paging by the `next_page` URL.
 */
import type { Candidate, Filters, MediaKind } from '../domain.js';
import { apiUrl } from './api-url.js';
import { filtersOf, licenseAllows, minimumArea, safeBucket, type SizeBucket } from './filter-params.js';
import { asRecord, dimension, httpUrl, type JsonRecord, parserOutdated, records, str } from './parse.js';
import { sourceRequests } from './source-request.js';
import { apiOrigin, type Pushdown, requireKey, type SearchRequest, type Source, type SourceContext } from './source.js';
import { decodeUriSafe } from './text.js';

const KEY_VAR = 'PEXELS_API_KEY';
/** The API's documented maximum for `per_page`. */
const MAX_PER_PAGE = 80;
const LICENSE = 'Pexels License';
const LICENSE_URL = 'https://www.pexels.com/license/';
/**
 * Photo `size` is a minimum (large 24 MP, medium 12 MP, small 4 MP); largest first, a megapixel
 * read as 2^20 pixels so the bucket chosen never leaves out a photo meeting both minimums.
 */
const PHOTO_SIZES: readonly SizeBucket<'large' | 'medium' | 'small'>[] = [
  { value: 'large', pixels: 24 * 2 ** 20 },
  { value: 'medium', pixels: 12 * 2 ** 20 },
  { value: 'small', pixels: 4 * 2 ** 20 },
];

const PUSHDOWN: readonly Pushdown[] = [
  { filter: 'minWidth', sends: 'photos: size=small|medium|large (4, 12, 24 MP) below min width × min height; videos: min_width=N', precision: 'coarse' },
  { filter: 'minHeight', sends: 'photos: size=… (with min width, as above)', precision: 'coarse' },
  { filter: 'orientation', sends: 'orientation=landscape|portrait|square', precision: 'approximate' },
  { filter: 'license', sends: 'no request at all unless the filter allows pexels', precision: 'exact' },
];

interface Endpoint {
  path: string;
  /** The response key holding the page's results. */
  list: 'photos' | 'videos';
  toCandidate: (entry: JsonRecord) => Candidate | null;
}

/** Pexels photos and videos; needs `PEXELS_API_KEY`. */
export const pexelsSource: Source = {
  id: 'pexels',
  displayName: 'Pexels',
  kinds: ['image', 'video'],
  keyVar: KEY_VAR,
  statesLicenses: true,
  pushdown: PUSHDOWN,
  // 200 requests an hour (and 20,000 a month); X-Ratelimit-Reset is the UNIX time of the monthly reset.
  requests: { pageDelay: null, refusalStatuses: [], quotaHeaders: { reset: 'unix-seconds', windowMs: 3_600_000 } },
  licensePolicy: `Everything on Pexels is under the ${LICENSE} (${LICENSE_URL}); credit the photographer.`,
  defaultOrigin: 'https://api.pexels.com',
  search,
};

async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  const filters = filtersOf(request);
  if (request.kind === 'audio' || request.limit <= 0 || !licenseAllows(filters, 'pexels')) return;
  const key = requireKey({ id: 'pexels', keyVar: KEY_VAR }, context.config);
  const endpoint: Endpoint =
    request.kind === 'image'
      ? { path: '/v1/search', list: 'photos', toCandidate: photoCandidate }
      : { path: '/videos/search', list: 'videos', toCandidate: videoCandidate };
  const requests = sourceRequests(pexelsSource, context);
  const perPage = Math.min(request.limit, MAX_PER_PAGE);
  const params = { query: request.query, page: 1, per_page: perPage, ...pexelsFilterParams(filters, request.kind) };
  let url: string | null = apiUrl(pexelsSource, context.config, endpoint.path, params);
  const requested = new Set<string>();
  let remaining = request.limit;
  while (url !== null && remaining > 0 && !requested.has(url)) {
    requested.add(url);
    const { data } = await requests.json(url, { Authorization: key });
    const body = asRecord(data);
    const entries: unknown = body?.[endpoint.list];
    if (body === undefined || !Array.isArray(entries)) throw parserOutdated('pexels', endpoint.path, `${endpoint.list}[] array`);
    if (entries.length === 0) return;
    const candidates = records(entries)
      .map(endpoint.toCandidate)
      .filter((c): c is Candidate => c !== null)
      .slice(0, remaining);
    remaining -= candidates.length;
    if (candidates.length > 0) yield candidates;
    url = nextPage(body.next_page, apiOrigin(pexelsSource, context.config));
  }
}

/** `orientation`, and the size: a photo `size` bucket, or a video's `min_width`. `next_page` carries them on. */
function pexelsFilterParams(filters: Filters, kind: Exclude<MediaKind, 'audio'>): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  if (filters.orientation !== null) params.orientation = filters.orientation;
  const size = kind === 'image' ? safeBucket(PHOTO_SIZES, minimumArea(filters)) : null;
  if (size !== null) params.size = size;
  if (kind === 'video' && filters.minWidth !== null) params.min_width = filters.minWidth;
  return params;
}

/**
 * The `next_page` URL to fetch as given, or null at the end. A next page on another origin than
 * the API's is not followed: the key must never be sent to a host it was not configured for.
 */
function nextPage(value: unknown, origin: string): string | null {
  const url = httpUrl(value);
  return url !== null && new URL(url).origin === new URL(origin).origin ? url : null;
}

function photoCandidate(photo: JsonRecord): Candidate | null {
  const url = httpUrl(asRecord(photo.src)?.original);
  if (url === null) return null;
  return {
    source: 'pexels',
    kind: 'image',
    url,
    pageUrl: httpUrl(photo.url),
    title: str(photo.alt),
    author: str(photo.photographer),
    authorUrl: httpUrl(photo.photographer_url),
    license: LICENSE,
    licenseUrl: LICENSE_URL,
    licenseCode: 'pexels',
    width: dimension(photo.width),
    height: dimension(photo.height),
  };
}

function videoCandidate(video: JsonRecord): Candidate | null {
  const file = bestVideoFile(video.video_files);
  if (file === null) return null;
  const user = asRecord(video.user);
  const pageUrl = httpUrl(video.url);
  return {
    source: 'pexels',
    kind: 'video',
    url: file.url,
    pageUrl,
    title: titleFromVideoPage(pageUrl),
    author: str(user?.name),
    authorUrl: httpUrl(user?.url),
    license: LICENSE,
    licenseUrl: LICENSE_URL,
    licenseCode: 'pexels',
    width: file.width,
    height: file.height,
  };
}

interface VideoFile {
  url: string;
  width: number | null;
  height: number | null;
}

/**
 * The largest progressive rendition (by width × height). HLS playlists are skipped: the
 * downloader saves one file, and a playlist is not one.
 */
function bestVideoFile(files: unknown): VideoFile | null {
  let best: VideoFile | null = null;
  let bestArea = -1;
  for (const file of records(files)) {
    const url = httpUrl(file.link);
    const type = str(file.file_type);
    if (url === null || file.quality === 'hls' || new URL(url).pathname.toLowerCase().endsWith('.m3u8')) continue;
    if (type !== null && !type.toLowerCase().startsWith('video/')) continue;
    const width = dimension(file.width);
    const height = dimension(file.height);
    const area = (width ?? 0) * (height ?? 0);
    if (area > bestArea) {
      best = { url, width, height };
      bestArea = area;
    }
  }
  return best;
}

/**
 * The API gives videos no title, but their page URL carries one as a slug
 * (`/video/aerial-view-of-beautiful-resort-2169880/` → "Aerial view of beautiful resort").
 */
function titleFromVideoPage(pageUrl: string | null): string | null {
  if (pageUrl === null) return null;
  const slug = /\/video\/([^/]+?)-\d+\/?$/.exec(new URL(pageUrl).pathname)?.[1];
  if (slug === undefined) return null;
  const words = decodeUriSafe(slug).replace(/-+/g, ' ').trim();
  return words === '' ? null : words.charAt(0).toUpperCase() + words.slice(1);
}


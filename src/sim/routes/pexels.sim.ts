/**
 * Pexels, as SOURCES.md §1 describes it: `GET /v1/search` (photos) and `GET /videos/search` (no
 * `/v1`), the raw key in `Authorization`, `per_page` default 15 and at most 80, `next_page` as a full
 * URL (absent on the last page) and X-Ratelimit-* headers on every 2xx answer.
 */
import { capitalise, indexes, intParam, itemId, pageRange, personFor, queryStem, resultCount, slugify } from '../catalogue.js';
import { jsonPayload } from '../payload.js';
import { seededUint32 } from '../random.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const PHOTO_PATHS = new Set(['/v1/search', '/v1/search/']);
const VIDEO_PATHS = new Set(['/videos/search', '/videos/search/']);
const DEFAULT_PER_PAGE = 15;
const MAX_PER_PAGE = 80;
const MONTHLY_LIMIT = 20_000;

/** The Pexels photo and video search API. */
export const pexelsRoute: RouteModule = { source: 'pexels', create };

function create(deps: RouteDeps): SourceRoute {
  let served = 0;
  const resetAt = String(Math.floor(Date.now() / 1000) + 30 * 86_400);
  return {
    source: 'pexels',
    env: { PEXELS_API_KEY: deps.settings.pexelsKey },
    matches: (url) => PHOTO_PATHS.has(url.pathname) || VIDEO_PATHS.has(url.pathname),
    handle(request) {
      if (request.headers.authorization !== deps.settings.pexelsKey) {
        return jsonPayload(401, { error: 'The Authorization header is missing or does not hold a valid API key.' });
      }
      const query = request.url.searchParams.get('query') ?? '';
      if (query.trim() === '') return jsonPayload(400, { error: 'The query parameter is required.' });
      served++;
      const headers = { 'x-ratelimit-limit': String(MONTHLY_LIMIT), 'x-ratelimit-remaining': String(Math.max(0, MONTHLY_LIMIT - served)), 'x-ratelimit-reset': resetAt };
      const body = PHOTO_PATHS.has(request.url.pathname) ? photoPage(deps, request, query) : videoPage(deps, request, query);
      return jsonPayload(200, body, headers);
    },
  };
}

interface Paging {
  page: number;
  perPage: number;
  total: number;
  start: number;
  end: number;
}

function paging(deps: RouteDeps, request: RouteRequest, query: string): Paging {
  const page = Math.max(1, intParam(request.url, 'page', 1));
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, intParam(request.url, 'per_page', DEFAULT_PER_PAGE)));
  const total = resultCount(query, deps.settings.itemsPerQuery);
  return { page, perPage, total, ...pageRange(page, perPage, total) };
}

/** `next_page` / `prev_page`: the same query with another page, parameters sorted, trailing slash (as Pexels writes them). */
function pageLinks(request: RouteRequest, p: Paging): Record<string, string> {
  const link = (page: number): string => {
    const params = new URLSearchParams(request.url.searchParams);
    params.set('page', String(page));
    params.set('per_page', String(p.perPage));
    params.sort();
    return `${request.origin}${request.url.pathname.replace(/\/?$/, '/')}?${params.toString()}`;
  };
  return { ...(p.page > 1 ? { prev_page: link(p.page - 1) } : {}), ...(p.end < p.total ? { next_page: link(p.page + 1) } : {}) };
}

function photoPage(deps: RouteDeps, request: RouteRequest, query: string): Record<string, unknown> {
  const p = paging(deps, request, query);
  const photos = indexes(p.start, p.end).map((i) => photo(deps, request.origin, query, i));
  return { total_results: p.total, page: p.page, per_page: p.perPage, photos, ...pageLinks(request, p) };
}

function photo(deps: RouteDeps, origin: string, query: string, index: number): Record<string, unknown> {
  const id = itemId('pexels-photo', query, index);
  const key = `pexels/${queryStem(query)}-${index + 1}`;
  const { width, height } = deps.media.imageDimensions(key);
  const file = `${origin}/media/${key}.png`;
  const person = personFor(key);
  const alt = `${capitalise(query)} number ${index + 1}`;
  return {
    id,
    width,
    height,
    url: `${origin}/photo/${slugify(alt)}-${id}/`,
    photographer: person.name,
    photographer_url: `${origin}/@${person.handle}`,
    photographer_id: person.id,
    avg_color: `#${(seededUint32(key)() & 0xffffff).toString(16).toUpperCase().padStart(6, '0')}`,
    src: {
      original: file,
      large2x: `${file}?auto=compress&cs=tinysrgb&dpr=2&h=650&w=940`,
      large: `${file}?auto=compress&cs=tinysrgb&h=650&w=940`,
      medium: `${file}?auto=compress&cs=tinysrgb&h=350`,
      small: `${file}?auto=compress&cs=tinysrgb&h=130`,
      portrait: `${file}?auto=compress&cs=tinysrgb&fit=crop&h=1200&w=800`,
      landscape: `${file}?auto=compress&cs=tinysrgb&fit=crop&h=627&w=1200`,
      tiny: `${file}?auto=compress&cs=tinysrgb&dpr=1&fit=crop&h=200&w=280`,
    },
    liked: false,
    alt,
  };
}

function videoPage(deps: RouteDeps, request: RouteRequest, query: string): Record<string, unknown> {
  const p = paging(deps, request, query);
  const videos = indexes(p.start, p.end).map((i) => video(request.origin, query, i));
  const url = `${request.origin}/search/videos/${slugify(query)}/`;
  return { page: p.page, per_page: p.perPage, total_results: p.total, url, videos, ...pageLinks(request, p) };
}

const RENDITIONS = [
  { quality: 'uhd', width: 2560, height: 1440 },
  { quality: 'hd', width: 1280, height: 720 },
  { quality: 'sd', width: 640, height: 360 },
] as const;

function video(origin: string, query: string, index: number): Record<string, unknown> {
  const id = itemId('pexels-video', query, index);
  const key = `pexels/${queryStem(query)}-video-${index + 1}`;
  const base = `${origin}/media/${key}`;
  const user = personFor(key);
  // Every third video also comes in UHD, so "pick the largest" has something to choose.
  const withUhd = index % 3 === 0;
  const renditions = RENDITIONS.slice(withUhd ? 0 : 1);
  const files: Record<string, unknown>[] = renditions.map((r, k) => ({
    id: id * 10 + k,
    quality: r.quality,
    file_type: 'video/mp4',
    width: r.width,
    height: r.height,
    fps: 25,
    link: `${base}-${r.quality}-${r.width}x${r.height}.mp4`,
  }));
  // The playlist sits among the files, as in real answers: a client must skip it, not stop at it.
  files.splice(1, 0, { id: id * 10 + 9, quality: 'hls', file_type: 'video/mp4', width: null, height: null, fps: null, link: `${base}.m3u8` });
  const largest = withUhd ? RENDITIONS[0] : RENDITIONS[1];
  const title = `${capitalise(query)} clip ${index + 1}`;
  return {
    id,
    width: largest.width,
    height: largest.height,
    duration: 5 + (seededUint32(`${id}`)() % 40),
    full_res: null,
    tags: [],
    avg_color: null,
    url: `${origin}/video/${slugify(title)}-${id}/`,
    image: `${base}-poster.png?auto=compress&cs=tinysrgb&fit=crop&h=630&w=1200`,
    user: { id: user.id, name: user.name, url: `${origin}/@${user.handle}` },
    video_files: files,
    video_pictures: [0, 1, 2].map((nr) => ({ id: id * 10 + nr, picture: `${base}-preview-${nr}.png`, nr })),
  };
}

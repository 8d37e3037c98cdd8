/**
 * Unsplash, as SOURCES.md §3 describes it: `GET /search/photos?query=&page=&per_page=` (`per_page`
 * default 10, at most 30), the key as `Authorization: Client-ID <key>` or `client_id=` (else 401
 * `{"errors":[…]}`), X-Ratelimit-Limit/-Remaining, X-Total, X-Per-Page and a `Link` header on every
 * answer, and the download-tracking endpoint `GET /photos/<id>/download?ixid=…` → `{ "url": … }`.
 * Every tracking call lands in the simulator's request log, so a test can check one was made for
 * each downloaded photo. Files: `/media/unsplash/<stem>-<n>.png` (the n-th result for the query).
 */
import { capitalise, indexes, intParam, pageRange, personFor, queryStem, resultCount, slugify } from '../catalogue.js';
import { jsonPayload, type Payload } from '../payload.js';
import { fillNoise, seededUint32 } from '../random.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const SEARCH_PATHS = new Set(['/search/photos', '/search/photos/']);
const TRACKING_PATH = /^\/photos\/([\w-]{11})\/download\/?$/;
/** The key the simulator accepts (printed by `trawl sim`). */
const SIM_UNSPLASH_KEY = 'sim-unsplash-key';
const DEFAULT_PER_PAGE = 10;
const MAX_PER_PAGE = 30;
/** A production app's hourly limit (demo apps get 50), so long test runs do not spend it. */
const REQUESTS_PER_HOUR = 5_000;
const IXLIB = 'rb-4.0.3';

/** The Unsplash photo search API and its download-tracking endpoint. */
export const unsplashRoute: RouteModule = { source: 'unsplash', create };

function create(deps: RouteDeps): SourceRoute {
  let hour = -1;
  let used = 0;
  // Counted and reported, never enforced: a 429 is what the rate-limit fault is for.
  const rateHeaders = (): Record<string, string> => {
    const now = Math.floor(Date.now() / 3_600_000);
    used = now === hour ? used + 1 : 1;
    hour = now;
    return { 'x-ratelimit-limit': String(REQUESTS_PER_HOUR), 'x-ratelimit-remaining': String(Math.max(0, REQUESTS_PER_HOUR - used)) };
  };
  return {
    source: 'unsplash',
    env: { UNSPLASH_ACCESS_KEY: SIM_UNSPLASH_KEY },
    matches: (url) => SEARCH_PATHS.has(url.pathname) || TRACKING_PATH.test(url.pathname),
    handle(request) {
      if (!authorised(request)) return jsonPayload(401, { errors: ['OAuth error: The access token is invalid'] });
      return SEARCH_PATHS.has(request.url.pathname) ? search(deps, request, rateHeaders()) : tracking(request, rateHeaders());
    },
  };
}

function authorised(request: RouteRequest): boolean {
  return request.headers.authorization === `Client-ID ${SIM_UNSPLASH_KEY}` || request.url.searchParams.get('client_id') === SIM_UNSPLASH_KEY;
}

function search(deps: RouteDeps, request: RouteRequest, headers: Record<string, string>): Payload {
  const { url, origin } = request;
  const query = url.searchParams.get('query') ?? '';
  if (query.trim() === '') return jsonPayload(400, { errors: ['query is missing'] }, headers);
  const page = Math.max(1, intParam(url, 'page', 1));
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, intParam(url, 'per_page', DEFAULT_PER_PAGE)));
  const total = resultCount(query, deps.settings.itemsPerQuery);
  const totalPages = Math.ceil(total / perPage);
  const { start, end } = pageRange(page, perPage, total);
  const results = indexes(start, end).map((i) => photo(deps, origin, query, i));
  const paging = { 'x-total': String(total), 'x-per-page': String(perPage), link: linkHeader(request, page, perPage, totalPages) };
  return jsonPayload(200, { total, total_pages: totalPages, results }, { ...headers, ...paging });
}

/** `<…page=1…>; rel="first", <…>; rel="prev", <…>; rel="last", <…>; rel="next"`, as Unsplash sends it. */
function linkHeader(request: RouteRequest, page: number, perPage: number, totalPages: number): string {
  const link = (target: number, rel: string): string => {
    const params = new URLSearchParams(request.url.searchParams);
    params.set('page', String(target));
    params.set('per_page', String(perPage));
    return `<${request.origin}${request.url.pathname}?${params.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  if (page < totalPages) links.push(link(totalPages, 'last'), link(page + 1, 'next'));
  return links.join(', ');
}

/** Unsplash's 11-character photo ids, stable per media key. */
function photoId(key: string): string {
  return fillNoise(Buffer.alloc(8), `unsplash-id:${key}`).toString('base64url');
}

/** The opaque `ixid` Unsplash appends to every URL; here it names the photo's media key. */
function ixidFor(key: string): string {
  return Buffer.from(key).toString('base64url');
}

/** `GET /photos/<id>/download?ixid=…`: the photo's full-size URL, for a photo the simulator handed out. */
function tracking(request: RouteRequest, headers: Record<string, string>): Payload {
  const id = TRACKING_PATH.exec(request.url.pathname)?.[1];
  const key = Buffer.from(request.url.searchParams.get('ixid') ?? '', 'base64url').toString();
  if (!key.startsWith('unsplash/') || photoId(key) !== id) return jsonPayload(404, { errors: ["Couldn't find Photo"] }, headers);
  return jsonPayload(200, { url: imageUrls(request.origin, key).full }, headers);
}

function imageUrls(origin: string, key: string): Record<string, string> {
  const raw = `${origin}/media/${key}.png?ixid=${ixidFor(key)}&ixlib=${IXLIB}`;
  return {
    raw,
    full: `${raw}&crop=entropy&cs=srgb&q=85`,
    regular: `${raw}&crop=entropy&cs=tinysrgb&fit=max&q=80&w=1080`,
    small: `${raw}&crop=entropy&cs=tinysrgb&fit=max&q=80&w=400`,
    thumb: `${raw}&crop=entropy&cs=tinysrgb&fit=max&q=80&w=200`,
    small_s3: `${origin}/media/${key}.png?s3=small`,
  };
}

function photo(deps: RouteDeps, origin: string, query: string, index: number): Record<string, unknown> {
  const key = `unsplash/${queryStem(query)}-${index + 1}`;
  const id = photoId(key);
  const { width, height } = deps.media.imageDimensions(key);
  const random = seededUint32(`unsplash:${key}`);
  const created = new Date(Date.UTC(2019, 0, 1) + index * 86_400_000).toISOString().replace('.000', '');
  // Descriptions are often null and alt texts sometimes are, as in real answers.
  const alt = index % 5 === 4 ? null : `${capitalise(query)} photo number ${index + 1}`;
  const description = index % 3 === 1 || alt === null ? `${capitalise(query)} — a simulated photograph` : null;
  const slugText = description ?? alt ?? query;
  return {
    id,
    slug: `${slugify(slugText)}-${id}`,
    created_at: created,
    updated_at: created,
    promoted_at: null,
    width,
    height,
    color: `#${(random() & 0xffffff).toString(16).padStart(6, '0')}`,
    blur_hash: 'LVKw90_3%2Rj~qRjRjayRjWBofj[',
    description,
    alt_description: alt,
    breadcrumbs: [],
    urls: imageUrls(origin, key),
    links: photoLinks(origin, key, slugify(slugText)),
    likes: random() % 2_000,
    liked_by_user: false,
    current_user_collections: [],
    sponsorship: null,
    topic_submissions: {},
    // Newer answers name the asset type; older ones do not.
    ...(index % 2 === 0 ? { asset_type: 'photo' } : {}),
    user: user(origin, key),
    tags: [{ type: 'search', title: query.trim().toLowerCase() }],
  };
}

/** The API and site links of a photo; on the simulator both hosts are its own origin. */
function photoLinks(origin: string, key: string, slug: string): Record<string, string> {
  const id = photoId(key);
  const tracking = `${origin}/photos/${id}/download?ixid=${ixidFor(key)}`;
  return { self: `${origin}/photos/${id}`, html: `${origin}/photos/${slug}-${id}`, download: tracking, download_location: tracking };
}

function user(origin: string, key: string): Record<string, unknown> {
  const person = personFor(key);
  const username = slugify(person.name, '_');
  const [first = person.name, ...rest] = person.name.split(' ');
  const profile = (size: number): string => `${origin}/media/unsplash/profile-${person.id}.png?w=${size}&h=${size}`;
  return {
    id: fillNoise(Buffer.alloc(8), `unsplash-user:${person.id}`).toString('base64url'),
    updated_at: '2024-01-01T00:00:00Z',
    username,
    name: person.name,
    first_name: first,
    last_name: rest.length > 0 ? rest.join(' ') : null,
    twitter_username: null,
    portfolio_url: null,
    bio: null,
    location: null,
    links: {
      self: `${origin}/users/${username}`,
      html: `${origin}/@${username}`,
      photos: `${origin}/users/${username}/photos`,
      likes: `${origin}/users/${username}/likes`,
      portfolio: `${origin}/users/${username}/portfolio`,
    },
    profile_image: { small: profile(32), medium: profile(64), large: profile(128) },
    instagram_username: null,
    total_collections: 0,
    total_likes: 0,
    total_photos: 1 + (person.id % 300),
    accepted_tos: true,
    for_hire: false,
  };
}

/**
 * Pixabay, as SOURCES.md §2 describes it: `GET /api/` (images) and `GET /api/videos/`, the key as the
 * `key` parameter (a bad one is refused with HTTP 400 and a plain-text `[ERROR 400] …` body, as are
 * `per_page` outside 3–200 and pages past the accessible hits), `totalHits` capped at 500, and
 * X-RateLimit-* headers (100 per 60 s, Reset = seconds until the window ends) on every answer.
 * Files: `/media/pixabay/<stem>-<n>.png` (largeImageURL), `/media/pixabay/<stem>-video-<n>-<size>-<w>x<h>.mp4`.
 * Every fourth video comes in the old (≤ 2022) format, and every third lacks its `large` rendition.
 */
import { indexes, intParam, itemId, pageRange, personFor, queryStem, resultCount, slugify } from '../catalogue.js';
import { type Payload, jsonPayload, textPayload } from '../payload.js';
import { hashString, seededUint32 } from '../random.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const IMAGE_PATHS = new Set(['/api/', '/api']);
const VIDEO_PATHS = new Set(['/api/videos/', '/api/videos']);
/** The key the simulator accepts (printed by `trawl sim`). */
const SIM_PIXABAY_KEY = 'sim-pixabay-key';
const DEFAULT_PER_PAGE = 20;
const MIN_PER_PAGE = 3;
const MAX_PER_PAGE = 200;
/** The API gives at most this many hits per query, however many match. */
const MAX_TOTAL_HITS = 500;
const MAX_QUERY_CHARS = 100;
const REQUESTS_PER_WINDOW = 100;
const WINDOW_MS = 60_000;
const EXTRA_TAGS = ['nature', 'landscape', 'background', 'sky', 'city', 'animal', 'water', 'light'];
const VIDEO_SIZES = [
  { name: 'large', width: 3840, height: 2160 },
  { name: 'medium', width: 2560, height: 1440 },
  { name: 'small', width: 1920, height: 1080 },
  { name: 'tiny', width: 1280, height: 720 },
] as const;

/** The Pixabay image and video search API. */
export const pixabayRoute: RouteModule = { source: 'pixabay', create };

function create(deps: RouteDeps): SourceRoute {
  const rateHeaders = rateWindow();
  return {
    source: 'pixabay',
    env: { PIXABAY_API_KEY: SIM_PIXABAY_KEY },
    matches: (url) => IMAGE_PATHS.has(url.pathname) || VIDEO_PATHS.has(url.pathname),
    handle(request) {
      if (request.url.searchParams.get('key') !== SIM_PIXABAY_KEY) return refuse('Invalid API key. Note: This value is case-sensitive.');
      return answer(deps, request, rateHeaders());
    },
  };
}

/** Counted and reported per 60 s window, never enforced: a 429 is what the rate-limit fault is for. */
function rateWindow(): () => Record<string, string> {
  let windowStart = 0;
  let used = 0;
  return () => {
    const now = Date.now();
    if (now - windowStart >= WINDOW_MS) {
      windowStart = now;
      used = 0;
    }
    used++;
    return {
      'x-ratelimit-limit': String(REQUESTS_PER_WINDOW),
      'x-ratelimit-remaining': String(Math.max(0, REQUESTS_PER_WINDOW - used)),
      'x-ratelimit-reset': String(Math.ceil((windowStart + WINDOW_MS - now) / 1000)),
    };
  };
}

function refuse(reason: string, headers: Record<string, string> = {}): Payload {
  return textPayload(400, `[ERROR 400] ${reason}`, 'text/html; charset=utf-8', headers);
}

function answer(deps: RouteDeps, request: RouteRequest, headers: Record<string, string>): Payload {
  const { url, origin } = request;
  const query = url.searchParams.get('q') ?? '';
  const perPage = intParam(url, 'per_page', DEFAULT_PER_PAGE);
  const page = intParam(url, 'page', 1);
  if (Array.from(query).length > MAX_QUERY_CHARS) return refuse(`"q" exceeds the maximum length of ${MAX_QUERY_CHARS} characters.`, headers);
  if (perPage < MIN_PER_PAGE || perPage > MAX_PER_PAGE) return refuse('"per_page" is out of valid range.', headers);
  const total = resultCount(query, deps.settings.itemsPerQuery);
  const totalHits = Math.min(total, MAX_TOTAL_HITS);
  if (page < 1 || (page > 1 && (page - 1) * perPage >= totalHits)) return refuse('"page" is out of valid range.', headers);
  const { start, end } = pageRange(page, perPage, totalHits);
  const videos = VIDEO_PATHS.has(url.pathname);
  const hits = indexes(start, end).map((i) => (videos ? videoHit(deps, origin, query, i) : imageHit(deps, origin, query, i)));
  return jsonPayload(200, { total, totalHits, hits }, headers);
}

/** Author, tags and counters shared by image and video hits. */
function commonFields(origin: string, key: string, query: string, index: number): Record<string, unknown> {
  const person = personFor(key);
  const random = seededUint32(`pixabay:${key}`);
  return {
    tags: [query.trim().toLowerCase() || 'free', EXTRA_TAGS[index % EXTRA_TAGS.length], EXTRA_TAGS[(index + 3) % EXTRA_TAGS.length]].join(', '),
    views: random() % 500_000,
    downloads: random() % 200_000,
    likes: random() % 3_000,
    comments: random() % 300,
    user_id: person.id,
    // Pixabay user names are one word of letters and digits.
    user: person.name.normalize('NFD').replace(/[^A-Za-z0-9]/g, ''),
    userImageURL: `${origin}/media/pixabay/user-${person.id}.png`,
  };
}

function imageHit(deps: RouteDeps, origin: string, query: string, index: number): Record<string, unknown> {
  const id = itemId('pixabay-image', query, index);
  const key = `pixabay/${queryStem(query)}-${index + 1}`;
  const large = deps.media.imageDimensions(key);
  const preview = deps.media.imageDimensions(`${key}-preview`);
  const web = deps.media.imageDimensions(`${key}-webformat`);
  const common = commonFields(origin, key, query, index);
  return {
    id,
    pageURL: `${origin}/photos/${slugify(String(common.tags))}-${id}/`,
    type: 'photo',
    tags: common.tags,
    previewURL: `${origin}/media/${key}-preview.png`,
    previewWidth: preview.width,
    previewHeight: preview.height,
    webformatURL: `${origin}/media/${key}-webformat.png`,
    webformatWidth: web.width,
    webformatHeight: web.height,
    largeImageURL: `${origin}/media/${key}.png`,
    // The simulator's images are small, so the "large" rendition is the original itself.
    imageWidth: large.width,
    imageHeight: large.height,
    imageSize: deps.settings.imageBytes,
    collections: seededUint32(`collections:${key}`)() % 3_000,
    ...common,
  };
}

function videoHit(deps: RouteDeps, origin: string, query: string, index: number): Record<string, unknown> {
  const id = itemId('pixabay-video', query, index);
  const key = `pixabay/${queryStem(query)}-video-${index + 1}`;
  const oldFormat = index % 4 === 3;
  const hasLarge = index % 3 !== 2;
  const videos: Record<string, Record<string, unknown>> = {};
  for (const size of VIDEO_SIZES) {
    const available = hasLarge || size.name !== 'large';
    const file = `${origin}/media/${key}-${size.name}-${size.width}x${size.height}.mp4`;
    const url = oldFormat ? `${file}?width=${size.width}&hash=${hashString(`${key}:${size.name}`).toString(16)}` : file;
    videos[size.name] = {
      url: available ? url : '',
      width: available ? size.width : 0,
      height: available ? size.height : 0,
      size: available ? deps.settings.videoBytes : 0,
      // Thumbnails per rendition arrived with the current format.
      ...(oldFormat ? {} : { thumbnail: available ? `${origin}/media/${key}-${size.name}-thumb.png` : '' }),
    };
  }
  const common = commonFields(origin, key, query, index);
  const oldExtras = oldFormat ? { picture_id: hashString(key).toString(16).padStart(8, '0'), url: videos.medium?.url } : {};
  return {
    id,
    pageURL: `${origin}/videos/${slugify(String(common.tags))}-${id}/`,
    type: index % 2 === 0 ? 'film' : 'animation',
    tags: common.tags,
    duration: 5 + (seededUint32(`duration:${key}`)() % 40),
    ...oldExtras,
    videos,
    ...common,
  };
}

/**
 * The Art Institute of Chicago API, as SOURCES.md §12 describes it: `GET /api/v1/artworks/search?q=
 * &fields=&limit=&page=` (keyless; `limit` ≤ 100 and page × limit ≤ 1000, else 403 JSON), the
 * default projection without `fields`, `query[term][is_public_domain]=true` honoured, and the IIIF
 * image server the answer's `config.iiif_url` points at: `/iiif/2/<image_id>/full/<w>,/0/default.jpg`
 * serves the picture at that width. Without the public-domain filter every third work is in copyright,
 * and some works have no image (`image_id: null`) or no size (`thumbnail: null`), as real ones do.
 */
import { capitalise, indexes, intParam, pageRange, personFor, queryStem, resultCount, uuidFor } from '../catalogue.js';
import { MEDIA_TYPES } from '../media.js';
import { bytesPayload, jsonPayload, type Payload } from '../payload.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const SEARCH_PATH = '/api/v1/artworks/search';
const IIIF_PREFIX = '/iiif/2';
const IIIF_PATH = /^\/iiif\/2\/([^/]+)\/full\/(\d+),\/0\/default\.jpg$/;
const MAX_LIMIT = 100;
const MAX_WINDOW = 1000;
const DEFAULT_FIELDS = ['_score', 'thumbnail', 'api_model', 'is_boosted', 'api_link', 'id', 'title', 'timestamp'];
/** The full images are this wide; the served renditions are scaled down from it. */
const FULL_WIDTH = 3000;

/** The Art Institute of Chicago artwork search and its IIIF image server. */
export const artInstituteChicagoRoute: RouteModule = { source: 'art_institute_chicago', create };

function create(deps: RouteDeps): SourceRoute {
  return {
    source: 'art_institute_chicago',
    env: {},
    matches: (url) => url.pathname === SEARCH_PATH || url.pathname.startsWith(`${IIIF_PREFIX}/`),
    handle: (request) => (request.url.pathname === SEARCH_PATH ? searchAnswer(deps, request) : imageAnswer(deps, request.url)),
  };
}

function searchAnswer(deps: RouteDeps, request: RouteRequest): Payload {
  const limit = intParam(request.url, 'limit', 10);
  const page = intParam(request.url, 'page', 1);
  if (limit > MAX_LIMIT) {
    return jsonPayload(403, { status: 403, error: 'Invalid limit', detail: 'You have requested too many resources per page. Please set a smaller limit.' });
  }
  if (limit < 1 || page < 1) return jsonPayload(400, { status: 400, error: 'Invalid paging', detail: 'limit and page must be positive.' });
  if (page * limit > MAX_WINDOW) {
    return jsonPayload(403, { status: 403, error: 'Invalid number of results', detail: 'You have requested too many results. Please refine your parameters.' });
  }
  const params = request.url.searchParams;
  const query = params.get('q') ?? '';
  const publicOnly = params.get('query[term][is_public_domain]') === 'true';
  const fields = params.get('fields')?.split(',').map((f) => f.trim()) ?? DEFAULT_FIELDS;
  // The works of the query: with the filter only the public-domain ones, in the same order.
  const works = indexes(0, resultCount(query, deps.settings.itemsPerQuery)).filter((i) => !publicOnly || isPublicDomain(i));
  const { start, end } = pageRange(page, limit, works.length);
  const data = works.slice(start, end).map((i) => project(work(deps, request.origin, query, i), [...fields, '_score']));
  return jsonPayload(200, {
    preference: null,
    pagination: { total: works.length, limit, offset: start, total_pages: Math.ceil(works.length / limit), current_page: page },
    data,
    info: { license_text: 'The `description` field in this response is licensed under a Creative Commons Attribution 4.0 Generic License (CC-By) and the Terms and Conditions of artic.edu. All other data in this response is licensed under a Creative Commons Zero (CC0) 1.0 designation and the Terms and Conditions of artic.edu.', license_links: ['https://creativecommons.org/publicdomain/zero/1.0/', 'https://www.artic.edu/terms'], version: '1.13' },
    config: { iiif_url: `${request.origin}${IIIF_PREFIX}`, website_url: request.origin },
  });
}

/** Every third work is in copyright. */
function isPublicDomain(index: number): boolean {
  return index % 3 !== 1;
}

/** The image id of a work, or null for every tenth, which has no image. */
function imageIdOf(query: string, index: number): string | null {
  return index % 10 === 6 ? null : uuidFor(`art_institute_chicago:${queryStem(query)}:${index}`);
}

/** The full image's size, from the picture's own aspect ratio. */
function fullSize(deps: RouteDeps, imageId: string): { width: number; height: number } {
  const { width, height } = deps.media.imageDimensions(`art_institute_chicago/${imageId}`);
  return { width: FULL_WIDTH, height: Math.max(1, Math.round((FULL_WIDTH * height) / width)) };
}

function work(deps: RouteDeps, origin: string, query: string, index: number): Record<string, unknown> {
  const id = 100_000 + index;
  const imageId = imageIdOf(query, index);
  const person = personFor(`art_institute_chicago/${queryStem(query)}-${index}`);
  const size = imageId === null ? null : fullSize(deps, imageId);
  const thumbnail = size === null || index % 10 === 8 ? null : { lqip: 'data:image/gif;base64,R0lGODlhBQAFAPQAAEZcaFFfdl1peGRye', width: size.width, height: size.height, alt_text: `A work titled ${query}.` };
  return {
    _score: 100 - index / 10,
    id,
    api_model: 'artworks',
    api_link: `${origin}/api/v1/artworks/${id}`,
    is_boosted: index === 0,
    title: `${capitalise(query || 'untitled')} ${index + 1}`,
    timestamp: '2026-11-30T23:27:13-06:00',
    thumbnail,
    artist_title: index % 5 === 4 ? null : person.name,
    artist_display: `${person.name}\nAmerican, 1850–1920`,
    image_id: imageId,
    is_public_domain: isPublicDomain(index),
  };
}

/** Only the asked-for fields come back (unknown names are left out). */
function project(record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => f in record).map((f) => [f, record[f]]));
}

/** The picture of `image_id` at the asked width (no wider than the full image), height to scale. */
function imageAnswer(deps: RouteDeps, url: URL): Payload {
  const match = IIIF_PATH.exec(url.pathname);
  if (match === null) return jsonPayload(400, { error: `unsupported IIIF request ${url.pathname}` });
  const imageId = decodeURIComponent(match[1] ?? '');
  const full = fullSize(deps, imageId);
  const width = Number(match[2]);
  if (width < 1 || width > full.width) return jsonPayload(400, { error: `width ${width} is outside 1–${full.width}` });
  const height = Math.max(1, Math.round((width * full.height) / full.width));
  // The library's size override serves the picture at exactly the rendition's size.
  const png = deps.media.image(`art_institute_chicago/${imageId}`, { width, height });
  return bytesPayload(200, png, MEDIA_TYPES.png, { 'cache-control': 'public, max-age=86400' });
}

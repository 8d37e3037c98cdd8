/**
 * Openverse, as SOURCES.md §4 describes it: `GET /v1/images/?q=&page=&page_size=`, keyless, anonymous
 * callers limited to `page_size` ≤ 20 (else 401) and `page` ≤ 20 (else 400), `page_count` capped at
 * 20, anonymous rate-limit headers. A few results lack optional fields, as real ones do.
 */
import { capitalise, indexes, intParam, pageRange, personFor, queryStem, resultCount, uuidFor } from '../catalogue.js';
import { jsonPayload } from '../payload.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const PATHS = new Set(['/v1/images/', '/v1/images']);
const MAX_ANONYMOUS_PAGE_SIZE = 20;
const MAX_PAGINATION_DEPTH = 20;
const BURST_PER_MINUTE = 20;
const SUSTAINED_PER_DAY = 200;

const LICENSES = [
  { license: 'by', license_version: '4.0', license_url: 'https://creativecommons.org/licenses/by/4.0/', phrase: 'is licensed under CC BY 4.0. To view a copy of this license, visit' },
  { license: 'cc0', license_version: '1.0', license_url: 'https://creativecommons.org/publicdomain/zero/1.0/', phrase: 'is marked with CC0 1.0. To view the terms, visit' },
  { license: 'by-sa', license_version: '2.0', license_url: 'https://creativecommons.org/licenses/by-sa/2.0/', phrase: 'is licensed under CC BY-SA 2.0. To view a copy of this license, visit' },
  { license: 'pdm', license_version: '1.0', license_url: 'https://creativecommons.org/publicdomain/mark/1.0/', phrase: 'is marked with Public Domain Mark 1.0. To view the terms, visit' },
] as const;

/** The Openverse image search API. */
export const openverseRoute: RouteModule = { source: 'openverse', create };

function create(deps: RouteDeps): SourceRoute {
  let minute = -1;
  let inMinute = 0;
  let servedToday = 0;
  // Counted and reported, never enforced: a 429 is what the rate-limit fault is for.
  const rateHeaders = (): Record<string, string> => {
    const now = Math.floor(Date.now() / 60_000);
    inMinute = now === minute ? inMinute + 1 : 1;
    minute = now;
    servedToday++;
    return {
      'x-ratelimit-limit-anon_burst': `${BURST_PER_MINUTE}/min`,
      'x-ratelimit-available-anon_burst': String(Math.max(0, BURST_PER_MINUTE - inMinute)),
      'x-ratelimit-limit-anon_sustained': `${SUSTAINED_PER_DAY}/day`,
      'x-ratelimit-available-anon_sustained': String(Math.max(0, SUSTAINED_PER_DAY - servedToday)),
    };
  };
  return {
    source: 'openverse',
    env: {},
    matches: (url) => PATHS.has(url.pathname),
    handle(request) {
      const pageSize = intParam(request.url, 'page_size', MAX_ANONYMOUS_PAGE_SIZE);
      const page = intParam(request.url, 'page', 1);
      if (pageSize > MAX_ANONYMOUS_PAGE_SIZE) {
        return jsonPayload(401, { detail: `Anonymous requests may ask for at most ${MAX_ANONYMOUS_PAGE_SIZE} results per page; authenticate for more.` });
      }
      if (pageSize < 1 || page < 1 || page > MAX_PAGINATION_DEPTH) {
        return jsonPayload(400, { detail: `Invalid page or page_size: page must be 1–${MAX_PAGINATION_DEPTH} and page_size at least 1.` });
      }
      return jsonPayload(200, searchPage(deps, request, page, pageSize), rateHeaders());
    },
  };
}

function searchPage(deps: RouteDeps, request: RouteRequest, page: number, pageSize: number): Record<string, unknown> {
  const query = request.url.searchParams.get('q') ?? '';
  const total = resultCount(query, deps.settings.itemsPerQuery);
  const { start, end } = pageRange(page, pageSize, total);
  return {
    result_count: total,
    page_count: Math.min(MAX_PAGINATION_DEPTH, Math.ceil(total / pageSize)),
    page_size: pageSize,
    page,
    results: indexes(start, end).map((i) => result(deps, request.origin, query, i)),
    warnings: [],
  };
}

function result(deps: RouteDeps, origin: string, query: string, index: number): Record<string, unknown> {
  const id = uuidFor(`openverse:${query.trim().toLowerCase()}:${index}`);
  const key = `openverse/${queryStem(query)}-${index + 1}`;
  const { width, height } = deps.media.imageDimensions(key);
  const licence = LICENSES[index % LICENSES.length] ?? LICENSES[0];
  const person = personFor(key);
  // Optional fields go missing the way they do in real answers: one creator, some sizes.
  const creator = index === 3 ? null : person.name;
  const dimensionsKnown = index % 10 !== 7;
  const title = `${capitalise(query || 'untitled')} ${index + 1}`;
  const provider = index % 2 === 0 ? 'flickr' : 'wikimedia';
  return {
    id,
    title,
    indexed_on: new Date(Date.UTC(2023, 0, 1) + index * 86_400_000).toISOString(),
    foreign_landing_url: `${origin}/photos/${person.handle}/${id.slice(0, 8)}`,
    url: `${origin}/media/${key}.png`,
    creator,
    creator_url: creator === null ? null : `${origin}/photos/${person.handle}`,
    license: licence.license,
    license_version: licence.license_version,
    license_url: licence.license_url,
    provider,
    source: provider,
    category: index % 4 === 2 ? null : 'photograph',
    filesize: index % 3 === 1 ? null : deps.media.image(key).length,
    filetype: 'png',
    tags: [{ name: query.trim().toLowerCase(), accuracy: null }, { name: 'simulated', accuracy: 0.93 }],
    attribution: `"${title}" by ${creator ?? 'unknown'} ${licence.phrase} ${licence.license_url}.`,
    fields_matched: ['title', 'tags.name'],
    mature: false,
    height: dimensionsKnown ? height : null,
    width: dimensionsKnown ? width : null,
    thumbnail: `${origin}/media/${key}.png?thumb=1`,
    detail_url: `${origin}/v1/images/${id}/`,
    related_url: `${origin}/v1/images/${id}/related/`,
    unstable__sensitivity: [],
  };
}

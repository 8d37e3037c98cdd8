/**
 * The Cleveland Museum of Art Open Access API, as SOURCES.md §13 describes it: `GET /api/artworks/?q=
 * &has_image=&cc0=&limit=&skip=` (keyless; `limit` ≤ 1000), answering `{ info: { total, parameters },
 * data }` with `data: []` past the end. Without `cc0` every third work is "Copyrighted"; without
 * `has_image` every tenth has `images: null`. Images sit on the simulator as
 * `/media/cleveland_museum/<stem>-<n>-print.png` and `…-web.png`, sizes given as strings like the
 * real API's; some works lack the print image (`{}`), and the archival `full` TIFF is never served.
 */
import { capitalise, indexes, intParam, personFor, queryStem, resultCount } from '../catalogue.js';
import { jsonPayload, type Payload } from '../payload.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const PATHS = new Set(['/api/artworks/', '/api/artworks']);
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 1000;

/** The Cleveland Museum of Art artwork search. */
export const clevelandMuseumRoute: RouteModule = { source: 'cleveland_museum', create };

function create(deps: RouteDeps): SourceRoute {
  return {
    source: 'cleveland_museum',
    env: {},
    matches: (url) => PATHS.has(url.pathname),
    handle: (request) => searchAnswer(deps, request),
  };
}

function searchAnswer(deps: RouteDeps, request: RouteRequest): Payload {
  const params = request.url.searchParams;
  const limit = intParam(request.url, 'limit', DEFAULT_LIMIT);
  const skip = intParam(request.url, 'skip', 0);
  if (limit < 1 || limit > MAX_LIMIT || skip < 0) return jsonPayload(400, { detail: `limit must be 1–${MAX_LIMIT} and skip at least 0` });
  const query = params.get('q') ?? '';
  // `cc0` and `has_image` filter by being present, whatever their value.
  const works = indexes(0, resultCount(query, deps.settings.itemsPerQuery)).filter((i) => (!params.has('cc0') || isCc0(i)) && (!params.has('has_image') || hasImage(i)));
  return jsonPayload(200, {
    info: { total: works.length, parameters: Object.fromEntries(params) },
    data: works.slice(skip, skip + limit).map((i) => work(deps, request.origin, query, i)),
  });
}

function isCc0(index: number): boolean {
  return index % 3 !== 1;
}

function hasImage(index: number): boolean {
  return index % 10 !== 6;
}

function work(deps: RouteDeps, origin: string, query: string, index: number): Record<string, unknown> {
  const stem = `${queryStem(query)}-${index + 1}`;
  const accession = `${1900 + (index % 100)}.${100 + index}`;
  const person = personFor(`cleveland_museum/${stem}`);
  const cc0 = isCc0(index);
  return {
    id: 90_000 + index,
    accession_number: accession,
    share_license_status: cc0 ? 'CC0' : 'Copyrighted',
    tombstone: `${person.name}. ${capitalise(query)} ${index + 1}, ${1850 + index}. Oil on canvas. The Cleveland Museum of Art.`,
    current_location: null,
    title: `${capitalise(query || 'untitled')} ${index + 1}`,
    creation_date: String(1850 + index),
    creators: index % 6 === 5 ? [] : [{ id: 5000 + index, description: `${person.name} (American, 1820–1900)`, role: 'artist', qualifier: null, birth_year: '1820', death_year: '1900' }],
    type: 'Painting',
    technique: 'oil on canvas',
    department: 'American Painting and Sculpture',
    collection: 'American - Painting',
    culture: ['America, 19th century'],
    creditline: 'Gift of a simulated donor',
    copyright: cc0 ? null : `© ${person.name}`,
    url: `${origin}/art/${accession}`,
    updated_at: '2026-11-20 09:14:05.581000',
    citations: [],
    exhibitions: { current: [], legacy: [] },
    provenance: [],
    images: hasImage(index) ? images(deps, origin, stem, index) : null,
  };
}

/** The print and web renditions (print missing, `{}`, for every seventh), sizes as strings. */
function images(deps: RouteDeps, origin: string, stem: string, index: number): Record<string, unknown> {
  const entry = (rendition: string): Record<string, string> => {
    const key = `cleveland_museum/${stem}-${rendition}`;
    const { width, height } = deps.media.imageDimensions(key);
    return { url: `${origin}/media/${key}.png`, width: String(width), height: String(height), filesize: String(deps.media.image(key).length), filename: `${stem}-${rendition}.png` };
  };
  return {
    web: entry('web'),
    print: index % 7 === 3 ? {} : entry('print'),
    full: { url: `${origin}/media/cleveland_museum/${stem}-full.tif`, width: '9000', height: '7000', filesize: '189000000', filename: `${stem}-full.tif` },
  };
}

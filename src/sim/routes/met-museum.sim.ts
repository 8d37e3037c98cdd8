/**
 * The Met Collection API, as SOURCES.md §11 describes it: `GET /public/collection/v1.1/search?q=
 * &hasImages=&offset=&limit=` (1–500, the first 10,000 ids only) answering `{ total, objectIDs }`
 * with `objectIDs: null` for no match and past the last id, and `GET /public/collection/v1/objects/
 * {id}` answering one record. As for real, a quarter of the works are in copyright: the search
 * still lists them, their record says `isPublicDomain: false` and has no image. One id in ten
 * answers 404 "Not a valid object" (a withdrawn record). The retired v1 search answers 404.
 * Images: `/media/met_museum/CRDImages/<dept>/original/DT<id>.png` (and `/web-large/`).
 */
import { capitalise, indexes, intParam, itemId, personFor, resultCount } from '../catalogue.js';
import { jsonPayload, type Payload } from '../payload.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const SEARCH_PATH = '/public/collection/v1.1/search';
const OBJECT_PATH = /^\/public\/collection\/v1\/objects\/([^/]+)$/;
const MAX_LIMIT = 500;
const MAX_WINDOW = 10_000;
/** `itemId` puts the result's index below this, and the query's block above it. */
const INDEX_SPAN = 1_000_000;
const DEPARTMENTS = [
  { code: 'ep', name: 'European Paintings', classification: 'Paintings', medium: 'Oil on canvas' },
  { code: 'as', name: 'Asian Art', classification: 'Prints', medium: 'Woodblock print; ink and color on paper' },
  { code: 'dp', name: 'Drawings and Prints', classification: 'Drawings', medium: 'Pen and brown ink' },
  { code: 'ad', name: 'The American Wing', classification: 'Paintings', medium: 'Watercolor on paper' },
] as const;
const OBJECT_NAMES = ['landscape', 'portrait', 'still life', 'study of a river', 'view of a harbor', 'garden scene'];

/** The Met's collection search and object records. */
export const metMuseumRoute: RouteModule = { source: 'met_museum', create };

function create(deps: RouteDeps): SourceRoute {
  return {
    source: 'met_museum',
    env: {},
    matches: (url) => url.pathname.startsWith('/public/collection/'),
    handle: (request) => answer(deps, request),
  };
}

function answer(deps: RouteDeps, request: RouteRequest): Payload {
  const { pathname } = request.url;
  if (pathname === SEARCH_PATH) return searchAnswer(deps, request);
  const object = OBJECT_PATH.exec(pathname);
  if (object === null) return jsonPayload(404, { message: 'Not Found' });
  const raw = decodeURIComponent(object[1] ?? '');
  if (!/^\d+$/.test(raw)) return jsonPayload(400, { message: 'could not parse objectID' });
  const id = Number(raw);
  const index = id % INDEX_SPAN;
  if (id < INDEX_SPAN || index >= deps.settings.itemsPerQuery) return jsonPayload(404, { message: 'ObjectID not found' });
  if (index % 10 === 7) return jsonPayload(404, { message: 'Not a valid object' });
  return jsonPayload(200, objectRecord(request.origin, id, index));
}

function searchAnswer(deps: RouteDeps, request: RouteRequest): Payload {
  const query = request.url.searchParams.get('q') ?? '';
  const offset = intParam(request.url, 'offset', 0);
  const limit = intParam(request.url, 'limit', MAX_LIMIT);
  if (offset < 0 || limit < 1 || limit > MAX_LIMIT) return jsonPayload(400, { message: `offset must be 0 or more and limit 1–${MAX_LIMIT}` });
  if (offset + limit > MAX_WINDOW) return jsonPayload(400, { message: `only the first ${MAX_WINDOW} results can be paged` });
  const total = query.trim() === '' ? 0 : resultCount(query, deps.settings.itemsPerQuery);
  const ids = indexes(Math.min(offset, total), Math.min(offset + limit, total)).map((i) => itemId('met_museum', query, i));
  // No match and a page past the last id both say null, not [].
  return jsonPayload(200, { total, objectIDs: ids.length === 0 ? null : ids });
}

/** One record; no pixel size anywhere, as in the real API (the file has its own). */
function objectRecord(origin: string, id: number, index: number): Record<string, unknown> {
  const department = DEPARTMENTS[index % DEPARTMENTS.length] ?? DEPARTMENTS[0];
  const free = index % 4 !== 2;
  const key = `met_museum/CRDImages/${department.code}/original/DT${id}`;
  const image = (size: string): string => `${origin}/media/${key.replace('/original/', `/${size}/`)}.png`;
  const name = OBJECT_NAMES[index % OBJECT_NAMES.length] ?? 'landscape';
  return {
    objectID: id,
    isHighlight: index === 0,
    accessionNumber: `${1900 + (index % 120)}.${index + 1}`,
    isPublicDomain: free,
    primaryImage: free ? image('original') : '',
    primaryImageSmall: free ? image('web-large') : '',
    additionalImages: free && index % 3 === 0 ? [`${origin}/media/${key}-2.png`] : [],
    ...credits(id, index),
    department: department.name,
    objectName: capitalise(name),
    title: `${capitalise(name)} ${index + 1}`,
    objectDate: `ca. ${1850 + index}`,
    objectBeginDate: 1845 + index,
    objectEndDate: 1855 + index,
    medium: department.medium,
    dimensions: `${30 + index} x ${40 + index} cm\r\nFramed: ${40 + index} x ${50 + index} cm`,
    // The 2020 schema has no measurements; later records list them in cm.
    ...(index % 5 === 1 ? {} : { measurements: [{ elementName: 'Overall', elementDescription: null, elementMeasurements: { Height: 30 + index, Width: 40 + index } }] }),
    creditLine: 'Bequest of a simulated benefactor, 1929',
    classification: department.classification,
    rightsAndReproduction: free ? '' : `© ${personFor(`met_museum/${id}`).name} Foundation`,
    tags: index % 2 === 0 ? [{ term: capitalise(name), AAT_URL: null, Wikidata_URL: null }] : null,
    objectURL: `${origin}/art/collection/search/${id}`,
    objectWikidata_URL: '',
    GalleryNumber: index % 3 === 0 ? String(800 + index) : '',
    metadataDate: '2026-11-20T04:52:14.1Z',
    repository: 'Metropolitan Museum of Art, New York, NY',
    isTimelineWork: false,
  };
}

/** Who made it, with the gaps real records have: no named artist, credited by constituents or culture only. */
function credits(id: number, index: number): Record<string, unknown> {
  const person = personFor(`met_museum/${id}`);
  const constituent = { constituentID: 160_000 + index, role: 'Artist', name: person.name, constituentULAN_URL: '', constituentWikidata_URL: '', gender: '' };
  if (index % 5 === 3) return { artistDisplayName: '', artistDisplayBio: '', constituents: null, culture: 'Japan' };
  if (index % 5 === 4) return { artistDisplayName: '', artistDisplayBio: '', constituents: [constituent], culture: '' };
  return { artistDisplayName: person.name, artistDisplayBio: `American, ${1820 + index}–${1890 + index}`, constituents: [constituent], culture: '' };
}

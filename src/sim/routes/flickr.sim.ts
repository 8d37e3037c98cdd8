/**
 * Flickr, as SOURCES.md §14 describes it: `GET /services/rest/?method=flickr.photos.search`, the key
 * in `api_key`, errors as HTTP 200 with `{"stat":"fail","code":…}` (100 for a bad key, 3 for a search
 * without text), JSONP unless `nojsoncallback=1`, `license=` restricting the licence ids, only the
 * `extras` asked for, `total` and the size strings as real answers send them, `per_page` ≤ 500.
 * Files: `/media/flickr/<stem>-<n>.png` (the largest size), `/media/flickr/<stem>-<n>-m.png` (url_m).
 */
import { capitalise, indexes, intParam, itemId, pageRange, personFor, queryStem, resultCount } from '../catalogue.js';
import { jsonPayload, type Payload, textPayload } from '../payload.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const PATHS = new Set(['/services/rest/', '/services/rest']);
/** The key the simulator accepts (printed by `trawl sim`). */
const SIM_FLICKR_KEY = 'sim-flickr-key';
const DEFAULT_PER_PAGE = 100;
const MAX_PER_PAGE = 500;
/** Licence ids the catalogue's photos carry in turn, closed ones (0, 7) among them as on Flickr. */
const LICENSE_CYCLE = ['4', '0', '9', '5', '7', '10', '11', '2', '12', '1'];

/** The Flickr REST API's photo search. */
export const flickrRoute: RouteModule = { source: 'flickr', create };

function create(deps: RouteDeps): SourceRoute {
  return {
    source: 'flickr',
    env: { FLICKR_API_KEY: SIM_FLICKR_KEY },
    matches: (url) => PATHS.has(url.pathname),
    handle: (request) => answer(request, rest(deps, request.url, request.origin)),
  };
}

/** JSON with `nojsoncallback=1`, else the JSONP Flickr wraps answers in. */
function answer(request: RouteRequest, body: Record<string, unknown>): Payload {
  const params = request.url.searchParams;
  if (params.get('nojsoncallback') === '1') return jsonPayload(200, body);
  return textPayload(200, `jsonFlickrApi(${JSON.stringify(body)})`, 'text/javascript; charset=utf-8');
}

function rest(deps: RouteDeps, url: URL, origin: string): Record<string, unknown> {
  const params = url.searchParams;
  if (params.get('api_key') !== SIM_FLICKR_KEY) return fail(100, 'Invalid API Key (Key has invalid format)');
  const method = params.get('method') ?? '';
  if (method !== 'flickr.photos.search') return fail(112, `Method "${method}" not found`);
  const text = params.get('text') ?? '';
  if (text.trim() === '') return fail(3, 'Parameterless searches have been disabled. Please use flickr.photos.getRecent instead.');
  const allowed = params.get('license')?.split(',') ?? null;
  const extras = new Set((params.get('extras') ?? '').split(','));
  // The photos under the asked-for licences, numbered as the catalogue numbers them.
  const matching = indexes(0, resultCount(text, deps.settings.itemsPerQuery)).filter((i) => allowed === null || allowed.includes(licenseOf(i)));
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, intParam(url, 'per_page', DEFAULT_PER_PAGE)));
  const page = Math.max(1, intParam(url, 'page', 1));
  const { start, end } = pageRange(page, perPage, matching.length);
  const photo = matching.slice(start, end).map((i) => photoOf(deps, origin, text, i, extras));
  return { photos: { page, pages: Math.ceil(matching.length / perPage), perpage: perPage, total: String(matching.length), photo }, stat: 'ok' };
}

function fail(code: number, message: string): Record<string, unknown> {
  return { stat: 'fail', code, message };
}

function licenseOf(index: number): string {
  return LICENSE_CYCLE[index % LICENSE_CYCLE.length] ?? '0';
}

function photoOf(deps: RouteDeps, origin: string, query: string, index: number, extras: ReadonlySet<string>): Record<string, unknown> {
  const id = String(itemId('flickr', query, index));
  const key = `flickr/${queryStem(query)}-${index + 1}`;
  const person = personFor(key);
  const owner = `${10_000_000 + person.id}@N0${index % 9}`;
  const large = deps.media.imageDimensions(key);
  const medium = deps.media.imageDimensions(`${key}-m`);
  // Only some owners allow originals; the others' largest size is `l`.
  const largest = index % 3 === 0 ? 'o' : 'l';
  const sizes: Record<string, unknown> = {
    [`url_${largest}`]: `${origin}/media/${key}.png`,
    [`height_${largest}`]: large.height,
    [`width_${largest}`]: large.width,
    url_m: `${origin}/media/${key}-m.png`,
    height_m: medium.height,
    width_m: medium.width,
  };
  const photo: Record<string, unknown> = {
    id,
    owner,
    secret: id.slice(-10).padStart(10, 'a'),
    server: String(65_535 - (index % 100)),
    farm: 66,
    title: index % 7 === 4 ? '' : `${capitalise(query)} ${index + 1}`,
    ispublic: 1,
    isfriend: 0,
    isfamily: 0,
  };
  if (extras.has('license')) photo.license = licenseOf(index);
  if (extras.has('owner_name')) photo.ownername = person.name;
  if (extras.has('path_alias')) photo.pathalias = index % 2 === 0 ? person.handle.replace(/\./g, '') : null;
  if (extras.has('o_dims') && largest === 'o') Object.assign(photo, { o_width: String(large.width), o_height: String(large.height) });
  for (const [name, value] of Object.entries(sizes)) {
    const suffix = name.slice(name.indexOf('_') + 1);
    if (extras.has(`url_${suffix}`)) photo[name] = value;
  }
  return photo;
}

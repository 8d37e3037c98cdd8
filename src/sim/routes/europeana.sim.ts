/**
 * Europeana, as SOURCES.md §15 describes it: `GET /record/v2/search.json`, the key in `wskey` or the
 * `X-Api-Key` header (none: HTTP 400 "400-AM"; unknown: 401 "401-AR"), `rows` default 12 and at most
 * 100, `cursor=*` then the answer's `nextCursor` (absent on the last page), every item field a list,
 * `reusability=open` keeping only open rights, and the key echoed in `apikey`, `link` and `guid`.
 * Files: `/media/europeana/<stem>-<n>.png` (edmIsShownBy).
 */
import { capitalise, indexes, intParam, itemId, personFor, queryStem, resultCount } from '../catalogue.js';
import { jsonPayload, type Payload } from '../payload.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const PATHS = new Set(['/record/v2/search.json']);
/** The key the simulator accepts (printed by `trawl sim`). */
const SIM_EUROPEANA_KEY = 'sim-europeana-key';
const DEFAULT_ROWS = 12;
const MAX_ROWS = 100;
/** Rights the catalogue's items carry in turn; `open` marks what `reusability=open` keeps. */
const RIGHTS = [
  { url: 'http://creativecommons.org/publicdomain/mark/1.0/', open: true },
  { url: 'http://rightsstatements.org/vocab/InC/1.0/', open: false },
  { url: 'http://creativecommons.org/publicdomain/zero/1.0/', open: true },
  { url: 'http://creativecommons.org/licenses/by/4.0/', open: true },
  { url: 'http://creativecommons.org/licenses/by-nc-sa/4.0/', open: false },
  { url: 'http://creativecommons.org/licenses/by-sa/3.0/', open: true },
] as const;

/** The Europeana Search API. */
export const europeanaRoute: RouteModule = { source: 'europeana', create };

function create(deps: RouteDeps): SourceRoute {
  return {
    source: 'europeana',
    env: { EUROPEANA_API_KEY: SIM_EUROPEANA_KEY },
    matches: (url) => PATHS.has(url.pathname),
    handle: (request) => answer(deps, request),
  };
}

function answer(deps: RouteDeps, request: RouteRequest): Payload {
  const params = request.url.searchParams;
  const key = params.get('wskey') ?? headerValue(request.headers['x-api-key']);
  if (key === null || key === '') return jsonPayload(400, { success: false, error: 'No API key provided', code: '400-AM' });
  if (key !== SIM_EUROPEANA_KEY) return jsonPayload(401, { apikey: key, success: false, error: 'API key is not registered', code: '401-AR' });
  const query = params.get('query') ?? '';
  if (query.trim() === '') return jsonPayload(400, { apikey: key, success: false, error: 'Invalid query parameter', code: '400-QE' });
  const open = params.get('reusability') === 'open';
  const matching = indexes(0, resultCount(query, deps.settings.itemsPerQuery)).filter((i) => !open || rightsOf(i).open);
  const rows = Math.min(MAX_ROWS, Math.max(0, intParam(request.url, 'rows', DEFAULT_ROWS)));
  const start = cursorOffset(params.get('cursor'));
  const items = matching.slice(start, start + rows).map((i, k) => item(request.origin, query, i, start + k + 1));
  const next = start + rows < matching.length ? { nextCursor: Buffer.from(`sim:${start + rows}`).toString('base64url') } : {};
  return jsonPayload(200, { apikey: key, success: true, requestNumber: 999, itemsCount: items.length, totalResults: matching.length, ...next, items });
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Where a cursor continues: `*` (or none) is the start; others are the simulator's own opaque tokens. */
function cursorOffset(cursor: string | null): number {
  if (cursor === null || cursor === '*') return 0;
  const match = /^sim:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match === null ? 0 : Number(match[1]);
}

function rightsOf(index: number): (typeof RIGHTS)[number] {
  return RIGHTS[index % RIGHTS.length] ?? RIGHTS[0];
}

function item(origin: string, query: string, index: number, rank: number): Record<string, unknown> {
  const id = `/9200${(index % 9) + 1}/${itemId('europeana', query, index)}`;
  const key = `europeana/${queryStem(query)}-${index + 1}`;
  const person = personFor(key);
  const title = `${capitalise(query)} ${index + 1}`;
  // Creators as providers record them: a name, an entity URI (with a readable label beside it), or none.
  const creator = index % 3 === 0 ? { dcCreator: [person.name] } : index % 3 === 1 ? { dcCreator: [`http://data.europeana.eu/agent/${10_000 + index}`], edmAgentLabel: [{ def: person.name }] } : {};
  return {
    completeness: 10,
    country: ['Europe'],
    dataProvider: ['Simulated Museum of Art'],
    provider: ['Simulated Aggregator'],
    ...creator,
    edmIsShownBy: [`${origin}/media/${key}.png`],
    edmIsShownAt: [`${origin}/collection/object/${index + 1}`],
    edmPreview: [`${origin}/thumbnail/v2/url.json?uri=${encodeURIComponent(`${origin}/media/${key}.png`)}&type=IMAGE`],
    guid: `${origin}/item${id}?utm_source=api&utm_medium=api&utm_campaign=${SIM_EUROPEANA_KEY}`,
    id,
    index: rank,
    language: ['en'],
    link: `${origin}/record/v2${id}.json?wskey=${SIM_EUROPEANA_KEY}`,
    rights: [rightsOf(index).url],
    score: 1 / rank,
    title: [title],
    dcTitleLangAware: { def: [title] },
    type: 'IMAGE',
    year: [String(1800 + (index % 200))],
  };
}

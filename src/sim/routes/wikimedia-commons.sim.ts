/**
 * Wikimedia Commons' Action API, as SOURCES.md §5 describes it: `GET /w/api.php?action=query&
 * generator=search&gsrsearch=…&prop=imageinfo|videoinfo`, paged by `continue.gsroffset`, shaped by
 * `formatversion` (2: pages array, `batchcomplete: true`; 1, the default: pages keyed by pageid,
 * `batchcomplete: ""`). Generic User-Agents get a 403 HTML page, as from the real service.
 */
import { intParam, resultCount } from '../catalogue.js';
import { jsonPayload, type Payload, textPayload } from '../payload.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';
import { type FileQuery, filePage, missingPage } from './wikimedia-commons.files.js';

const PATH = '/w/api.php';
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 500;
const GENERIC_AGENT = /^\s*(node|undici|python-requests|axios|curl)\b/i;
const DEFAULT_INFO_PROPS = 'timestamp|user';

const FORBIDDEN_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Wikimedia Error</title></head>
<body><h1>Error</h1><p>Please set a user-agent and respect our robot policy (User-Agent policy on Meta-Wiki): identify your tool and how to reach you.</p></body></html>
`;

/** The Commons file search (MediaWiki Action API). */
export const wikimediaCommonsRoute: RouteModule = { source: 'wikimedia_commons', create };

function create(deps: RouteDeps): SourceRoute {
  return {
    source: 'wikimedia_commons',
    env: {},
    matches: (url) => url.pathname === PATH,
    handle: (request) => answer(deps, request),
  };
}

function answer(deps: RouteDeps, request: RouteRequest): Payload {
  const agent = request.headers['user-agent'] ?? '';
  if (agent.trim() === '' || GENERIC_AGENT.test(agent)) return textPayload(403, FORBIDDEN_HTML, 'text/html; charset=utf-8');
  const params = request.url.searchParams;
  const version = params.get('formatversion') === '2' || params.get('formatversion') === 'latest' ? 2 : 1;
  const problem = unsupported(params);
  if (problem !== null) return jsonPayload(200, { error: problem, servedby: 'sim' }, { 'mediawiki-api-error': problem.code });
  const q = fileQuery(params);
  const limit = params.get('gsrlimit') === 'max' ? MAX_LIMIT : Math.min(MAX_LIMIT, Math.max(1, intParam(request.url, 'gsrlimit', DEFAULT_LIMIT)));
  const offset = Math.max(0, intParam(request.url, 'gsroffset', 0));
  const total = resultCount(q.words, deps.settings.itemsPerQuery);
  const end = Math.min(total, offset + limit);
  const pages: Record<string, unknown>[] = [];
  for (let i = offset; i < end; i++) pages.push(filePage(deps.media, request.origin, q, i));
  // One deleted file among the first hits: clients must survive a page with nothing in it.
  if (offset === 0 && pages.length > 0) pages.splice(1, 0, missingPage(q.words, pages.length + 1));
  const body: Record<string, unknown> = { batchcomplete: true };
  if (end < total) body.continue = { gsroffset: end, continue: 'gsroffset||' };
  if (pages.length > 0) body.query = { pages };
  return jsonPayload(200, version === 2 ? body : toFormatVersion1(body));
}

/** An API error for requests this simulator does not model (the real API answers them with 200 + `error`). */
function unsupported(params: URLSearchParams): { code: string; info: string } | null {
  if (params.get('format') !== 'json') return { code: 'badvalue', info: 'The simulator answers format=json only.' };
  if (params.get('action') !== 'query' || params.get('generator') !== 'search') {
    return { code: 'badvalue', info: 'The simulator answers action=query&generator=search only.' };
  }
  if ((params.get('gsrsearch') ?? '').trim() === '') return { code: 'missingparam', info: 'The "gsrsearch" parameter must be set.' };
  return null;
}

function fileQuery(params: URLSearchParams): FileQuery {
  const search = params.get('gsrsearch') ?? '';
  const list = (name: string, fallback: string | null = null): Set<string> | null => {
    const raw = params.get(name) ?? fallback;
    return raw === null ? null : new Set(raw.split('|').map((v) => v.trim()).filter(Boolean));
  };
  const width = Number(params.get('iiurlwidth') ?? params.get('viurlwidth') ?? NaN);
  return {
    kind: /\b(filetype:video|filemime:video\/)/i.test(search) ? 'video' : 'bitmap',
    // Search keywords narrow the results on the real service; here they are not words of the query.
    words: search.replace(/\b(filetype|filemime|filew|fileh|filewidth|fileheight):\S+/gi, ' ').replace(/\s+/g, ' ').trim(),
    props: new Set([...(list('prop') ?? [])].map((p) => p.toLowerCase())),
    imageProps: list('iiprop', DEFAULT_INFO_PROPS) ?? new Set(),
    videoProps: list('viprop', DEFAULT_INFO_PROPS) ?? new Set(),
    imageMetaFilter: list('iiextmetadatafilter'),
    videoMetaFilter: list('viextmetadatafilter'),
    thumbWidth: Number.isInteger(width) && width > 0 ? width : null,
  };
}

/**
 * formatversion=1: `query.pages` becomes an object keyed by pageid (missing pages get negative
 * keys), `true` becomes `""` and `false` disappears — the legacy shape clients must still read.
 */
function toFormatVersion1(body: Record<string, unknown>): unknown {
  const query = body.query as { pages: Record<string, unknown>[] } | undefined;
  if (query === undefined) return legacyBooleans(body);
  let missing = 0;
  const keyed = Object.fromEntries(query.pages.map((page) => [typeof page.pageid === 'number' ? String(page.pageid) : String(--missing), page]));
  return legacyBooleans({ ...body, query: { pages: keyed } });
}

function legacyBooleans(value: unknown): unknown {
  if (value === true) return '';
  if (Array.isArray(value)) return value.map(legacyBooleans);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== false).map(([k, v]) => [k, legacyBooleans(v)]));
}

/**
 * DuckDuckGo Images, scraped (SOURCES.md §9): the search page hands out a per-query `vqd` token,
 * then `/i.js` answers JSON pages of ~100 results for that token, each naming the `next` one.
 * `/i.js` refuses requests without the token and a DuckDuckGo `Referer`, and answers a client it
 * has had enough of with 202/403/418/429: those are TRAWL_RATE_LIMITED, never a format error.
 */
import type { Candidate, Filters, Orientation } from '../domain.js';
import type { ApiResponse } from '../net/http.js';
import { apiUrl } from './api-url.js';
import { filtersOf } from './filter-params.js';
import { asRecord, dimension, httpUrl, type JsonRecord, parserOutdated, records, str } from './parse.js';
import { SCRAPER_PAGE_DELAY, SCRAPER_REFUSALS, type SourceRequests, sourceRequests } from './source-request.js';
import { apiOrigin, type PageDelay, type Pushdown, type SearchRequest, type Source, type SourceContext } from './source.js';

const RESULTS_PATH = '/i.js';
/** DuckDuckGo stops handing out `next` after a few pages; this bounds a service that never does. */
const MAX_PAGES = 20;
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language': 'en-US,en;q=0.9',
};
/**
 * Where the token sits in the search page, in the order duckduckgo_search `_extract_vqd` tries
 * them (`vqd="…"`, `vqd=…&`, `vqd='…'`), then the JSON form imagedl reads.
 */
const VQD_PATTERNS: readonly RegExp[] = [/vqd="([^"]+)"/, /vqd=([^&"'\s<>]+)&/, /vqd='([^']+)'/, /"vqd"\s*:\s*"([^"]+)"/];
const TOKEN = /^[\w.-]{1,200}$/;
/** DuckDuckGo's bot check ("anomaly" modal, captcha) instead of a search page or JSON. */
const CHALLENGE = /anomaly-modal|anomaly\.js|challenge-form|captcha|bots use DuckDuckGo too/i;

/** `layout` in the `f` filter slots. */
const LAYOUTS: Readonly<Record<Orientation, string>> = { landscape: 'Wide', portrait: 'Tall', square: 'Square' };
/** DuckDuckGo's images come from Bing, whose "Large" is 500 × 500 pixels or larger. */
const LARGE = 500;

const PUSHDOWN: readonly Pushdown[] = [
  { filter: 'minWidth', sends: 'f=…,size:Large,… when both minimums are at least 500 (Large: 500 × 500 or larger)', precision: 'coarse' },
  { filter: 'minHeight', sends: 'f=…,size:Large,… (with min width, as above)', precision: 'coarse' },
  { filter: 'orientation', sends: 'f=…,layout:Wide|Tall|Square,…', precision: 'approximate' },
  { filter: 'safeSearch', sends: 'p=1 | p=-2 on /i.js, kp=1 | kp=-2 on the search page', precision: 'exact' },
];

/** Options for {@link createDuckDuckGoImagesSource}. */
export interface DuckDuckGoImagesOptions {
  /** The pause between two requests of a search (default {@link SCRAPER_PAGE_DELAY}). */
  pageDelay?: PageDelay;
}

/** A DuckDuckGo Images source; the registry uses {@link duckduckgoImagesSource}, tests may shorten the pause. */
export function createDuckDuckGoImagesSource(options: DuckDuckGoImagesOptions = {}): Source {
  const source: Source = {
    id: 'duckduckgo_images',
    displayName: 'DuckDuckGo Images',
    kinds: ['image'],
    statesLicenses: false,
    pushdown: PUSHDOWN,
    requests: { pageDelay: options.pageDelay ?? SCRAPER_PAGE_DELAY, refusalStatuses: SCRAPER_REFUSALS, quotaHeaders: null, challenge: duckduckgoChallenge },
    licensePolicy: 'None stated: each image belongs to the site it was found on; check its source page before reuse.',
    defaultOrigin: 'https://duckduckgo.com',
    search: (request, context) => search(source, request, context),
  };
  return source;
}

/** DuckDuckGo Images (keyless, scraped; no licence information). */
export const duckduckgoImagesSource: Source = createDuckDuckGoImagesSource();

async function* search(source: Source, request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind !== 'image' || request.limit <= 0) return;
  const filters = filtersOf(request);
  const requests = sourceRequests(source, context);
  const origin = apiOrigin(source, context.config);
  const vqd = await fetchVqd(source, requests, request.query, filters, context);
  // What a browser on the search page sends; `/i.js` answers 403 without it.
  const headers = { Referer: `${origin}/`, Accept: '*/*' };
  const given = new Set<string>();
  const requested = new Set<string>();
  const first = { o: 'json', q: request.query, l: 'us-en', vqd, p: safeValue(filters), f: filterSlots(filters) };
  let url: string | null = apiUrl(source, context.config, RESULTS_PATH, first);
  for (let page = 0; url !== null && page < MAX_PAGES && given.size < request.limit && !requested.has(url); page++) {
    requested.add(url);
    const answer = await requests.text(url, headers);
    const body = readResultsPage(requests, answer);
    const results = records(body.results);
    if (results.length === 0) return;
    const fresh: Candidate[] = [];
    for (const candidate of results.map(toCandidate)) {
      if (candidate === null || given.has(candidate.url) || given.size >= request.limit) continue;
      given.add(candidate.url);
      fresh.push(candidate);
    }
    if (fresh.length > 0) yield fresh;
    url = nextPageUrl(body.next, origin, vqd);
  }
}

/** Safe search as DuckDuckGo spells it: 1 strict, -2 off (SearXNG's values). */
function safeValue(filters: Filters): number {
  return filters.safeSearch ? 1 : -2;
}

/** The `f` parameter: `time,size,color,type,layout,license`, empty slots kept (`f=,,,,,`). */
function filterSlots(filters: Filters): string {
  const large = filters.minWidth !== null && filters.minHeight !== null && filters.minWidth >= LARGE && filters.minHeight >= LARGE;
  const layout = filters.orientation === null ? '' : `layout:${LAYOUTS[filters.orientation]}`;
  return ['', large ? 'size:Large' : '', '', '', layout, ''].join(',');
}

/** DuckDuckGo's bot check ("anomaly" modal, captcha) instead of a search page or JSON, else null. */
function duckduckgoChallenge(page: string): string | null {
  return CHALLENGE.test(page) ? 'a bot-check page' : null;
}

/** The search page's `vqd` token: TRAWL_RATE_LIMITED on a bot check, TRAWL_PARSER_OUTDATED when it is simply not there. */
async function fetchVqd(source: Source, requests: SourceRequests, query: string, filters: Filters, context: SourceContext): Promise<string> {
  const url = apiUrl(source, context.config, '/', { q: query, iax: 'images', ia: 'images', kp: filters.safeSearch ? 1 : -2 });
  const page = await requests.text(url, PAGE_HEADERS);
  for (const pattern of VQD_PATTERNS) {
    const token = pattern.exec(page.data)?.[1];
    if (token !== undefined && TOKEN.test(token)) return token;
  }
  requests.rejectChallenge(page);
  throw parserOutdated('duckduckgo_images', 'search page (/?q=)', `vqd token (vqd="…", vqd=…& or vqd='…')`);
}

/** The `/i.js` answer as an object with `results[]`; a bot-check page is a refusal, anything else a format change. */
function readResultsPage(requests: SourceRequests, answer: ApiResponse<string>): JsonRecord {
  let value: unknown;
  try {
    value = JSON.parse(answer.data);
  } catch {
    requests.rejectChallenge(answer);
    throw parserOutdated('duckduckgo_images', RESULTS_PATH, 'JSON body (it is not JSON)');
  }
  const body = asRecord(value);
  if (body === undefined || !Array.isArray(body.results)) throw parserOutdated('duckduckgo_images', RESULTS_PATH, 'results[] array');
  return body;
}

/**
 * `next` (`i.js?q=…&s=100&…&vqd=…`, relative to the site root) as a URL on the same origin, with
 * the token added if the service left it out; null at the end or when `next` points elsewhere.
 */
function nextPageUrl(next: unknown, origin: string, vqd: string): string | null {
  const text = str(next);
  if (text === null) return null;
  let url: URL;
  try {
    url = new URL(text, `${origin}/`);
  } catch {
    return null;
  }
  if (url.origin !== new URL(origin).origin) return null;
  if (!url.searchParams.has('vqd')) url.searchParams.set('vqd', vqd);
  return url.href;
}

function toCandidate(result: JsonRecord): Candidate | null {
  const url = httpUrl(result.image);
  if (url === null) return null;
  return {
    source: 'duckduckgo_images',
    kind: 'image',
    url,
    pageUrl: httpUrl(result.url),
    title: str(result.title),
    author: null,
    authorUrl: null,
    license: null,
    licenseUrl: null,
    licenseCode: null,
    width: dimension(result.width),
    height: dimension(result.height),
  };
}

/**
 * DuckDuckGo Images, as SOURCES.md §9 describes it. `GET /?q=…` answers the search page with the
 * query's `vqd` token in one of the forms scrapers know (`vqd=…&` in the deep-answers URL,
 * `vqd="…"`, `vqd='…'`; which one depends on the query). `GET /i.js?o=json&q=…&l=…&vqd=…&p=…&f=…[&s=N]`
 * answers 100 results per page with a relative `next` URL (absent on the last page), and, like the
 * real service, 403 when the token is missing or not this query's, or the Referer is not the site's.
 */
import { capitalise, indexes, intParam, queryStem, resultCount, slugify } from '../catalogue.js';
import { escapeHtml, htmlPayload } from '../html-text.js';
import { jsonPayload, type Payload } from '../payload.js';
import { hashString, seededUint32 } from '../random.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const RESULTS_PATH = '/i.js';
const PAGE_SIZE = 100;
/** The real site: a Referer from it is accepted too (a client configured for the real service). */
const REAL_ORIGIN = 'https://duckduckgo.com';
const SITES = ['freepik', 'pixabay', 'wallpapers', 'petfinder', 'flickr'] as const;

/** DuckDuckGo's search page (for the token) and its image results JSON. */
export const duckduckgoImagesRoute: RouteModule = { source: 'duckduckgo_images', create };

function create(deps: RouteDeps): SourceRoute {
  return {
    source: 'duckduckgo_images',
    env: {},
    matches: (url) => (url.pathname === '/' && url.searchParams.has('q')) || url.pathname === RESULTS_PATH,
    handle: (request) => (request.url.pathname === RESULTS_PATH ? results(deps, request) : searchPage(request)),
  };
}

/** The per-query token: `4-` and 38 digits, stable for a query like the real one within a session. */
function vqdFor(query: string): string {
  const next = seededUint32(`ddg-vqd:${query.trim().toLowerCase()}`);
  const digits = Array.from({ length: 4 }, () => String(next()).padStart(10, '0')).join('');
  return `4-${digits.slice(0, 38)}`;
}

function searchPage(request: RouteRequest): Payload {
  const query = request.url.searchParams.get('q') ?? '';
  const vqd = vqdFor(query);
  const q = encodeURIComponent(query);
  const scripts = [
    `DDG.deep.initialize('/d.js?q=${q}&l=us-en&s=0&dl=en&ct=US&vqd=${vqd}&p_ent=&ex=-1&sp=0');`,
    `DDG.ready(function(){DDG.duckbar.future_signal_tab({signal:'medium',from:'images'});});var vqd="${vqd}";`,
    `window.vqd='${vqd}';DDG.page = new DDG.Pages.SERP({q: '${escapeHtml(query)}'});`,
  ];
  const script = scripts[hashString(query.trim().toLowerCase()) % scripts.length] ?? scripts[0];
  const html = [
    '<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8">',
    `<title>${escapeHtml(query)} at DuckDuckGo</title></head><body class="body--serp">`,
    `<form id="search_form" action="/"><input id="search_form_input" name="q" value="${escapeHtml(query)}"></form>`,
    `<div id="zero_click_wrapper"></div><script type="text/JavaScript">${script}</script>`,
    '</body></html>',
  ].join('\n');
  return htmlPayload(200, html);
}

function results(deps: RouteDeps, request: RouteRequest): Payload {
  const { url, origin } = request;
  const query = url.searchParams.get('q') ?? '';
  if (!refererAccepted(request.headers.referer, origin) || query.trim() === '' || url.searchParams.get('vqd') !== vqdFor(query)) {
    return htmlPayload(403, '<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>');
  }
  const total = resultCount(query, deps.settings.itemsPerQuery);
  const start = Math.max(0, intParam(url, 's', 0));
  const end = Math.min(total, start + PAGE_SIZE);
  const body: Record<string, unknown> = {
    ads: null,
    query,
    queryEncoded: encodeURIComponent(query),
    response_type: 'places',
    results: indexes(start, end).map((i) => result(deps, origin, query, i)),
    vqd: { [query]: vqdFor(query) },
  };
  if (end < total) body.next = nextUrl(url, query, end);
  return jsonPayload(200, body);
}

/** `i.js?q=…&o=json&p=…&s=…&u=bing&f=,,,,,&l=…&vqd=…`: relative, commas unencoded, as DuckDuckGo writes it. */
function nextUrl(url: URL, query: string, offset: number): string {
  const param = (name: string, fallback: string): string => encodeURIComponent(url.searchParams.get(name) ?? fallback).replace(/%2C/gi, ',');
  return `i.js?q=${encodeURIComponent(query)}&o=json&p=${param('p', '1')}&s=${offset}&u=bing&f=${param('f', ',,,,,')}&l=${param('l', 'us-en')}&vqd=${vqdFor(query)}`;
}

function refererAccepted(referer: string | undefined, origin: string): boolean {
  if (referer === undefined) return false;
  try {
    const from = new URL(referer).origin;
    return from === origin || from === REAL_ORIGIN;
  } catch {
    return false;
  }
}

function result(deps: RouteDeps, origin: string, query: string, index: number): Record<string, unknown> {
  const n = index + 1;
  const key = `duckduckgo_images/${queryStem(query)}-${n}`;
  const { width, height } = deps.media.imageDimensions(key);
  const site = SITES[hashString(key) % SITES.length] ?? SITES[0];
  const hex = (seed: string): string => Array.from({ length: 4 }, seededUint32(seed)).map((v) => v.toString(16).padStart(8, '0')).join('');
  return {
    height,
    width,
    image: `${origin}/media/${key}.png`,
    image_token: hex(`ddg-image:${key}`),
    thumbnail: `${origin}/media/${key}.png?thumb=1&pid=Api`,
    thumbnail_token: hex(`ddg-thumb:${key}`),
    source: 'Bing',
    title: `${capitalise(query)} ${index % 3 === 0 ? 'wallpaper' : 'photo'} ${n} | ${capitalise(site)}`,
    url: `${origin}/pages/${site}/${slugify(query)}-${n}.htm`,
  };
}

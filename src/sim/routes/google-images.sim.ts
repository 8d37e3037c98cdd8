/**
 * Google Images, as SOURCES.md §8 records the page maintained scrapers read today (format 3):
 * `GET /search?q=…&tbm=isch&udm=2[&start=N]` answers HTML whose script holds one array per result,
 * `{"444383007":[1,[0,"docid",["thumb",h,w],["full",h,w],…,{"2003":[null,"id","page URL","title",…]}]]}`
 * (sizes height first, URLs JS-escaped: `\u003d`, `\u0026`), plus the `data-docid`/`data-lpage`
 * tiles. 20 results per page, paged by `start`; past the last result the grid is empty. The query
 * "nothing" gets Google's "did not match any image results" page. No key, no rate-limit headers
 * (Google refuses with its /sorry/ captcha; the rate-limit fault stands in for it).
 */
import { capitalise, indexes, intParam, queryStem, resultCount, slugify } from '../catalogue.js';
import { escapeHtml, htmlPayload } from '../html-text.js';
import type { Payload } from '../payload.js';
import { hashString, seededUint32 } from '../random.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const PATH = '/search';
const PAGE_SIZE = 20;
const THUMB_HEIGHT = 180;
const SITES = [
  { name: 'Pet Hero', host: 'pethero' },
  { name: 'UniSQ', host: 'unisq' },
  { name: 'Scottish SPCA', host: 'scottishspca' },
  { name: 'Vets4Pets', host: 'vets4pets' },
  { name: 'Wikipedia', host: 'wikipedia' },
] as const;

/** Google's image search results page. */
export const googleImagesRoute: RouteModule = { source: 'google_images', create };

function create(deps: RouteDeps): SourceRoute {
  return {
    source: 'google_images',
    env: {},
    // NASA's search is also /search: Google's image requests are the ones asking for images.
    matches: (url) => url.pathname === PATH && (url.searchParams.get('tbm') === 'isch' || url.searchParams.get('udm') === '2'),
    handle: (request) => answer(deps, request),
  };
}

function answer(deps: RouteDeps, request: RouteRequest): Payload {
  const query = request.url.searchParams.get('q') ?? '';
  if (query.trim() === '') return htmlPayload(400, '<!DOCTYPE html><title>Error 400 (Bad Request)</title><p>Your client has issued a malformed or illegal request.</p>');
  const total = resultCount(query, deps.settings.itemsPerQuery);
  if (total === 0) return htmlPayload(200, page(query, '', noResultsNotice(query)));
  const start = Math.max(0, intParam(request.url, 'start', 0));
  const results = indexes(start, Math.min(total, start + PAGE_SIZE)).map((i) => result(deps, request.origin, query, i));
  const tiles = results.map(tile).join('\n');
  const data = `AF_initDataCallback({key: 'ds:1', hash: '2', data:[null,[${results.map((r) => jsEscape(JSON.stringify(r.entry))).join(',')}]], sideChannel: {}});`;
  return htmlPayload(200, page(query, `<div id="islrg" class="islrc">\n${tiles}\n</div>`, '', data));
}

interface Result {
  docId: string;
  thumb: string;
  pageUrl: string;
  title: string;
  /** `{"444383007":[1,[0,docid,thumb,full,…]]}` as Google nests it. */
  entry: unknown;
}

function result(deps: RouteDeps, origin: string, query: string, index: number): Result {
  const n = index + 1;
  const key = `google_images/${queryStem(query)}-${n}`;
  const { width, height } = deps.media.imageDimensions(key);
  const docId = token(`google-doc:${key}`, 14);
  const site = SITES[hashString(key) % SITES.length] ?? SITES[0];
  // Query strings on both URLs, so a client has to undo Google's \u003d and \u0026 escapes.
  const full = `${origin}/media/${key}.png?size=full&n=${n}`;
  const thumb = `${origin}/media/${key}.png?q=tbn:ANd9Gc${token(`google-tbn:${key}`, 20)}&usqp=CAU`;
  const pageUrl = `${origin}/pages/${site.host}/${slugify(query)}-${n}.html?ref=images&n=${n}`;
  // Every fourth title carries the characters Google escapes; every tenth is missing, as some are.
  const title = index % 10 === 6 ? '' : index % 4 === 1 ? `${capitalise(query)} & "friends" ${n} | ${site.name}` : `${capitalise(query)} picture ${n} | ${site.name}`;
  const thumbWidth = Math.max(1, Math.round((width * THUMB_HEIGHT) / height));
  const info = [null, docId, pageUrl, title, null, null, null, null, null, false, null, null, site.name, null, null, null, null, new URL(origin).host];
  const item = [0, docId, [thumb, THUMB_HEIGHT, thumbWidth], [full, height, width], null, 0, 'rgb(120,96,80)', null, false, { '2001': [null, null, null, 0, 0, 9, 3, false, false], '2003': info, '2008': [null, title.slice(0, 30)] }];
  const entry = { '444383007': [1, item, null, [THUMB_HEIGHT, thumbWidth, null, null, null, THUMB_HEIGHT, thumbWidth, 0], index, null, null, docId, 1] };
  return { docId, thumb, pageUrl, title, entry };
}

/** A tile of the grid as the page markup has it (what `[data-lpage][data-docid]` scrapers read). */
function tile(r: Result): string {
  return `<div jsname="dTDiAc" class="eA0Zlc" data-docid="${r.docId}" data-lpage="${escapeHtml(r.pageUrl)}"><img class="YQ4gaf" alt="${escapeHtml(r.title)}" src="${escapeHtml(r.thumb)}"></div>`;
}

function noResultsNotice(query: string): string {
  return `<div id="topstuff"><div class="card-section"><p>Your search - <b>${escapeHtml(query)}</b> - did not match any image results.</p><p>Suggestions:</p><ul><li>Make sure that all words are spelled correctly.</li></ul></div></div>`;
}

function page(query: string, grid: string, notice: string, data = ''): string {
  return [
    '<!doctype html><html itemscope="" itemtype="http://schema.org/SearchResultsPage" lang="en"><head><meta charset="UTF-8">',
    `<title>${escapeHtml(query)} - Google Search</title></head><body jsmodel="hspDDf">`,
    `<div id="rcnt">${notice}${grid}</div>`,
    `<script nonce="sim">${data}</script>`,
    '</body></html>',
  ].join('\n');
}

/** JSON as Google prints it in scripts: `=`, `&`, `<` and `>` inside strings as \u escapes. */
function jsEscape(json: string): string {
  return json.replace(/[=&<>]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A stable id of `length` URL-safe characters. */
function token(seed: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const next = seededUint32(seed);
  return Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
}

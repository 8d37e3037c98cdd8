/**
 * Bing Images' scraping endpoint, as SOURCES.md §7 records it: `GET /images/async?q=&first=&count=`
 * answers an HTML fragment (`div.dgControl[data-nextUrl] > ul.dgControl_list > li > … a.iusc[m][href]`,
 * the `m` JSON HTML-escaped, the size in the link's `expw`/`exph` and in the `span.nowrap` info line,
 * the title in `div.infnmpt a` on newer pages). Keyless, no rate-limit headers; `first` is 1-based and
 * an empty body ends paging. Tiles vary the way real ones do: attribute order and quoting, links
 * without a size, `m` without a title, highlight marks in titles. Images: `/media/bing_images/<stem>-<n>.png`.
 */
import { capitalise, indexes, intParam, queryStem, resultCount } from '../catalogue.js';
import { textPayload, type Payload } from '../payload.js';
import { hashString } from '../random.js';
import type { RouteDeps, RouteModule, RouteRequest, SourceRoute } from './route.js';

const PATH = '/images/async';
const DEFAULT_COUNT = 35;
const MAX_COUNT = 150;
const HTML = 'text/html; charset=utf-8';

/** The Bing image search fragment endpoint. */
export const bingImagesRoute: RouteModule = { source: 'bing_images', create };

function create(deps: RouteDeps): SourceRoute {
  return {
    source: 'bing_images',
    env: {},
    matches: (url) => url.pathname === PATH,
    handle: (request) => answer(deps, request),
  };
}

function answer(deps: RouteDeps, request: RouteRequest): Payload {
  const query = request.url.searchParams.get('q') ?? '';
  const total = query.trim() === '' ? 0 : resultCount(query, deps.settings.itemsPerQuery);
  if (total === 0) return textPayload(200, noResults(query), HTML);
  const first = Math.max(1, intParam(request.url, 'first', 1));
  const count = Math.min(MAX_COUNT, Math.max(1, intParam(request.url, 'count', DEFAULT_COUNT)));
  const start = Math.min(total, first - 1);
  const end = Math.min(total, start + count);
  // Past the last result the endpoint sends nothing at all.
  if (start >= end) return textPayload(200, '', HTML);
  const tiles = indexes(start, end).map((i) => tile(deps, request.origin, query, i)).join('\n');
  const next = escapeAttribute(`${PATH}?q=${encodeURIComponent(query)}&first=${end + 1}&count=${count}&relp=${count}&mmasync=1`);
  return textPayload(
    200,
    `<div id="mmComponent_images_2" class="mmComponent_images"><div class="dg_b isvctrl"><div class="dgControl hover" data-nextUrl="${next}" data-row="${Math.floor(start / 5)}">` +
      `<ul class="dgControl_list">\n${tiles}\n</ul></div></div></div>\n<script>var _G={IG:"SIM",P:"images"};</script>`,
    HTML,
  );
}

function noResults(query: string): string {
  return `<div id="mmComponent_images_1" class="mmComponent_images"><div class="dg_b"><div class="dgControl"><ul class="dgControl_list"></ul></div>` +
    `<div class="b_no"><h1>There are no results for <strong>${escapeText(query)}</strong></h1><ul><li>Check your spelling or try different keywords</li></ul></div></div></div>`;
}

const escapeText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (text: string): string => escapeText(text).replace(/"/g, '&quot;');
const escapeSingleQuoted = (text: string): string => escapeText(text).replace(/'/g, '&#39;');

function tile(deps: RouteDeps, origin: string, query: string, index: number): string {
  const stem = queryStem(query);
  const key = `bing_images/${stem}-${index + 1}`;
  const { width, height } = deps.media.imageDimensions(key);
  const murl = `${origin}/media/${key}.png`;
  const turl = `${origin}/media/${key}-th.png?w=${Math.round(width / 4)}&h=${Math.round(height / 4)}&pid=15.1`;
  const purl = `${origin}/pages/${stem}/${index + 1}.html`;
  // Bing marks the query words in titles with U+E000 … U+E001; some titles carry an '&' and quotes.
  const title = index % 4 === 1 ? `\ue000${capitalise(query)}\ue001 & "friends" ${index + 1}` : `\ue000${capitalise(query)}\ue001 picture ${index + 1}`;
  const plainTitle = title.replace(/[\ue000\ue001]/g, '');
  const cid = (hashString(key) >>> 0).toString(16).padStart(8, '0');
  const meta: Record<string, unknown> = { sid: '', cturl: '', cid, purl, murl, turl, md5: `${cid}${cid}${cid}${cid}`, shkey: '', mid: cid.toUpperCase(), desc: `${plainTitle} (simulated)` };
  // Some tiles' `m` has no title: clients take it from the caption under the tile.
  if (index % 6 !== 4) meta.t = title;
  // Some links carry no size: clients take it from the info line.
  const size = index % 5 === 2 ? '' : `&exph=${height}&expw=${width}`;
  const href = `/images/search?view=detailV2&ccid=${cid}&id=${cid.toUpperCase()}&thid=OIP.${cid}&mediaurl=${encodeURIComponent(murl)}${size}&q=${encodeURIComponent(query)}&FORM=IRPRST&selectedIndex=${index}`;
  const mad = escapeAttribute(JSON.stringify({ turl, maw: String(Math.round(width / 4)), mah: String(Math.round(height / 4)), mid: meta.mid }));
  const json = JSON.stringify(meta);
  // Attribute order and quoting vary between Bing's page generations.
  const link =
    index % 7 === 3
      ? `<a href='${escapeSingleQuoted(href)}' h='ID=images.1_${index + 1}' class='iusc hv' m='${escapeSingleQuoted(json)}' style="height:185px;width:277px">`
      : `<a class="iusc" style="height:185px;width:277px" m="${escapeAttribute(json)}" mad="${mad}" href="${escapeAttribute(href)}" h="ID=images.1_${index + 1},5028.1">`;
  return (
    `<li data-idx="${index + 1}"><div class="iuscp isv" data-hovh="185"><div class="imgpt">${link}` +
    `<div class="img_cont hoff"><img class="mimg" height="185" width="277" src="${escapeAttribute(turl)}" alt="Image result for ${escapeAttribute(query)}" /></div></a>` +
    `<div class="img_info hon"><span class="nowrap">${width} x ${height} · png</span>` +
    `<div class="lnkw"><a target="_blank" aria-label="${escapeAttribute(plainTitle)}" href="${escapeAttribute(purl)}">127.0.0.1</a></div></div></div>` +
    `<div class="infopt"><div class="infnmpt"><div class="inflnk"><a title="${escapeAttribute(plainTitle)}" href="${escapeAttribute(purl)}">${escapeText(plainTitle)}</a></div></div></div></div></li>`
  );
}

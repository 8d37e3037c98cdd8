/**
 * Bing Images, scraped (no API): `GET /images/async?q=&first=&count=` returns result tiles whose
 * `a.iusc` links carry the image, its page and its title as JSON in the `m` attribute. Bing changes
 * its markup without notice and answers bots with challenges, so every page is checked for tiles,
 * a genuine "no results", or a bot check, and anything else is reported as an outdated parser.
 */
import type { Candidate } from '../domain.js';
import { isTrawlError, TrawlError } from '../errors.js';
import { sleep } from '../signal.js';
import type { ApiResponse } from '../net/http.js';
import { apiUrl } from './api-url.js';
import { type BingTile, isChallenge, isEmptyAnswer, readTiles } from './bing-images.markup.js';
import { dimension, httpUrl, parserOutdated, str } from './parse.js';
import { stripHtml } from './text.js';
import type { SearchRequest, Source, SourceContext } from './source.js';

const ENDPOINT = '/images/async';
/** Tiles asked for per page (what SearXNG asks for; Bing may send a different number). */
const PAGE_SIZE = 35;
/** Bing stops serving new results around the thousandth (icrawler caps there too). */
const MAX_FIRST = 1000;
/** Pause between page requests, so a scrape looks like a person scrolling, not a burst. */
const PAGE_DELAY_MS = { min: 300, max: 800 };
/** Statuses Bing (and scrapers' experience of it) use to turn bots away. */
const REFUSAL_STATUSES = new Set([202, 403, 418, 429]);
const HEADERS = { Accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8', 'Accept-Language': 'en-US,en;q=0.9' };
// Bing marks the query words in titles with private-use characters U+E000 / U+E001.
const HIGHLIGHT = /[\ue000\ue001]/g;

/** Bing image search (scraped); no key. */
export const bingImagesSource: Source = {
  id: 'bing_images',
  displayName: 'Bing Images',
  kinds: ['image'],
  statesLicenses: false,
  pushdown: [],
  licensePolicy: "Unknown: Bing does not say; each image belongs to its site's owner — check the source page before reuse.",
  defaultOrigin: 'https://www.bing.com',
  search,
};

async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind !== 'image' || request.limit <= 0) return;
  const given = new Set<string>();
  let remaining = request.limit;
  for (let first = 1; remaining > 0 && first <= MAX_FIRST; ) {
    if (first > 1) await sleep(PAGE_DELAY_MS.min + Math.random() * (PAGE_DELAY_MS.max - PAGE_DELAY_MS.min), context.signal);
    const url = apiUrl(bingImagesSource, context.config, ENDPOINT, { q: request.query, first, count: PAGE_SIZE });
    const tiles = pageTiles(await fetchPage(url, context));
    const readable = tiles.map(tileCandidate).filter((c): c is Candidate => c !== null);
    if (tiles.length > 0 && readable.length === 0) throw outdated('tiles whose m JSON has an http(s) murl');
    const fresh: Candidate[] = [];
    for (const candidate of readable) {
      if (fresh.length >= remaining) break;
      if (given.has(candidate.url)) continue;
      given.add(candidate.url);
      fresh.push(candidate);
    }
    // Past the end Bing repeats what it already sent: no new tile means no more results.
    if (fresh.length === 0) return;
    remaining -= fresh.length;
    yield fresh;
    first += tiles.length;
  }
}

function outdated(expected: string): TrawlError {
  return parserOutdated('bing_images', ENDPOINT, expected);
}

/** The page's tiles; none for a genuine empty answer; a bot check or unreadable markup throws. */
function pageTiles(response: ApiResponse<string>): BingTile[] {
  if (response.status === 202) throw rateLimited(202, null);
  const tiles = readTiles(response.data);
  if (tiles.length > 0 || isEmptyAnswer(response.data)) return tiles;
  if (isChallenge(response.data, response.url)) throw rateLimited(response.status, null);
  throw outdated('a.iusc result links with an m attribute (murl, purl, t)');
}

async function fetchPage(url: string, context: SourceContext): Promise<ApiResponse<string>> {
  try {
    return await context.http.getText(url, { signal: context.signal, headers: HEADERS });
  } catch (err) {
    if (!isTrawlError(err)) throw err;
    const status = typeof err.context.status === 'number' ? err.context.status : null;
    if (err.code === 'TRAWL_RATE_LIMITED' || (status !== null && REFUSAL_STATUSES.has(status))) throw rateLimited(status ?? 429, err);
    throw err;
  }
}

function rateLimited(status: number, cause: TrawlError | null): TrawlError {
  const answer = status === 200 ? 'a captcha page' : `HTTP ${status}`;
  return new TrawlError('TRAWL_RATE_LIMITED', `bing_images: the service is rate-limiting requests (${answer}); try again later or leave this source out`, {
    ...(cause === null ? {} : { cause }),
    context: { ...cause?.context, source: 'bing_images', status },
  });
}

function tileCandidate(tile: BingTile): Candidate | null {
  const url = httpUrl(tile.meta?.murl);
  if (tile.meta === null || url === null) return null;
  const size = linkSize(tile.href) ?? tile.infoSize;
  return {
    source: 'bing_images',
    kind: 'image',
    url,
    pageUrl: httpUrl(tile.meta.purl),
    title: cleanText(tile.meta.t) ?? tile.caption,
    author: null,
    authorUrl: null,
    license: null,
    licenseUrl: null,
    width: size?.width ?? null,
    height: size?.height ?? null,
  };
}

/** `expw`/`exph` from the tile's detail link (`/images/search?view=detailV2&…&exph=2972&expw=3442`). */
function linkSize(href: string | null): { width: number; height: number } | null {
  if (href === null) return null;
  let params: URLSearchParams;
  try {
    params = new URL(href, bingImagesSource.defaultOrigin).searchParams;
  } catch {
    return null;
  }
  const width = dimension(Number(params.get('expw')));
  const height = dimension(Number(params.get('exph')));
  return width !== null && height !== null ? { width, height } : null;
}

function cleanText(value: unknown): string | null {
  const text = str(value);
  return text === null ? null : str(stripHtml(text.replace(HIGHLIGHT, '')));
}

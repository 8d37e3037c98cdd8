/**
 * Bing Images, scraped (no API): `GET /images/async?q=&first=&count=` returns result tiles whose
 * `a.iusc` links carry the image, its page and its title as JSON in the `m` attribute. Bing changes
 * its markup without notice and answers bots with challenges, so every page is checked for tiles,
 * a genuine "no results", or a bot check, and anything else is reported as an outdated parser.
 */
import type { Candidate, Filters, Orientation } from '../domain.js';
import type { TrawlError } from '../errors.js';
import type { ApiResponse } from '../net/http.js';
import { apiUrl } from './api-url.js';
import { bingChallenge, type BingTile, isEmptyAnswer, readTiles } from './bing-images.markup.js';
import { filtersOf } from './filter-params.js';
import { dimension, httpUrl, parserOutdated, str } from './parse.js';
import { SCRAPER_PAGE_DELAY, SCRAPER_REFUSALS, type SourceRequests, sourceRequests } from './source-request.js';
import type { PageDelay, Pushdown, SearchRequest, Source, SourceContext } from './source.js';
import { stripHtml } from './text.js';

const ENDPOINT = '/images/async';
const ORIGIN = 'https://www.bing.com';
/** Tiles asked for per page (what SearXNG asks for; Bing may send a different number). */
const PAGE_SIZE = 35;
/** Bing stops serving new results around the thousandth (icrawler caps there too). */
const MAX_FIRST = 1000;
const HEADERS = { Accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8', 'Accept-Language': 'en-US,en;q=0.9' };
// Bing marks the query words in titles with private-use characters U+E000 / U+E001.
const HIGHLIGHT = /[\ue000\ue001]/g;
const ASPECTS: Readonly<Record<Orientation, string>> = { landscape: 'wide', portrait: 'tall', square: 'square' };

const PUSHDOWN: readonly Pushdown[] = [
  { filter: 'minWidth', sends: 'qft=+filterui:imagesize-custom_(W-1)_(H-1) (Bing keeps images larger than W × H)', precision: 'coarse' },
  { filter: 'minHeight', sends: 'qft=+filterui:imagesize-custom_(W-1)_(H-1) (with min width, as above)', precision: 'coarse' },
  { filter: 'orientation', sends: 'qft=+filterui:aspect-wide|tall|square', precision: 'approximate' },
  { filter: 'safeSearch', sends: 'adlt=strict | adlt=off', precision: 'exact' },
];

/** Options for {@link createBingImagesSource}. */
export interface BingImagesOptions {
  /** The pause between two result pages (default {@link SCRAPER_PAGE_DELAY}). */
  pageDelay?: PageDelay;
}

/** A Bing Images source; the registry uses {@link bingImagesSource}, tests may shorten the pause. */
export function createBingImagesSource(options: BingImagesOptions = {}): Source {
  const source: Source = {
    id: 'bing_images',
    displayName: 'Bing Images',
    kinds: ['image'],
    statesLicenses: false,
    pushdown: PUSHDOWN,
    requests: { pageDelay: options.pageDelay ?? SCRAPER_PAGE_DELAY, refusalStatuses: SCRAPER_REFUSALS, quotaHeaders: null, challenge: bingChallenge },
    licensePolicy: "Unknown: Bing does not say; each image belongs to its site's owner — check the source page before reuse.",
    defaultOrigin: ORIGIN,
    search: (request, context) => search(source, request, context),
  };
  return source;
}

/** Bing image search (scraped); no key. */
export const bingImagesSource: Source = createBingImagesSource();

async function* search(source: Source, request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind !== 'image' || request.limit <= 0) return;
  const requests = sourceRequests(source, context);
  const filterParams = bingFilterParams(filtersOf(request));
  const given = new Set<string>();
  let remaining = request.limit;
  for (let first = 1; remaining > 0 && first <= MAX_FIRST; ) {
    const url = apiUrl(source, context.config, ENDPOINT, { q: request.query, first, count: PAGE_SIZE, ...filterParams });
    const tiles = pageTiles(requests, await requests.text(url, HEADERS));
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

/**
 * `qft` (space-separated `filterui:` terms, as Bing's own links send them with `+`) and `adlt`.
 * Bing's custom size keeps images larger than the size given, so one pixel less is asked for.
 */
function bingFilterParams(filters: Filters): Record<string, string> {
  const terms: string[] = [];
  if (filters.minWidth !== null || filters.minHeight !== null) {
    const below = (min: number | null): number => Math.max(0, (min ?? 0) - 1);
    terms.push(`filterui:imagesize-custom_${below(filters.minWidth)}_${below(filters.minHeight)}`);
  }
  if (filters.orientation !== null) terms.push(`filterui:aspect-${ASPECTS[filters.orientation]}`);
  const qft = terms.map((term) => ` ${term}`).join('');
  return { ...(qft === '' ? {} : { qft }), adlt: filters.safeSearch ? 'strict' : 'off' };
}

function outdated(expected: string): TrawlError {
  return parserOutdated('bing_images', ENDPOINT, expected);
}

/** The page's tiles; none for a genuine empty answer; a bot check or unreadable markup throws. */
function pageTiles(requests: SourceRequests, response: ApiResponse<string>): BingTile[] {
  const tiles = readTiles(response.data);
  if (tiles.length > 0 || isEmptyAnswer(response.data)) return tiles;
  requests.rejectChallenge(response);
  throw outdated('a.iusc result links with an m attribute (murl, purl, t)');
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
    licenseCode: null,
    width: size?.width ?? null,
    height: size?.height ?? null,
  };
}

/** `expw`/`exph` from the tile's detail link (`/images/search?view=detailV2&…&exph=2972&expw=3442`). */
function linkSize(href: string | null): { width: number; height: number } | null {
  if (href === null) return null;
  let params: URLSearchParams;
  try {
    params = new URL(href, ORIGIN).searchParams;
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

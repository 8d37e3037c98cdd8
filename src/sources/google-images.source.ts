/**
 * Google Images, scraped (SOURCES.md §8; no public API). Requests the udm=2 image results page
 * (`/search?q=…&tbm=isch&udm=2`), the format maintained scrapers read today, and reads it with every
 * known format generation (google-images.formats.ts), so an older or newer page still parses.
 * A captcha, "unusual traffic" or consent page is a refusal (TRAWL_RATE_LIMITED); a page with
 * none of the known shapes is TRAWL_PARSER_OUTDATED, never an empty success.
 */
import type { Candidate, Filters, Orientation } from '../domain.js';
import type { ApiResponse } from '../net/http.js';
import { apiUrl } from './api-url.js';
import { filtersOf, minimumArea, safeBucket, type SizeBucket } from './filter-params.js';
import { type GoogleImage, googleChallenge, isNoResultsPage, KNOWN_FORMATS, parseGoogleImages } from './google-images.formats.js';
import { parserOutdated } from './parse.js';
import { SCRAPER_PAGE_DELAY, SCRAPER_REFUSALS, type SourceRequests, sourceRequests } from './source-request.js';
import type { PageDelay, Pushdown, SearchRequest, Source, SourceContext } from './source.js';

const ENDPOINT = '/search';
/** Google serves a few hundred images per query at most; past this many pages it repeats itself. */
const MAX_PAGES = 10;
/**
 * English, so "did not match any image results" can be recognised; the consent cookie SearXNG
 * sends, so EU visitors get results instead of the consent wall. The User-Agent stays Trawl's own.
 */
const HEADERS: Readonly<Record<string, string>> = {
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language': 'en-US,en;q=0.9',
  Cookie: 'CONSENT=YES+',
};

/**
 * Google's "larger than" sizes (`tbs=isz:lt,islt:…`), largest first, each with the most pixels it
 * could require (a megapixel read as 2^20 pixels), so the bucket chosen never leaves out a file
 * that meets both minimums.
 */
const SIZE_BUCKETS: readonly SizeBucket<string>[] = [
  ...[70, 40, 20, 15, 12, 10, 8, 6, 4, 2].map((mp) => ({ value: `${mp}mp`, pixels: mp * 2 ** 20 })),
  { value: 'xga', pixels: 1024 * 768 },
  { value: 'svga', pixels: 800 * 600 },
  { value: 'vga', pixels: 640 * 480 },
  { value: 'qsvga', pixels: 400 * 300 },
];
const ASPECTS: Readonly<Record<Orientation, string>> = { landscape: 'w', portrait: 't', square: 's' };

const PUSHDOWN: readonly Pushdown[] = [
  { filter: 'minWidth', sends: 'tbs=isz:lt,islt:SIZE — the largest "larger than" size below min width × min height (both must be set)', precision: 'coarse' },
  { filter: 'minHeight', sends: 'tbs=isz:lt,islt:SIZE (with min width, as above)', precision: 'coarse' },
  { filter: 'orientation', sends: 'tbs=iar:w|t|s (wide, tall, square)', precision: 'approximate' },
  { filter: 'safeSearch', sends: 'safe=active | safe=off', precision: 'exact' },
];

/** Options for {@link createGoogleImagesSource}. */
export interface GoogleImagesOptions {
  /** The pause between two result pages (default {@link SCRAPER_PAGE_DELAY}). */
  pageDelay?: PageDelay;
}

/** A Google Images source; the registry uses {@link googleImagesSource}, tests may shorten the pause. */
export function createGoogleImagesSource(options: GoogleImagesOptions = {}): Source {
  const source: Source = {
    id: 'google_images',
    displayName: 'Google Images',
    kinds: ['image'],
    statesLicenses: false,
    pushdown: PUSHDOWN,
    requests: { pageDelay: options.pageDelay ?? SCRAPER_PAGE_DELAY, refusalStatuses: SCRAPER_REFUSALS, quotaHeaders: null, challenge: googleChallenge },
    licensePolicy: 'None stated: each image belongs to the site Google found it on; check its source page before reuse.',
    defaultOrigin: 'https://www.google.com',
    search: (request, context) => search(source, request, context),
  };
  return source;
}

/** Google Images (keyless, scraped; no licence information). */
export const googleImagesSource: Source = createGoogleImagesSource();

/**
 * Pages by `start` (the offset of the next result), one polite pause between pages. Stops at
 * the limit, on a page with nothing new (Google repeats its last results past the end), or on
 * an empty page after the first.
 */
async function* search(source: Source, request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind !== 'image' || request.limit <= 0) return;
  const requests = sourceRequests(source, context);
  const filterParams = googleFilterParams(filtersOf(request));
  const given = new Set<string>();
  let offset = 0;
  for (let page = 0; page < MAX_PAGES && given.size < request.limit; page++) {
    const params = { q: request.query, tbm: 'isch', udm: 2, hl: 'en', ...filterParams, ...(offset > 0 ? { start: offset } : {}) };
    const answer = await requests.text(apiUrl(source, context.config, ENDPOINT, params), HEADERS);
    const images = parseGoogleImages(answer.data);
    if (images.length === 0) {
      endOfResults(requests, answer, page);
      return;
    }
    offset += images.length;
    const fresh = images.filter((image) => !given.has(image.url)).slice(0, request.limit - given.size);
    if (fresh.length === 0) return;
    for (const image of fresh) given.add(image.url);
    yield fresh.map(toCandidate);
  }
}

/** `tbs` (size, aspect) and `safe` for the job's filters. */
function googleFilterParams(filters: Filters): Record<string, string> {
  const tbs: string[] = [];
  const size = safeBucket(SIZE_BUCKETS, minimumArea(filters));
  if (size !== null) tbs.push('isz:lt', `islt:${size}`);
  if (filters.orientation !== null) tbs.push(`iar:${ASPECTS[filters.orientation]}`);
  return { ...(tbs.length > 0 ? { tbs: tbs.join(',') } : {}), safe: filters.safeSearch ? 'active' : 'off' };
}

/** Ends the search on a page without images, or throws when that page is a refusal or unreadable. */
function endOfResults(requests: SourceRequests, answer: ApiResponse<string>, page: number): void {
  requests.rejectChallenge(answer);
  // Past the first page an unreadable page is the end of the results, not a format change:
  // the first page, read in the same format, already proved the reader works.
  if (page === 0 && !isNoResultsPage(answer.data)) throw parserOutdated('google_images', ENDPOINT, KNOWN_FORMATS);
}

function toCandidate(image: GoogleImage): Candidate {
  return {
    source: 'google_images',
    kind: 'image',
    url: image.url,
    pageUrl: image.pageUrl,
    title: image.title,
    author: image.author,
    authorUrl: null,
    license: null,
    licenseUrl: null,
    licenseCode: null,
    width: image.width,
    height: image.height,
  };
}

/**
 * Google Images, scraped (SOURCES.md §8; no public API). Requests the udm=2 image results page
 * (`/search?q=…&tbm=isch&udm=2`), the format maintained scrapers read today, and reads it with every
 * known format generation (google-images.formats.ts), so an older or newer page still parses.
 * A captcha, "unusual traffic" or consent page is a refusal (TRAWL_RATE_LIMITED); a page with
 * none of the known shapes is TRAWL_PARSER_OUTDATED, never an empty success.
 */
import type { Candidate } from '../domain.js';
import { apiUrl } from './api-url.js';
import { explainEmptyPage, type GoogleImage, KNOWN_FORMATS, parseGoogleImages } from './google-images.formats.js';
import { parserOutdated } from './parse.js';
import { DEFAULT_PAGE_DELAY, getScrapedText, type PageDelay, politePause, rateLimited } from './scraped-page.js';
import type { SearchRequest, Source, SourceContext } from './source.js';

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

/** Options for {@link createGoogleImagesSource}. */
export interface GoogleImagesOptions {
  /** The pause between two result pages (default {@link DEFAULT_PAGE_DELAY}). */
  pageDelay?: PageDelay;
}

/** A Google Images source; the registry uses {@link googleImagesSource}, tests may shorten the pause. */
export function createGoogleImagesSource(options: GoogleImagesOptions = {}): Source {
  const pageDelay = options.pageDelay ?? DEFAULT_PAGE_DELAY;
  const source: Source = {
    id: 'google_images',
    displayName: 'Google Images',
    kinds: ['image'],
    statesLicenses: false,
  pushdown: [],
  licensePolicy: 'None stated: each image belongs to the site Google found it on; check its source page before reuse.',
    defaultOrigin: 'https://www.google.com',
    search: (request, context) => search(source, pageDelay, request, context),
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
async function* search(source: Source, pageDelay: PageDelay, request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind !== 'image' || request.limit <= 0) return;
  const given = new Set<string>();
  let offset = 0;
  for (let page = 0; page < MAX_PAGES && given.size < request.limit; page++) {
    if (page > 0) await politePause(pageDelay, context.signal);
    const params = { q: request.query, tbm: 'isch', udm: 2, hl: 'en', ...(offset > 0 ? { start: offset } : {}) };
    const url = apiUrl(source, context.config, ENDPOINT, params);
    const answer = await getScrapedText(source.id, context, url, HEADERS);
    const images = parseGoogleImages(answer.data);
    if (images.length === 0) {
      endOfResults(answer.data, answer.url, page);
      return;
    }
    offset += images.length;
    const fresh = images.filter((image) => !given.has(image.url)).slice(0, request.limit - given.size);
    if (fresh.length === 0) return;
    for (const image of fresh) given.add(image.url);
    yield fresh.map(toCandidate);
  }
}

/** Ends the search on a page without images, or throws when that page is a refusal or unreadable. */
function endOfResults(html: string, answeredUrl: string, page: number): void {
  const verdict = explainEmptyPage(html, answeredUrl);
  if (verdict.kind === 'blocked') throw rateLimited('google_images', verdict.how, { url: answeredUrl });
  // Past the first page an unreadable page is the end of the results, not a format change:
  // the first page, read in the same format, already proved the reader works.
  if (verdict.kind === 'unrecognised' && page === 0) throw parserOutdated('google_images', ENDPOINT, KNOWN_FORMATS);
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
    width: image.width,
    height: image.height,
  };
}

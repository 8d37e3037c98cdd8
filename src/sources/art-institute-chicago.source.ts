/**
 * The Art Institute of Chicago API (https://api.artic.edu/docs/, keyless): `GET /api/v1/artworks/search`
 * asked for public-domain works only (`query[term][is_public_domain]=true`) and for the fields an
 * item needs (without `fields` the answer has no `image_id`). The image is not in the answer: its
 * IIIF URL is built from `image_id` and the answer's own `config.iiif_url`, at the 843 px width the
 * museum recommends. Anonymous callers get 60 requests a minute, so pages are a second apart.
 */
import type { Candidate } from '../domain.js';
import { apiUrl } from './api-url.js';
import { filtersOf, licenseAllows } from './filter-params.js';
import { asRecord, dimension, httpUrl, type JsonRecord, num, parserOutdated, records, str } from './parse.js';
import { sourceRequests } from './source-request.js';
import type { PageDelay, SearchRequest, Source, SourceContext } from './source.js';

const ENDPOINT = '/api/v1/artworks/search';
const FIELDS = 'id,title,artist_title,artist_display,image_id,is_public_domain,thumbnail';
/** More per page is refused with 403 "Invalid limit". */
const MAX_PAGE_SIZE = 100;
/** The search window ends at the 1000th result: page × limit beyond it is refused with 403. */
const MAX_RESULTS = 1000;
/** The width of the IIIF rendition the museum recommends (larger sizes are not reliably served). */
const IMAGE_WIDTH = 843;
const WEBSITE = 'https://www.artic.edu';
const LICENSE = 'CC0 1.0 (public-domain work, Art Institute of Chicago open access)';
const LICENSE_URL = 'https://creativecommons.org/publicdomain/zero/1.0/';

/** 60 requests a minute for anonymous callers: one page a second stays under it. */
const PAGE_DELAY: PageDelay = Object.freeze({ minMs: 1000, maxMs: 1000 });

/** Options for {@link createArtInstituteChicagoSource}. */
export interface ArtInstituteChicagoOptions {
  /** The pause between two result pages (default one second). */
  pageDelay?: PageDelay;
}

/** An Art Institute of Chicago source; the registry uses {@link artInstituteChicagoSource}, tests may shorten the pause. */
export function createArtInstituteChicagoSource(options: ArtInstituteChicagoOptions = {}): Source {
  const source: Source = {
    id: 'art_institute_chicago',
    displayName: 'Art Institute of Chicago',
    kinds: ['image'],
    statesLicenses: true,
    // Every item Trawl takes is CC0: without cc0 in a licence filter nothing is asked.
    pushdown: [{ filter: 'license', sends: 'no request at all unless the filter allows cc0', precision: 'exact' }],
    requests: { pageDelay: options.pageDelay ?? PAGE_DELAY, refusalStatuses: [], quotaHeaders: null },
    licensePolicy: 'Only public-domain works (is_public_domain), whose images the museum releases under CC0; works in copyright are never taken.',
    defaultOrigin: 'https://api.artic.edu',
    search: (request, context) => search(source, request, context),
  };
  return source;
}

/** Public-domain artworks of the Art Institute of Chicago, released CC0; no key. */
export const artInstituteChicagoSource: Source = createArtInstituteChicagoSource();

async function* search(source: Source, request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind !== 'image' || request.limit <= 0 || !licenseAllows(filtersOf(request), 'cc0')) return;
  const requests = sourceRequests(source, context);
  // The museum asks callers to say who they are in AIC-User-Agent.
  const headers = { 'AIC-User-Agent': context.config.userAgent };
  // One page size for the whole search: changing it between pages would shift the offsets.
  const pageSize = Math.min(request.limit, MAX_PAGE_SIZE);
  let remaining = request.limit;
  for (let page = 1; remaining > 0 && page * pageSize <= MAX_RESULTS; page++) {
    const params = { q: request.query, 'query[term][is_public_domain]': 'true', fields: FIELDS, limit: pageSize, page };
    const { data } = await requests.json(apiUrl(source, context.config, ENDPOINT, params), headers);
    const { candidates, results, lastPage } = readSearchPage(data, page);
    const fresh = candidates.slice(0, remaining);
    remaining -= fresh.length;
    if (fresh.length > 0) yield fresh;
    if (results === 0 || lastPage) return;
  }
}

/** The page's open works with an image, how many results it had, and whether it was the last. */
function readSearchPage(data: unknown, page: number): { candidates: Candidate[]; results: number; lastPage: boolean } {
  const body = asRecord(data);
  const results: unknown = body?.data;
  if (body === undefined || !Array.isArray(results)) throw parserOutdated('art_institute_chicago', ENDPOINT, 'data[] array');
  const config = asRecord(body.config);
  const iiifUrl = httpUrl(config?.iiif_url);
  const open = records(results).filter((work) => work.is_public_domain === true && str(work.image_id) !== null);
  if (open.length > 0 && iiifUrl === null) throw parserOutdated('art_institute_chicago', ENDPOINT, 'config.iiif_url');
  const website = httpUrl(config?.website_url) ?? WEBSITE;
  const candidates = open.map((work) => candidate(work, iiifUrl ?? '', website)).filter((c): c is Candidate => c !== null);
  const totalPages = num(asRecord(body.pagination)?.total_pages);
  return { candidates, results: results.length, lastPage: totalPages !== null && page >= totalPages };
}

function candidate(work: JsonRecord, iiifUrl: string, website: string): Candidate | null {
  const id = num(work.id);
  const imageId = str(work.image_id);
  if (id === null || imageId === null) return null;
  return {
    source: 'art_institute_chicago',
    kind: 'image',
    url: `${iiifUrl.replace(/\/+$/, '')}/${encodeURIComponent(imageId)}/full/${IMAGE_WIDTH},/0/default.jpg`,
    pageUrl: `${website.replace(/\/+$/, '')}/artworks/${id}`,
    title: str(work.title),
    author: str(work.artist_title) ?? str(str(work.artist_display)?.split('\n')[0]),
    authorUrl: null,
    license: LICENSE,
    licenseUrl: LICENSE_URL,
    licenseCode: 'cc0',
    ...renditionSize(asRecord(work.thumbnail)),
  };
}

/**
 * The 843 px rendition's size, from the full image's size in `thumbnail`; unknown when the image is
 * narrower than that (what the image server then sends is not documented) or has no size.
 */
function renditionSize(thumbnail: JsonRecord | undefined): { width: number | null; height: number | null } {
  const width = dimension(thumbnail?.width);
  const height = dimension(thumbnail?.height);
  if (width === null || height === null || width < IMAGE_WIDTH) return { width: null, height: null };
  return { width: IMAGE_WIDTH, height: Math.max(1, Math.round((IMAGE_WIDTH * height) / width)) };
}

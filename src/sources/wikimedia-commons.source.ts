/**
 * Wikimedia Commons through the MediaWiki Action API: a CirrusSearch generator over the File
 * namespace, with `imageinfo` (images) or `videoinfo` (videos, with transcodes) for each result.
 * Keyless, but Wikimedia blocks generic agents: the HTTP client's `config.userAgent` is what
 * identifies Trawl, so no request here overrides it.
 */
import type { Candidate, Filters, ImageFormat } from '../domain.js';
import { apiUrl } from './api-url.js';
import { filtersOf } from './filter-params.js';
import { sourceRequests } from './source-request.js';
import type { Pushdown, SearchRequest, Source, SourceContext } from './source.js';
import { COMMONS_ENDPOINT, pageCandidate, readBatch } from './wikimedia-commons.pages.js';

/** Results per search batch; larger batches make `extmetadata` trigger more continuation rounds. */
const MAX_BATCH = 50;
const EXTMETADATA = 'LicenseShortName|LicenseUrl|License|Artist|Credit|ImageDescription|ObjectName|UsageTerms|AttributionRequired';

/** The MIME type CirrusSearch's `filemime:` matches for each format. */
const MIME_TYPES: Readonly<Record<ImageFormat, string>> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' };

const PUSHDOWN: readonly Pushdown[] = [
  { filter: 'minWidth', sends: 'gsrsearch=… filew:>N (CirrusSearch: width ≥ N; for videos, of the original file)', precision: 'exact' },
  { filter: 'minHeight', sends: 'gsrsearch=… fileh:>N (height ≥ N, as above)', precision: 'exact' },
  { filter: 'format', sends: 'images: gsrsearch=… filemime:image/TYPE when one format is asked for', precision: 'exact' },
];

/** Wikimedia Commons images and videos (free licences and public domain, per file). */
export const wikimediaCommonsSource: Source = {
  id: 'wikimedia_commons',
  displayName: 'Wikimedia Commons',
  kinds: ['image', 'video'],
  statesLicenses: true,
  pushdown: PUSHDOWN,
  // No fixed quota: Wikimedia asks for serial requests and backing off on 429 (SOURCES.md §5).
  requests: { pageDelay: null, refusalStatuses: [], quotaHeaders: null },
  licensePolicy: "Each file carries its own free licence or public-domain status, read from its Commons description page's metadata.",
  defaultOrigin: 'https://commons.wikimedia.org',
  search,
};

function searchParams(query: string, kind: 'image' | 'video', batch: number, filters: Filters): Record<string, string | number> {
  const common = {
    action: 'query',
    format: 'json',
    formatversion: 2,
    generator: 'search',
    gsrnamespace: 6,
    gsrlimit: batch,
    gsroffset: 0,
  };
  return kind === 'image'
    ? { ...common, gsrsearch: searchText(query, 'filetype:bitmap', filters, kind), prop: 'imageinfo', iiprop: 'url|size|mime|mediatype|extmetadata', iiextmetadatafilter: EXTMETADATA }
    : {
        ...common,
        gsrsearch: searchText(query, 'filetype:video', filters, kind),
        prop: 'videoinfo',
        viprop: 'url|size|mime|mediatype|extmetadata|derivatives',
        viextmetadatafilter: EXTMETADATA,
      };
}

/**
 * The CirrusSearch query: the user's words, the file type, and the filters Commons indexes
 * (`filew:>N` means a width of at least N; `filemime:` takes one type).
 */
function searchText(query: string, fileType: string, filters: Filters, kind: 'image' | 'video'): string {
  const keywords = [fileType];
  if (filters.minWidth !== null) keywords.push(`filew:>${filters.minWidth}`);
  if (filters.minHeight !== null) keywords.push(`fileh:>${filters.minHeight}`);
  const format = filters.format?.length === 1 ? filters.format[0] : undefined;
  if (kind === 'image' && format !== undefined) keywords.push(`filemime:${MIME_TYPES[format]}`);
  return `${query} ${keywords.join(' ')}`;
}

/**
 * Every answer's `continue` keys are echoed back verbatim. That is the whole continuation
 * protocol: while `imageinfo`/`videoinfo` still has pages to fill (`iistart`, `continue: "||…"`)
 * the API repeats the same search batch, and only once the batch is complete does it hand out
 * the next `gsroffset`. Pages repeat across those rounds, so each file is given once.
 */
async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind === 'audio' || request.limit <= 0) return;
  const base = searchParams(request.query, request.kind, Math.min(request.limit, MAX_BATCH), filtersOf(request));
  const requests = sourceRequests(wikimediaCommonsSource, context);
  const given = new Set<string>();
  const requested = new Set<string>();
  let continuation: Record<string, string> = {};
  let remaining = request.limit;
  for (;;) {
    const url = apiUrl(wikimediaCommonsSource, context.config, COMMONS_ENDPOINT, { ...base, ...continuation });
    // An answer that asks for the very request just made would loop until the budget ends.
    if (requested.has(url)) return;
    requested.add(url);
    const { data } = await requests.json(url);
    const batch = readBatch(data);
    const candidates: Candidate[] = [];
    for (const page of batch.pages) {
      const candidate = pageCandidate(page, request.kind);
      if (candidate === null || given.has(candidate.url) || candidates.length >= remaining) continue;
      given.add(candidate.url);
      candidates.push(candidate);
    }
    remaining -= candidates.length;
    if (candidates.length > 0) yield candidates;
    if (remaining <= 0 || batch.continuation === null) return;
    continuation = batch.continuation;
  }
}

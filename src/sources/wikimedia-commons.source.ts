/**
 * Wikimedia Commons through the MediaWiki Action API: a CirrusSearch generator over the File
 * namespace, with `imageinfo` (images) or `videoinfo` (videos, with transcodes) for each result.
 * Keyless, but Wikimedia blocks generic agents: the HTTP client's `config.userAgent` is what
 * identifies Trawl, so no request here overrides it.
 */
import type { Candidate } from '../domain.js';
import { apiUrl } from './api-url.js';
import type { SearchRequest, Source, SourceContext } from './source.js';
import { COMMONS_ENDPOINT, pageCandidate, readBatch } from './wikimedia-commons.pages.js';

/** Results per search batch; larger batches make `extmetadata` trigger more continuation rounds. */
const MAX_BATCH = 50;
const EXTMETADATA = 'LicenseShortName|LicenseUrl|License|Artist|Credit|ImageDescription|ObjectName|UsageTerms|AttributionRequired';

/** Wikimedia Commons images and videos (free licences and public domain, per file). */
export const wikimediaCommonsSource: Source = {
  id: 'wikimedia_commons',
  displayName: 'Wikimedia Commons',
  kinds: ['image', 'video'],
  statesLicenses: true,
  pushdown: [],
  licensePolicy: "Each file carries its own free licence or public-domain status, read from its Commons description page's metadata.",
  defaultOrigin: 'https://commons.wikimedia.org',
  search,
};

function searchParams(query: string, kind: 'image' | 'video', batch: number): Record<string, string | number> {
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
    ? { ...common, gsrsearch: `${query} filetype:bitmap`, prop: 'imageinfo', iiprop: 'url|size|mime|mediatype|extmetadata', iiextmetadatafilter: EXTMETADATA }
    : {
        ...common,
        gsrsearch: `${query} filetype:video`,
        prop: 'videoinfo',
        viprop: 'url|size|mime|mediatype|extmetadata|derivatives',
        viextmetadatafilter: EXTMETADATA,
      };
}

/**
 * Every answer's `continue` keys are echoed back verbatim. That is the whole continuation
 * protocol: while `imageinfo`/`videoinfo` still has pages to fill (`iistart`, `continue: "||…"`)
 * the API repeats the same search batch, and only once the batch is complete does it hand out
 * the next `gsroffset`. Pages repeat across those rounds, so each file is given once.
 */
async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind === 'audio' || request.limit <= 0) return;
  const base = searchParams(request.query, request.kind, Math.min(request.limit, MAX_BATCH));
  const given = new Set<string>();
  const requested = new Set<string>();
  let continuation: Record<string, string> = {};
  let remaining = request.limit;
  for (;;) {
    const url = apiUrl(wikimediaCommonsSource, context.config, COMMONS_ENDPOINT, { ...base, ...continuation });
    // An answer that asks for the very request just made would loop until the budget ends.
    if (requested.has(url)) return;
    requested.add(url);
    const { data } = await context.http.getJson(url, { signal: context.signal });
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

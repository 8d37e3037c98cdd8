/**
 * The NASA Image and Video Library (https://images-api.nasa.gov, keyless): `GET /search` with
 * `media_type` and `page`/`page_size`, then each hit's asset manifest for its best rendition (the
 * search answer only links a thumbnail). Manifest URLs come from the answer and are fetched as
 * given, so they reach the API origin's trust only when they are on it.
 */
import type { Candidate, MediaKind } from '../domain.js';
import { BUDGET_CODES, isTrawlError, TrawlError } from '../errors.js';
import { apiUrl } from './api-url.js';
import { filtersOf, licenseAllows } from './filter-params.js';
import { bestRendition, manifestUrls } from './nasa.assets.js';
import { asRecord, dimension, httpUrl, type JsonRecord, parserOutdated, records, str } from './parse.js';
import { type SourceRequests, sourceRequests } from './source-request.js';
import type { SearchRequest, Source, SourceContext } from './source.js';

const ENDPOINT = '/search';
/** `page_size` defaults to 100; larger pages only make the first answer slower. */
const MAX_PAGE_SIZE = 100;
/** The API refuses pages past its first 10,000 hits. */
const MAX_RESULTS = 10_000;
/** Manifests fetched at once: enough to hide latency, few enough to stay polite to a free service. */
const MANIFEST_CONCURRENCY = 4;
const LICENSE = 'Public domain (NASA media usage guidelines)';
const LICENSE_URL = 'https://www.nasa.gov/nasa-brand-center/images-and-media/';
const THIRD_PARTY_LICENSE = 'Third-party copyright noted by NASA (see the page before reuse)';
const DETAILS_URL = 'https://images.nasa.gov/details/';

/** NASA images and videos; no key. */
export const nasaSource: Source = {
  id: 'nasa',
  displayName: 'NASA Image and Video Library',
  kinds: ['image', 'video'],
  statesLicenses: true,
  // Only public-domain items (pdm) can pass a licence filter: without pdm in it nothing is asked.
  pushdown: [{ filter: 'license', sends: 'no request at all unless the filter allows pdm', precision: 'exact' }],
  // No published rate limit; a 429 ends the search like any refusal.
  requests: { pageDelay: null, refusalStatuses: [], quotaHeaders: null },
  licensePolicy: `NASA media is generally not copyrighted (${LICENSE_URL}); items whose credit notes a third-party copyright are marked so.`,
  defaultOrigin: 'https://images-api.nasa.gov',
  search,
};

/** One search hit: its metadata, where its manifest is, and the links that came with it. */
interface Hit {
  nasaId: string;
  data: JsonRecord;
  manifestUrl: string;
  links: JsonRecord[];
}

async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind === 'audio' || request.limit <= 0 || !licenseAllows(filtersOf(request), 'pdm')) return;
  const requests = sourceRequests(nasaSource, context);
  const pageSize = Math.min(request.limit, MAX_PAGE_SIZE);
  const given = new Set<string>();
  let remaining = request.limit;
  for (let page = 1; remaining > 0 && (page - 1) * pageSize < MAX_RESULTS; page++) {
    const url = apiUrl(nasaSource, context.config, ENDPOINT, { q: request.query, media_type: request.kind, page, page_size: pageSize });
    const { hits, hasNext } = readSearchPage((await requests.json(url)).data, context, request.kind);
    let read = 0;
    const knownBefore = given.size;
    let firstFailure: TrawlError | null = null;
    for (let start = 0; start < hits.length && remaining > 0; ) {
      const batch = hits.slice(start, start + remaining);
      start += batch.length;
      const outcomes = await mapLimited(batch, MANIFEST_CONCURRENCY, (hit) => resolveHit(hit, request.kind, requests, context));
      const fresh: Candidate[] = [];
      for (const outcome of outcomes) {
        if (outcome instanceof TrawlError) firstFailure ??= outcome;
        if (outcome instanceof TrawlError || outcome === null) continue;
        read++;
        if (!given.has(outcome.url)) fresh.push(outcome);
        given.add(outcome.url);
      }
      remaining -= fresh.length;
      if (fresh.length > 0) yield fresh;
    }
    // Hits that were all unreadable are a failure to report, never an empty success.
    if (hits.length > 0 && read === 0) throw firstFailure ?? parserOutdated('nasa', 'asset manifest', `${request.kind} rendition (…~orig / …~large file)`);
    // A page that brought nothing new ends the search: more pages would only repeat it.
    if (!hasNext || given.size === knownBefore) return;
  }
}

/**
 * The page's hits of the wanted kind and whether a `next` link promises more. An answer without
 * `collection.items[]`, or whose items all lack `data[0].nasa_id`, is a format change.
 */
function readSearchPage(data: unknown, context: SourceContext, kind: MediaKind): { hits: Hit[]; hasNext: boolean } {
  const collection = asRecord(asRecord(data)?.collection);
  const items: unknown = collection?.items;
  if (collection === undefined || !Array.isArray(items)) throw parserOutdated('nasa', ENDPOINT, 'collection.items[] array');
  const all = records(items).map((item) => readHit(item, context));
  const hits = all.filter((hit): hit is Hit => hit !== null);
  if (items.length > 0 && hits.length === 0) throw parserOutdated('nasa', ENDPOINT, 'collection.items[].data[0].nasa_id');
  const hasNext = records(collection.links).some((link) => str(link.rel)?.toLowerCase() === 'next');
  // `media_type` was asked for, but an item of another type must not become a wrong-kind candidate.
  return { hits: hits.filter((hit) => (str(hit.data.media_type)?.toLowerCase() ?? kind) === kind), hasNext };
}

function readHit(item: JsonRecord, context: SourceContext): Hit | null {
  const data = records(item.data)[0];
  const nasaId = str(data?.nasa_id);
  if (data === undefined || nasaId === null) return null;
  // Without a manifest link the API's own `/asset/{nasa_id}` lists the same files.
  const manifestUrl = httpUrl(item.href) ?? apiUrl(nasaSource, context.config, `/asset/${encodeURIComponent(nasaId)}`, {});
  return { nasaId, data, manifestUrl, links: records(item.links) };
}

/** The hit's candidate; null when its manifest has no usable file; a TrawlError when the manifest could not be read. */
async function resolveHit(hit: Hit, kind: MediaKind, requests: SourceRequests, context: SourceContext): Promise<Candidate | TrawlError | null> {
  try {
    const urls = manifestUrls((await requests.json(hit.manifestUrl)).data);
    if (urls === null) return parserOutdated('nasa', 'asset manifest', 'array of file URLs or collection.items[].href');
    const url = bestRendition(urls, kind);
    return url === null ? null : candidate(hit, kind, url);
  } catch (err) {
    // One unreadable manifest costs one item; the end of the budget ends the search.
    if (context.signal.aborted || !isTrawlError(err) || isTrawlError(err, ...BUDGET_CODES)) throw err;
    return err;
  }
}

function candidate(hit: Hit, kind: MediaKind, url: string): Candidate {
  const { data } = hit;
  const size = announcedSize(hit.links, url);
  const thirdParty = [data.photographer, data.secondary_creator, data.description].some((v) => /©|\(c\)|copyright/i.test(str(v) ?? ''));
  return {
    source: 'nasa',
    kind,
    url,
    pageUrl: `${DETAILS_URL}${encodeURIComponent(hit.nasaId)}`,
    title: str(data.title),
    author: str(data.photographer) ?? str(data.secondary_creator) ?? str(data.center),
    authorUrl: null,
    license: thirdParty ? THIRD_PARTY_LICENSE : LICENSE,
    licenseUrl: LICENSE_URL,
    licenseCode: thirdParty ? null : 'pdm',
    width: size.width,
    height: size.height,
  };
}

/**
 * Dimensions only when the search answer itself announced them for the chosen file (newer answers
 * add `width`/`height` to some `links[]`); manifests never carry them.
 */
function announcedSize(links: readonly JsonRecord[], url: string): { width: number | null; height: number | null } {
  const path = new URL(url).pathname;
  const link = links.find((l) => {
    const href = httpUrl(l.href);
    return href !== null && new URL(href).pathname === path;
  });
  return { width: dimension(link?.width), height: dimension(link?.height) };
}

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

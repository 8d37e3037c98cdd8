/**
 * The Met Collection API (https://metmuseum.github.io/, keyless), in two steps: `/v1.1/search`
 * pages of object ids (the v1 search was retired on 2026-10-01), then one `/v1/objects/{id}` read
 * per id for the title and image. Only works the Met marks public domain have an image, released
 * under CC0; the rest are read and dropped, so the reads are paced and bounded.
 */
import type { Candidate } from '../domain.js';
import { BUDGET_CODES, isTrawlError, type TrawlError } from '../errors.js';
import { apiUrl } from './api-url.js';
import { filtersOf, licenseAllows } from './filter-params.js';
import { MET_LICENSE_URL, OBJECT_PATH, readObject, SEARCH_PATH, searchIds } from './met-museum.records.js';
import { parserOutdated } from './parse.js';
import { type SourceRequests, sourceRequests } from './source-request.js';
import type { PageDelay, SearchRequest, Source, SourceContext } from './source.js';

/** `limit` on the v1.1 search is 1–500. */
const MAX_PAGE_SIZE = 500;
/** Clients report that windows past the first 10,000 ids are refused. */
const MAX_WINDOW = 10_000;

/** A few object reads a second: The Met asks for at most 80 requests a second, but its firewall answers bursts with 403. */
export const MET_READ_DELAY: PageDelay = Object.freeze({ minMs: 250, maxMs: 400 });

/** Options for {@link createMetMuseumSource}. */
export interface MetMuseumOptions {
  /** The pause before each request of a search after its first (default {@link MET_READ_DELAY}). */
  pageDelay?: PageDelay;
}

/** A Met Collection source; the registry uses {@link metMuseumSource}, tests may shorten the pause. */
export function createMetMuseumSource(options: MetMuseumOptions = {}): Source {
  const source: Source = {
    id: 'met_museum',
    displayName: 'The Met Collection',
    kinds: ['image'],
    statesLicenses: true,
    // Every image the API gives is CC0: without cc0 in the licence filter nothing is asked.
    pushdown: [{ filter: 'license', sends: 'no request at all unless the filter allows cc0', precision: 'exact' }],
    // A 403 is the firewall turning a burst away: a refusal, like a 429.
    requests: { pageDelay: options.pageDelay ?? MET_READ_DELAY, refusalStatuses: [403], quotaHeaders: null },
    licensePolicy: `Only works The Met marks public domain (isPublicDomain), whose images it releases under CC0 (${MET_LICENSE_URL}); other works are never downloaded.`,
    defaultOrigin: 'https://collectionapi.metmuseum.org',
    search: (request, context) => search(source, request, context),
  };
  return source;
}

/** The Met's Open Access collection: public-domain works only, CC0; no key. */
export const metMuseumSource: Source = createMetMuseumSource();

/** How the object reads of one search went: what is still wanted and what was spent for nothing. */
interface Reads {
  wanted: number;
  /** Reads that gave no candidate (in-copyright, unreadable or failed); at most `limit` are allowed. */
  wasted: number;
  notFree: number;
  firstFailure: TrawlError | null;
}

async function* search(source: Source, request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  if (request.kind !== 'image' || request.limit <= 0 || !licenseAllows(filtersOf(request), 'cc0')) return;
  const requests = sourceRequests(source, context);
  // Ids for the wanted records plus the reads that may be spent on works without an image.
  const pageSize = Math.min(request.limit * 2, MAX_PAGE_SIZE);
  const reads: Reads = { wanted: request.limit, wasted: 0, notFree: 0, firstFailure: null };
  const seen = new Set<number>();
  for (let offset = 0; offset < MAX_WINDOW && canRead(reads, request.limit); offset += pageSize) {
    const params = { q: request.query, hasImages: 'true', isPublicDomain: 'true', offset, limit: Math.min(pageSize, MAX_WINDOW - offset) };
    const ids = searchIds((await requests.json(apiUrl(source, context.config, SEARCH_PATH, params))).data);
    for (const id of ids) {
      if (!canRead(reads, request.limit)) break;
      if (seen.has(id)) continue;
      seen.add(id);
      const candidate = await readCandidate(source, id, reads, requests, context);
      if (candidate !== null) yield [candidate];
    }
    if (ids.length < params.limit) break;
  }
  // Reads that all failed or could not be read are a failure to report, never an empty success.
  if (reads.wanted === request.limit && reads.notFree === 0 && reads.wasted > 0) {
    throw reads.firstFailure ?? parserOutdated('met_museum', OBJECT_PATH, 'object record with isPublicDomain');
  }
}

/** Whether another object read is both needed and within the bound of `limit` reads beyond need. */
function canRead(reads: Reads, limit: number): boolean {
  return reads.wanted > 0 && reads.wasted < limit;
}

/**
 * One object read as a candidate, or null (tallied) when the work is not free to reuse, the
 * record is unreadable or the read failed. A refusal (403, 429) or the end of the budget ends the
 * search: The Met's firewall turns a client away for a while.
 */
async function readCandidate(source: Source, id: number, reads: Reads, requests: SourceRequests, context: SourceContext): Promise<Candidate | null> {
  try {
    const outcome = readObject((await requests.json(apiUrl(source, context.config, `${OBJECT_PATH}${id}`, {}))).data);
    if (outcome.kind === 'candidate') {
      reads.wanted--;
      return outcome.candidate;
    }
    if (outcome.kind === 'not-free') reads.notFree++;
  } catch (err) {
    if (context.signal.aborted || !isTrawlError(err) || isTrawlError(err, 'TRAWL_RATE_LIMITED', ...BUDGET_CODES)) throw err;
    // An unknown or withdrawn id (404) costs only its own read.
    reads.firstFailure ??= err;
  }
  reads.wasted++;
  return null;
}

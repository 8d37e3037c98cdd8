/**
 * The source contract: one small interface every provider implements in its own file
 * (`pexels.source.ts`, …). A source only searches; the engine downloads.
 */
import type { Config } from '../config/config.js';
import { TrawlError } from '../errors.js';
import type { Candidate, FilterName, Filters, MediaKind, SourceId } from '../domain.js';
import type { HttpClient } from '../net/http.js';

export interface SearchRequest {
  query: string;
  kind: MediaKind;
  /** How many candidates the engine wants at most; a source stops paging once it has given this many. */
  limit: number;
  /**
   * What the user filters on (absent: no filters); ask the service for those in `Source.pushdown`.
   * Trawl checks all of them itself anyway.
   */
  filters?: Filters;
}

/** What a service said about its rate limit, read from its response headers. */
export interface QuotaInfo {
  /** Requests left in the current window, or null when the service did not say. */
  remaining: number | null;
  limit: number | null;
  /** When the window resets (ISO time), or null when unknown. */
  resetAt: string | null;
}

export interface SourceContext {
  /** The source's budget; pass it to every request. */
  signal: AbortSignal;
  http: HttpClient;
  config: Config;
  /**
   * Tell the engine the quota a response announced (e.g. X-Ratelimit-Remaining/Reset). When a
   * source reports `remaining: 0` with a future `resetAt`, later jobs skip it ("quota exhausted
   * until …") instead of burning requests and retries.
   */
  reportQuota(quota: QuotaInfo): void;
}

/** Whether a source can run with this config, and why not. */
export type Availability = { ok: true } | { ok: false; reason: string };

/** How long to wait between two requests of one search: a random pick in [minMs, maxMs]. */
export interface PageDelay {
  minMs: number;
  maxMs: number;
}

/** How a service announces its quota in `X-RateLimit-Limit`, `-Remaining` and `-Reset` headers. */
export interface QuotaHeaders {
  /**
   * What `X-RateLimit-Reset` holds: a UNIX time in seconds (Pexels), seconds until the window
   * resets (Pixabay), or nothing (Unsplash sends no reset header).
   */
  reset: 'unix-seconds' | 'seconds-from-now' | 'absent';
  /** The rate-limit window: a quota spent (or a refusal) without a stated end is over by then. */
  windowMs: number;
}

/**
 * How a source's service must be asked, as data (gallery-dl's per-extractor `request_interval`
 * and refusal handling): `sourceRequests` (source-request.ts) applies it to every request.
 */
export interface RequestPolicy {
  /** The pause before each request of a search after its first; null for APIs that need none. */
  readonly pageDelay: PageDelay | null;
  /**
   * Statuses that mean "refused for now", besides 429 (always): scraped services answer bots
   * with 202, 403 or 418; Unsplash answers an exhausted key with 403. A 2xx is checked on the answer.
   */
  readonly refusalStatuses: readonly number[];
  /** The quota headers the service sends, or null when it sends none Trawl reads. */
  readonly quotaHeaders: QuotaHeaders | null;
  /**
   * Whether a page the adapter could not read is the service's bot check (captcha, "unusual
   * traffic", consent wall): what it is, for the message, or null.
   */
  readonly challenge?: (page: string, answeredUrl: string) => string | null;
}

/** How a source asks its service for one filter: a row of the push-down table. */
export interface Pushdown {
  readonly filter: FilterName;
  /** What is sent, as the service spells it (`orientation=landscape|portrait|square`). */
  readonly sends: string;
  /**
   * `exact`: the service applies the filter's own test to the file it describes. `coarse`: it
   * returns a superset (a size bucket at or below the minimum), never leaving out a file that
   * passes. `approximate`: the service's own classification (where its "square" ends), which may
   * differ from Trawl's near the boundary. Trawl checks every filter itself either way.
   */
  readonly precision: 'exact' | 'coarse' | 'approximate';
}

export interface Source {
  readonly id: SourceId;
  readonly displayName: string;
  /** The media kinds this source can search for. */
  readonly kinds: readonly MediaKind[];
  /** The env var holding its key, when one is required. */
  readonly keyVar?: string;
  /** Where this source's items' licence comes from, for `trawl sources` and docs. */
  readonly licensePolicy: string;
  /**
   * Whether every item carries a per-item licence (`Candidate.licenseCode`). A source that cannot
   * state licences (the search engines) is skipped when a job filters on licence.
   */
  readonly statesLicenses: boolean;
  /** The filters this source asks its service for (the rest Trawl checks alone); shown by `trawl sources`. */
  readonly pushdown: readonly Pushdown[];
  /** Pauses, refusal statuses, quota headers and bot checks of its service. */
  readonly requests: RequestPolicy;
  /** The real service's origin (scheme://host); `TRAWL_ORIGIN_<ID>` replaces it. */
  readonly defaultOrigin: string;
  /**
   * Yields pages of candidates until the source has no more or `limit` is reached. Throws
   * TrawlErrors: TRAWL_PARSER_OUTDATED when a response has an unexpected shape, TRAWL_AUTH, …
   */
  search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined>;
  /**
   * Called once a candidate of this source has been saved, for services that require it (Unsplash's
   * download_location tracking call). Failures are reported as alerts, never fail the item.
   */
  notifyDownloaded?(candidate: Candidate, context: SourceContext): Promise<void>;
}

/** The origin to send a source's API requests to: the override if configured, else the real one. */
export function apiOrigin(source: Pick<Source, 'id' | 'defaultOrigin'>, config: Config): string {
  return config.origins[source.id] ?? source.defaultOrigin;
}

/**
 * The source's API key, or TRAWL_NOT_CONFIGURED naming the variable (the same words `availability`
 * uses), for adapters to call before their first request.
 */
export function requireKey(source: Pick<Source, 'id'> & { keyVar: string }, config: Config): string {
  const key = config.keys[source.keyVar];
  if (!key) throw new TrawlError('TRAWL_NOT_CONFIGURED', `${source.id}: ${source.keyVar} is not set`, { context: { source: source.id } });
  return key;
}

/** Whether the source has what it needs to run (its key). */
export function availability(source: Source, config: Config): Availability {
  if (source.keyVar && !config.keys[source.keyVar]) return { ok: false, reason: `${source.keyVar} is not set` };
  return { ok: true };
}

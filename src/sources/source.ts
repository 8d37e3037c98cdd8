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
  readonly pushdown: readonly FilterName[];
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

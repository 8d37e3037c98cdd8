/**
 * The one way a source asks its service: every search and tracking request goes through
 * {@link sourceRequests}, which applies the source's declared {@link RequestPolicy} (gallery-dl's
 * `Extractor.request` is the model). It pauses between the pages of a scrape, reports the quota
 * headers of every answer, and turns every refusal — 429, the service's own refusal statuses, a
 * Retry-After longer than the budget, a bot-check page — into one TRAWL_RATE_LIMITED naming the
 * source, remembering the wait it named so later jobs skip the source until then.
 */
import { formatDuration } from '../config/units.js';
import type { SourceId } from '../domain.js';
import { isTrawlError, TrawlError } from '../errors.js';
import type { ApiResponse } from '../net/http.js';
import { sleep } from '../signal.js';
import { quotaFromHeaders } from './quota-headers.js';
import type { PageDelay, Source, SourceContext } from './source.js';

/** 300–800 ms: slower than a script, about as fast as a person scrolling (the scrapers' pause). */
export const SCRAPER_PAGE_DELAY: PageDelay = Object.freeze({ minMs: 300, maxMs: 800 });

/** Statuses scraped services turn a client away with (duckduckgo_search `_get_url`), besides 429. */
export const SCRAPER_REFUSALS: readonly number[] = Object.freeze([202, 403, 418]);

/** The requests of one search (or one tracking call): each pauses as declared and speaks for the source when refused. */
export interface SourceRequests {
  /** GET + JSON under the source's budget. */
  json(url: string, headers?: Readonly<Record<string, string>>): Promise<ApiResponse<unknown>>;
  /** GET + text (a scraped page) under the source's budget. */
  text(url: string, headers?: Readonly<Record<string, string>>): Promise<ApiResponse<string>>;
  /**
   * For a page the adapter could not read: throws TRAWL_RATE_LIMITED when it is the service's bot
   * check (the source's declared `challenge`), else returns, so the adapter reports a format
   * change or the end of the results.
   */
  rejectChallenge(page: ApiResponse<string>): void;
}

/** The requests of one search of `source`; make one per search, so the pause counts its pages. */
export function sourceRequests(source: Pick<Source, 'id' | 'requests'>, context: SourceContext): SourceRequests {
  let sent = 0;
  const send = async <T>(get: () => Promise<ApiResponse<T>>): Promise<ApiResponse<T>> => {
    const { pageDelay, quotaHeaders } = source.requests;
    if (sent++ > 0 && pageDelay !== null) await politePause(pageDelay, context.signal);
    let response: ApiResponse<T>;
    try {
      response = await get();
    } catch (err) {
      throw refusalOf(source, context, err) ?? err;
    }
    if (source.requests.refusalStatuses.includes(response.status)) {
      throw refused(source, context, `HTTP ${response.status}`, { url: response.url, status: response.status });
    }
    const quota = quotaHeaders === null ? null : quotaFromHeaders(response.headers, quotaHeaders);
    if (quota !== null) context.reportQuota(quota);
    return response;
  };
  const options = (headers: Readonly<Record<string, string>> | undefined) => ({ signal: context.signal, headers: { ...headers } });
  return {
    json: (url, headers) => send(() => context.http.getJson(url, options(headers))),
    text: (url, headers) => send(() => context.http.getText(url, options(headers))),
    rejectChallenge(page) {
      const how = source.requests.challenge?.(page.data, page.url) ?? null;
      if (how !== null) throw refused(source, context, how, { url: page.url });
    },
  };
}

/** Waits a random time within `delay`, abortably (the source budget ends the wait). */
function politePause(delay: PageDelay, signal: AbortSignal): Promise<void> {
  const span = Math.max(0, delay.maxMs - delay.minMs);
  return sleep(delay.minMs + Math.floor(Math.random() * (span + 1)), signal);
}

/** The TRAWL_RATE_LIMITED a failed request amounts to, or null when it is some other failure. */
function refusalOf(source: Pick<Source, 'id' | 'requests'>, context: SourceContext, err: unknown): TrawlError | null {
  if (!isTrawlError(err)) return null;
  const status = typeof err.context.status === 'number' ? err.context.status : null;
  const refusal = err.code === 'TRAWL_RATE_LIMITED' || status === 429 || (status !== null && source.requests.refusalStatuses.includes(status));
  if (!refusal) return null;
  const retryAfterMs = err.context.retryAfterMs;
  const details: RefusalDetails = { cause: err, status: status ?? 429 };
  if (typeof err.context.url === 'string') details.url = err.context.url;
  if (typeof retryAfterMs === 'number' && retryAfterMs > 0) details.waitMs = retryAfterMs;
  return refused(source, context, `HTTP ${status ?? 429}`, details);
}

interface RefusalDetails {
  cause?: TrawlError;
  url?: string;
  status?: number;
  /** How long the service asked to wait (its Retry-After), when it said. */
  waitMs?: number;
}

/**
 * The one TRAWL_RATE_LIMITED message, after reporting the quota as spent until the wait the
 * service named (or, for a metered API that named none, one window from now).
 */
function refused(source: Pick<Source, 'id' | 'requests'>, context: SourceContext, how: string, details: RefusalDetails): TrawlError {
  const until = details.waitMs ?? source.requests.quotaHeaders?.windowMs;
  if (until !== undefined) context.reportQuota({ remaining: 0, limit: null, resetAt: new Date(Date.now() + until).toISOString() });
  return rateLimited(source.id, how, details);
}

function rateLimited(source: SourceId, how: string, details: RefusalDetails): TrawlError {
  const wait = details.waitMs === undefined ? '' : ` and asked to wait ${formatDuration(details.waitMs)}`;
  const where = { ...details.cause?.context, source, ...(details.url === undefined ? {} : { url: details.url }), ...(details.status === undefined ? {} : { status: details.status }) };
  return new TrawlError(
    'TRAWL_RATE_LIMITED',
    `${source}: the service is rate-limiting requests (${how})${wait}; wait a while before searching it again, or leave this source out`,
    details.cause === undefined ? { context: where } : { cause: details.cause, context: where },
  );
}

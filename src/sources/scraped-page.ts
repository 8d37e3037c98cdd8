/**
 * What the HTML-scraping sources (Google Images, DuckDuckGo) share: a GET that tells a service
 * turning the client away (202/403/418/429, a captcha or consent page) from a format change, and
 * the polite pause between page requests that keeps a harvest from looking like a flood.
 */
import { formatDuration } from '../config/units.js';
import type { SourceId } from '../domain.js';
import { TrawlError } from '../errors.js';
import { sleep } from '../signal.js';
import type { ApiResponse } from '../net/http.js';
import type { SourceContext } from './source.js';

/**
 * Statuses scraped services use to refuse a client (duckduckgo_search `_get_url`: 202, 403, 418,
 * 429). A 202 arrives as a success, so it is checked on the answer, the others on the error.
 */
const REFUSAL_STATUSES: ReadonlySet<number> = new Set([202, 403, 418, 429]);

/** How long to wait between two page requests of one search: a random pick in [minMs, maxMs]. */
export interface PageDelay {
  minMs: number;
  maxMs: number;
}

/** 300–800 ms: slower than a script, about as fast as a person scrolling. */
export const DEFAULT_PAGE_DELAY: PageDelay = Object.freeze({ minMs: 300, maxMs: 800 });

/** Waits a random time within `delay`, abortably (the source budget ends the wait). */
export function politePause(delay: PageDelay, signal: AbortSignal): Promise<void> {
  const span = Math.max(0, delay.maxMs - delay.minMs);
  return sleep(delay.minMs + Math.floor(Math.random() * (span + 1)), signal);
}

/**
 * The TRAWL_RATE_LIMITED error for `source`; `how` says what the service answered (`HTTP 429`,
 * `a captcha page`, …), `waitMs` how long it asked to wait, when it said.
 */
export function rateLimited(source: SourceId, how: string, options: { cause?: unknown; url?: string; waitMs?: number } = {}): TrawlError {
  const wait = options.waitMs === undefined ? '' : ` and asked to wait ${formatDuration(options.waitMs)}`;
  return new TrawlError(
    'TRAWL_RATE_LIMITED',
    `${source}: the service is rate-limiting requests (${how})${wait}; wait a while before searching it again, or leave this source out`,
    { cause: options.cause, context: options.url === undefined ? { source } : { source, url: options.url } },
  );
}

/**
 * GET + text under the source's budget. A refusal — one of {@link REFUSAL_STATUSES}, or a
 * Retry-After longer than the budget — throws TRAWL_RATE_LIMITED naming the source; when the
 * service said how long to wait, that is reported as quota exhausted until then, so later jobs
 * skip the source instead of provoking a longer block. Other failures pass through unchanged.
 */
export async function getScrapedText(
  source: SourceId,
  context: SourceContext,
  url: string,
  headers: Record<string, string>,
): Promise<ApiResponse<string>> {
  let response: ApiResponse<string>;
  try {
    response = await context.http.getText(url, { signal: context.signal, headers });
  } catch (err) {
    throw refusal(source, context, err) ?? err;
  }
  if (REFUSAL_STATUSES.has(response.status)) throw rateLimited(source, `HTTP ${response.status}`, { url });
  return response;
}

/** The TRAWL_RATE_LIMITED error `err` amounts to (quota reported when a wait was named), or null. */
function refusal(source: SourceId, context: SourceContext, err: unknown): TrawlError | null {
  if (!(err instanceof TrawlError)) return null;
  const status = typeof err.context.status === 'number' ? err.context.status : null;
  if (err.code !== 'TRAWL_RATE_LIMITED' && (status === null || !REFUSAL_STATUSES.has(status))) return null;
  const retryAfterMs = typeof err.context.retryAfterMs === 'number' && err.context.retryAfterMs > 0 ? err.context.retryAfterMs : null;
  const options: { cause: unknown; url?: string; waitMs?: number } = { cause: err };
  if (typeof err.context.url === 'string') options.url = err.context.url;
  if (retryAfterMs !== null) {
    context.reportQuota({ remaining: 0, limit: null, resetAt: new Date(Date.now() + retryAfterMs).toISOString() });
    options.waitMs = retryAfterMs;
  }
  return rateLimited(source, `HTTP ${status ?? 429}`, options);
}

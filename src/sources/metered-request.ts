/**
 * API calls to services that meter their keys (Pexels, Pixabay, Unsplash): every answer's
 * X-RateLimit-* headers are reported as quota, and a "slow down" answer ends as TRAWL_RATE_LIMITED
 * (with the quota reported as exhausted) instead of passing for a key or transport problem.
 */
import { formatDuration } from '../config/units.js';
import type { SourceId } from '../domain.js';
import { TrawlError } from '../errors.js';
import type { ApiResponse } from '../net/http.js';
import type { QuotaInfo, SourceContext } from './source.js';

/** How a service announces and enforces its rate limit. */
export interface Meter {
  /**
   * What `X-RateLimit-Reset` holds: a UNIX time in seconds (Pexels), seconds until the window
   * resets (Pixabay), or nothing (Unsplash sends no reset header).
   */
  reset: 'unix-seconds' | 'seconds-from-now' | 'absent';
  /** The service's rate-limit window: when it is exhausted and the service did not say until when, it is over by then. */
  windowMs: number;
  /** Statuses that mean "rate limited" here besides 429 (Unsplash answers 403 "Rate Limit Exceeded"). */
  rateLimitStatuses?: readonly number[];
}

/**
 * The quota announced by `headers` (names in lower case, as the HTTP client gives them), or null
 * when the answer carried no rate-limit headers. `now` is injectable for tests.
 */
export function quotaFromHeaders(headers: Readonly<Record<string, string>>, meter: Meter, now: number = Date.now()): QuotaInfo | null {
  const limit = count(headers['x-ratelimit-limit']);
  const remaining = count(headers['x-ratelimit-remaining']);
  if (limit === null && remaining === null) return null;
  const reset = count(headers['x-ratelimit-reset']);
  let resetAt: string | null = null;
  if (meter.reset === 'unix-seconds' && reset !== null) resetAt = new Date(reset * 1000).toISOString();
  else if (meter.reset === 'seconds-from-now' && reset !== null) resetAt = new Date(now + reset * 1000).toISOString();
  // Without a reset header an exhausted quota is over within one window at the latest.
  else if (remaining === 0) resetAt = new Date(now + meter.windowMs).toISOString();
  return { remaining, limit, resetAt };
}

/**
 * GET + JSON under the source's budget, reporting the quota the answer announced. A rate-limit
 * answer (429 once retries ran out, a Retry-After longer than the budget, or one of the meter's
 * extra statuses) throws TRAWL_RATE_LIMITED naming the source, after reporting the quota as
 * exhausted until the service's Retry-After (or, when it gave none, one window from now).
 */
export async function meteredGetJson(
  source: SourceId,
  context: SourceContext,
  url: string,
  options: { headers: Record<string, string>; meter: Meter },
): Promise<ApiResponse<unknown>> {
  let response: ApiResponse<unknown>;
  try {
    response = await context.http.getJson(url, { signal: context.signal, headers: options.headers });
  } catch (err) {
    const limited = rateLimitError(source, err, options.meter);
    if (limited === null) throw err;
    const retryAfterMs = limited.context.retryAfterMs;
    const waitMs = typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : options.meter.windowMs;
    context.reportQuota({ remaining: 0, limit: null, resetAt: new Date(Date.now() + waitMs).toISOString() });
    throw limited;
  }
  const quota = quotaFromHeaders(response.headers, options.meter);
  if (quota !== null) context.reportQuota(quota);
  return response;
}

/** The TRAWL_RATE_LIMITED error `err` amounts to, or null when it is some other failure. */
function rateLimitError(source: SourceId, err: unknown, meter: Meter): TrawlError | null {
  if (!(err instanceof TrawlError)) return null;
  const status = typeof err.context.status === 'number' ? err.context.status : null;
  const limitedStatus = status === 429 || (status !== null && (meter.rateLimitStatuses ?? []).includes(status));
  if (err.code !== 'TRAWL_RATE_LIMITED' && !limitedStatus) return null;
  const retryAfterMs = typeof err.context.retryAfterMs === 'number' ? err.context.retryAfterMs : null;
  const wait = retryAfterMs === null || retryAfterMs <= 0 ? '' : ` and asked to wait ${formatDuration(retryAfterMs)}`;
  return new TrawlError(
    'TRAWL_RATE_LIMITED',
    `${source}: the service is rate-limiting requests (HTTP ${status ?? 429})${wait}; try again once its quota resets, or use a key with a higher limit`,
    { cause: err, context: { ...err.context, source } },
  );
}

/** A header value that is a whole number ≥ 0, or null. */
function count(value: string | undefined): number | null {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return null;
  return Number(value);
}

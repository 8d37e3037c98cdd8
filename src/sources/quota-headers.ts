/**
 * Reading the `X-RateLimit-*` headers metered APIs send with every answer (Pexels, Pixabay,
 * Unsplash), so the quota book knows what is left before a job burns requests on a spent key.
 */
import type { QuotaHeaders, QuotaInfo } from './source.js';

/**
 * The quota announced by `headers` (names in lower case, as the HTTP client gives them), or null
 * when the answer carried no rate-limit headers. `now` is injectable for tests.
 */
export function quotaFromHeaders(headers: Readonly<Record<string, string>>, declared: QuotaHeaders, now: number = Date.now()): QuotaInfo | null {
  const limit = count(headers['x-ratelimit-limit']);
  const remaining = count(headers['x-ratelimit-remaining']);
  if (limit === null && remaining === null) return null;
  const reset = count(headers['x-ratelimit-reset']);
  let resetAt: string | null = null;
  if (declared.reset === 'unix-seconds' && reset !== null) resetAt = new Date(reset * 1000).toISOString();
  else if (declared.reset === 'seconds-from-now' && reset !== null) resetAt = new Date(now + reset * 1000).toISOString();
  // Without a reset header an exhausted quota is over within one window at the latest.
  else if (remaining === 0) resetAt = new Date(now + declared.windowMs).toISOString();
  return { remaining, limit, resetAt };
}

/** A header value that is a whole number ≥ 0, or null. */
function count(value: string | undefined): number | null {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return null;
  return Number(value);
}

import { TrawlError } from '../errors.js';
import { abortReason, deadlineOf, sleep } from '../signal.js';
import { formatDuration } from '../config/units.js';

/**
 * The HTTP retry policy, as data. Which errors are worth another try is not here: it is the
 * `retryable` flag of each code in the error catalogue (src/errors.ts).
 */
export interface RetryPolicy {
  /** Total tries, the first one included (1 = no retry). */
  attempts: number;
  /** Backoff ceiling for the first retry; doubles per retry (full jitter picks below it). */
  baseDelayMs: number;
  /** Upper bound for any backoff delay (Retry-After may ask for more). */
  maxDelayMs: number;
}

/** 3 tries, 500 ms base, 10 s cap: a short outage is ridden out, a long one fails inside a source budget. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ attempts: 3, baseDelayMs: 500, maxDelayMs: 10_000 });

/**
 * A Retry-After longer than this is treated as "longer than any budget" even when the signal has
 * no known deadline: a harvester never parks a request for an hour, and timers cannot wait
 * past 2^31 ms anyway.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

// RFC 9110 HTTP-date forms all carry a time of day; requiring one keeps V8's lenient Date.parse
// from reading garbage such as "soon 5" as a date.
const HTTP_DATE_SHAPE = /^[A-Za-z]{3,9},? [\w -]+ \d{1,2}:\d{2}:\d{2}( GMT| \d{4})$/;

/**
 * Milliseconds to wait for a Retry-After value: delta-seconds (`120`) or an HTTP-date. Returns
 * undefined for a missing or unreadable value (fractions, words), 0 for a negative delay or a
 * date in the past.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (/^-\d+$/.test(text)) return 0;
  // HTTP-dates are ~30 characters; the length bound keeps the shape check cheap on hostile headers.
  if (text.length > 40 || !HTTP_DATE_SHAPE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Full-jitter exponential backoff (AWS): a uniform pick in [0, min(cap, base × 2^(retry-1))).
 * `retry` is 1-based (the first retry waits below `baseDelayMs`); `random` is injectable for tests.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Options for {@link withRetry}. */
export interface RetryOptions {
  /** The budget the retries live under: sleeps end with it, and no wait may end past its deadline. */
  signal: AbortSignal;
  policy?: RetryPolicy;
  /** Told before each wait: the error that failed `attempt` (1-based) and how long we will wait. */
  onRetry?: (err: TrawlError, delayMs: number, attempt: number) => void;
}

/**
 * Runs `fn` until it succeeds, fails with an error that is not a retryable TrawlError, or the
 * attempts run out (then the last error is thrown). Between tries it waits
 * max(Retry-After from `err.context.retryAfterMs`, backoff), abortably. It never sleeps past the
 * budget of `signal`: a wait that would end after the deadline throws at once —
 * TRAWL_RATE_LIMITED when the server's Retry-After asked for it, otherwise the last error.
 * When the budget itself ends, its reason (e.g. TRAWL_SOURCE_TIMEOUT) is thrown.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (options.signal.aborted) throw abortReason(options.signal);
      if (!(err instanceof TrawlError) || !err.retryable || attempt >= policy.attempts) throw err;
      const delay = planWait(err, policy, attempt, options.signal);
      options.onRetry?.(err, delay, attempt);
      await sleep(delay, options.signal);
    }
  }
}

/** The wait before the next try, or a throw when that wait does not fit in the budget. */
function planWait(err: TrawlError, policy: RetryPolicy, attempt: number, signal: AbortSignal): number {
  const retryAfter = typeof err.context.retryAfterMs === 'number' ? err.context.retryAfterMs : undefined;
  const delay = Math.max(retryAfter ?? 0, backoffDelay(policy, attempt));
  const deadline = deadlineOf(signal);
  const left = deadline === undefined ? Infinity : deadline - Date.now();
  if (delay <= left && delay <= MAX_RETRY_AFTER_MS) return delay;
  if (retryAfter === undefined || retryAfter < delay) throw err;
  const who = typeof err.context.url === 'string' ? err.context.url : 'the server';
  const room = Number.isFinite(left) ? `the budget has ${formatDuration(Math.max(0, left))} left` : `the limit is ${formatDuration(MAX_RETRY_AFTER_MS)}`;
  throw new TrawlError('TRAWL_RATE_LIMITED', `${who} asked to wait ${formatDuration(retryAfter)}, ${room}`, {
    cause: err,
    context: { ...err.context, retryAfterMs: retryAfter, remainingMs: Math.max(0, left) },
  });
}

import { afterEach, describe, expect, it } from 'vitest';
import { TrawlError } from '../errors.js';
import { Budget } from '../engine/budget.js';
import { backoffDelay, parseRetryAfter, withRetry, type RetryPolicy } from './retry.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('Sun, 06 Nov 1994 08:49:00 GMT');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 3 ', now)).toBe(3000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads the three HTTP-date forms relative to now', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(37_000);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(37_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(37_000);
  });

  it('clamps negative delays and past dates to 0', () => {
    expect(parseRetryAfter('-5', now)).toBe(0);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:00:00 GMT', now)).toBe(0);
  });

  it('returns undefined for missing or garbage values', () => {
    for (const garbage of [undefined, '', 'soon', '1.5', '10s', 'soon 5', 'Sun, 99 Foo 1994 08:49:37 GMT']) {
      expect(parseRetryAfter(garbage, now), String(garbage)).toBeUndefined();
    }
  });
});

describe('backoffDelay', () => {
  const policy: RetryPolicy = { attempts: 10, baseDelayMs: 500, maxDelayMs: 10_000 };

  it('doubles the ceiling per retry up to the cap (full jitter picks below it)', () => {
    const top = (): number => 0.999999;
    expect(backoffDelay(policy, 1, top)).toBe(499);
    expect(backoffDelay(policy, 2, top)).toBe(999);
    expect(backoffDelay(policy, 3, top)).toBe(1999);
    expect(backoffDelay(policy, 20, top)).toBe(9999);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });

  it('stays within [0, cap) with the real random source', () => {
    for (let retry = 1; retry <= 12; retry++) {
      const delay = backoffDelay(policy, retry);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(policy.maxDelayMs);
    }
  });
});

describe('withRetry', () => {
  const fast: RetryPolicy = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
  const budgets: Budget[] = [];
  const budget = (ms: number): Budget => {
    const b = Budget.root('source', ms, 'TRAWL_SOURCE_TIMEOUT');
    budgets.push(b);
    return b;
  };
  afterEach(() => {
    for (const b of budgets.splice(0)) b.dispose();
  });
  const transient = (retryAfterMs?: number): TrawlError =>
    new TrawlError('TRAWL_HTTP_TRANSIENT', 'http://127.0.0.1/x answered 503', {
      context: retryAfterMs === undefined ? { url: 'http://127.0.0.1/x', status: 503 } : { url: 'http://127.0.0.1/x', status: 503, retryAfterMs },
    });

  it('retries retryable errors and returns the first success', async () => {
    const seen: number[] = [];
    const retries: number[] = [];
    const result = await withRetry(
      (attempt) => {
        seen.push(attempt);
        return attempt < 3 ? Promise.reject(transient()) : Promise.resolve('ok');
      },
      { signal: budget(5000).signal, policy: fast, onRetry: (_err, _delay, attempt) => retries.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
    expect(retries).toEqual([1, 2]);
  });

  it('throws the last error when attempts run out', async () => {
    let calls = 0;
    const run = withRetry(() => {
      calls++;
      return Promise.reject(transient());
    }, { signal: budget(5000).signal, policy: fast });
    await expect(run).rejects.toMatchObject({ code: 'TRAWL_HTTP_TRANSIENT' });
    expect(calls).toBe(3);
  });

  it('does not retry non-retryable TrawlErrors or foreign errors', async () => {
    for (const failure of [new TrawlError('TRAWL_HTTP_STATUS', '404'), new Error('bug')]) {
      let calls = 0;
      const run = withRetry(() => {
        calls++;
        return Promise.reject(failure);
      }, { signal: budget(5000).signal, policy: fast });
      await expect(run).rejects.toBe(failure);
      expect(calls).toBe(1);
    }
  });

  it('waits for Retry-After when it is longer than the backoff', async () => {
    const started = Date.now();
    let calls = 0;
    await withRetry(() => (++calls === 1 ? Promise.reject(transient(400)) : Promise.resolve()), { signal: budget(5000).signal, policy: fast });
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
  });

  it('fails fast with TRAWL_RATE_LIMITED when Retry-After outlasts the budget', async () => {
    const started = Date.now();
    let calls = 0;
    const run = withRetry(() => {
      calls++;
      return Promise.reject(transient(120_000));
    }, { signal: budget(2000).signal, policy: fast });
    const err = await run.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRAWL_RATE_LIMITED' });
    expect((err as Error).message).toMatch(/asked to wait 2m, the budget has \d\.\ds left/);
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('never sleeps past the deadline when the backoff is longer than the budget', async () => {
    const slow: RetryPolicy = { attempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 };
    const failure = transient();
    const started = Date.now();
    const err = await withRetry(() => Promise.reject(failure), { signal: budget(1000).signal, policy: slow }).catch((e: unknown) => e);
    // Full jitter may pick a wait that fits; whatever it picks, the call ends by the deadline with
    // the last error (or, at the very edge, the budget's own reason).
    expect(err === failure || (err as TrawlError).code === 'TRAWL_SOURCE_TIMEOUT').toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("ends with the budget's reason when the budget ends while waiting", async () => {
    const cancel = new AbortController();
    const b = Budget.root('job', 10_000, 'TRAWL_JOB_TIMEOUT', cancel.signal);
    budgets.push(b);
    const reason = new TrawlError('TRAWL_CANCELLED', 'user cancelled');
    setTimeout(() => cancel.abort(reason), 100);
    const started = Date.now();
    const run = withRetry(() => Promise.reject(transient(5000)), { signal: b.signal, policy: fast });
    await expect(run).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

import { describe, expect, it } from 'vitest';
import { isTrawlError, TrawlError } from '../errors.js';
import { fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { type Meter, meteredGetJson, quotaFromHeaders } from './metered-request.js';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');
const PEXELS: Meter = { reset: 'unix-seconds', windowMs: 3_600_000 };
const PIXABAY: Meter = { reset: 'seconds-from-now', windowMs: 60_000 };
const UNSPLASH: Meter = { reset: 'absent', windowMs: 3_600_000, rateLimitStatuses: [403] };

describe('quotaFromHeaders', () => {
  it('reads a UNIX reset time (Pexels) and a seconds-until-reset value (Pixabay)', () => {
    const unix = { 'x-ratelimit-limit': '20000', 'x-ratelimit-remaining': '19684', 'x-ratelimit-reset': '1741392000' };
    expect(quotaFromHeaders(unix, PEXELS, NOW)).toEqual({ limit: 20000, remaining: 19684, resetAt: '2025-03-08T00:00:00.000Z' });
    const delta = { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '99', 'x-ratelimit-reset': '42' };
    expect(quotaFromHeaders(delta, PIXABAY, NOW)).toEqual({ limit: 100, remaining: 99, resetAt: '2025-03-01T12:00:42.000Z' });
  });

  it('has no reset time without a reset header, unless the quota is spent (then one window from now)', () => {
    expect(quotaFromHeaders({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '49' }, UNSPLASH, NOW)).toEqual({ limit: 50, remaining: 49, resetAt: null });
    expect(quotaFromHeaders({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '0' }, UNSPLASH, NOW)).toEqual({
      limit: 50,
      remaining: 0,
      resetAt: '2025-03-01T13:00:00.000Z',
    });
  });

  it('is null without rate-limit headers and ignores values that are not whole numbers', () => {
    expect(quotaFromHeaders({ 'content-type': 'application/json' }, PEXELS, NOW)).toBeNull();
    expect(quotaFromHeaders({ 'x-ratelimit-limit': 'lots', 'x-ratelimit-remaining': '-1' }, PEXELS, NOW)).toBeNull();
    expect(quotaFromHeaders({ 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': 'soon' }, PIXABAY, NOW)).toEqual({ limit: null, remaining: 7, resetAt: null });
  });
});

describe('meteredGetJson', () => {
  it('passes the signal and headers, returns the answer and reports its quota', async () => {
    const http = new FakeHttp([{ ok: true }], { headers: () => ({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '60' }) });
    const context = fakeContext(http);
    const before = Date.now();
    const response = await meteredGetJson('pixabay', context, 'http://127.0.0.1:9/api/?q=x', { headers: { A: 'b' }, meter: PIXABAY });
    expect(response.data).toEqual({ ok: true });
    expect(http.requests[0]?.headers).toEqual({ A: 'b' });
    expect(http.requests[0]?.signal).toBe(context.signal);
    expect(context.quotas).toHaveLength(1);
    expect(context.quotas[0]).toMatchObject({ limit: 100, remaining: 3 });
    const resetAt = Date.parse(context.quotas[0]?.resetAt ?? '');
    expect(resetAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(resetAt).toBeLessThan(Date.now() + 60_000 + 1000);
  });

  it('reports nothing for an answer without rate-limit headers', async () => {
    const context = fakeContext(new FakeHttp([{}]));
    await meteredGetJson('pexels', context, 'http://127.0.0.1:9/v1/search', { headers: {}, meter: PEXELS });
    expect(context.quotas).toEqual([]);
  });

  it('turns a 429 whose retries ran out into TRAWL_RATE_LIMITED and reports the quota spent until Retry-After', async () => {
    const transient = new TrawlError('TRAWL_HTTP_TRANSIENT', 'http://127.0.0.1:9/api/ answered 429', {
      context: { status: 429, url: 'http://127.0.0.1:9/api/', retryAfterMs: 30_000 },
    });
    const context = fakeContext(new FakeHttp([transient]));
    const error = await meteredGetJson('pixabay', context, 'http://127.0.0.1:9/api/', { headers: {}, meter: PIXABAY }).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
    expect((error as Error).message).toMatch(/^pixabay: the service is rate-limiting requests \(HTTP 429\) and asked to wait 30s;/);
    expect((error as TrawlError).context).toMatchObject({ source: 'pixabay', status: 429 });
    expect(context.quotas).toHaveLength(1);
    expect(context.quotas[0]?.remaining).toBe(0);
    expect(Date.parse(context.quotas[0]?.resetAt ?? '') - Date.now()).toBeGreaterThan(25_000);
  });

  it("names the source when the client gave up on a Retry-After longer than the budget", async () => {
    const tooLong = new TrawlError('TRAWL_RATE_LIMITED', 'http://127.0.0.1:9/v1/search asked to wait 1h, the limit is 5m', {
      context: { status: 429, retryAfterMs: 3_600_000 },
    });
    const context = fakeContext(new FakeHttp([tooLong]));
    const error = await meteredGetJson('pexels', context, 'http://127.0.0.1:9/v1/search', { headers: {}, meter: PEXELS }).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
    expect((error as Error).message).toContain('pexels: the service is rate-limiting requests (HTTP 429) and asked to wait 1h');
  });

  it("treats the meter's extra statuses as rate limiting (Unsplash's 403) but leaves other failures alone", async () => {
    const forbidden = new TrawlError('TRAWL_AUTH', 'refused with 403', { context: { status: 403 } });
    const context = fakeContext(new FakeHttp([forbidden]));
    const error = await meteredGetJson('unsplash', context, 'http://127.0.0.1:9/search/photos', { headers: {}, meter: UNSPLASH }).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
    expect((error as Error).message).toContain('unsplash: the service is rate-limiting requests (HTTP 403);');
    expect(Date.parse(context.quotas[0]?.resetAt ?? '') - Date.now()).toBeGreaterThan(3_500_000);

    for (const other of [
      new TrawlError('TRAWL_AUTH', 'refused with 401', { context: { status: 401 } }),
      new TrawlError('TRAWL_AUTH', 'refused with 403', { context: { status: 403 } }),
      new TrawlError('TRAWL_HTTP_TRANSIENT', 'answered 503', { context: { status: 503 } }),
      new TrawlError('TRAWL_SOURCE_TIMEOUT', 'budget over'),
    ]) {
      const meter = other.context.status === 403 ? PEXELS : UNSPLASH;
      const quiet = fakeContext(new FakeHttp([other]));
      await expect(meteredGetJson('pexels', quiet, 'http://127.0.0.1:9/x', { headers: {}, meter })).rejects.toBe(other);
      expect(quiet.quotas).toEqual([]);
    }
  });
});

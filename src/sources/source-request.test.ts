import { describe, expect, it } from 'vitest';
import type { SourceId } from '../domain.js';
import { isTrawlError, TrawlError } from '../errors.js';
import { fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { quotaFromHeaders } from './quota-headers.js';
import { SCRAPER_REFUSALS, sourceRequests } from './source-request.js';
import type { QuotaHeaders, RequestPolicy } from './source.js';

// The one request path every source uses: quota headers, refusals, bot checks and pauses.

const NOW = Date.parse('2025-03-01T12:00:00.000Z');
const PEXELS: QuotaHeaders = { reset: 'unix-seconds', windowMs: 3_600_000 };
const PIXABAY: QuotaHeaders = { reset: 'seconds-from-now', windowMs: 60_000 };
const UNSPLASH: QuotaHeaders = { reset: 'absent', windowMs: 3_600_000 };
const API: RequestPolicy = { pageDelay: null, refusalStatuses: [], quotaHeaders: null };
const SCRAPER: RequestPolicy = { pageDelay: { minMs: 0, maxMs: 0 }, refusalStatuses: SCRAPER_REFUSALS, quotaHeaders: null, challenge: (page) => (/captcha/.test(page) ? 'a captcha page' : null) };

const source = (id: SourceId, requests: RequestPolicy) => ({ id, requests });
const failure = (code: 'TRAWL_HTTP_TRANSIENT' | 'TRAWL_HTTP_STATUS' | 'TRAWL_AUTH' | 'TRAWL_RATE_LIMITED', status: number, extra: Record<string, unknown> = {}) =>
  new TrawlError(code, `http://127.0.0.1:9/x answered ${status}`, { context: { status, url: 'http://127.0.0.1:9/x', ...extra } });
const rejection = (promise: Promise<unknown>): Promise<TrawlError> => promise.then(() => expect.unreachable('resolved'), (err: unknown) => err as TrawlError);

describe('quotaFromHeaders', () => {
  it('reads a UNIX reset time (Pexels) and a seconds-until-reset value (Pixabay)', () => {
    const unix = { 'x-ratelimit-limit': '20000', 'x-ratelimit-remaining': '19684', 'x-ratelimit-reset': '1741392000' };
    expect(quotaFromHeaders(unix, PEXELS, NOW)).toEqual({ limit: 20000, remaining: 19684, resetAt: '2025-03-08T00:00:00.000Z' });
    const delta = { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '99', 'x-ratelimit-reset': '42' };
    expect(quotaFromHeaders(delta, PIXABAY, NOW)).toEqual({ limit: 100, remaining: 99, resetAt: '2025-03-01T12:00:42.000Z' });
  });

  it('has no reset time without a reset header, unless the quota is spent (then one window from now)', () => {
    expect(quotaFromHeaders({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '49' }, UNSPLASH, NOW)).toEqual({ limit: 50, remaining: 49, resetAt: null });
    expect(quotaFromHeaders({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '0' }, UNSPLASH, NOW)).toEqual({ limit: 50, remaining: 0, resetAt: '2025-03-01T13:00:00.000Z' });
  });

  it('is null without rate-limit headers and ignores values that are not whole numbers', () => {
    expect(quotaFromHeaders({ 'content-type': 'application/json' }, PEXELS, NOW)).toBeNull();
    expect(quotaFromHeaders({ 'x-ratelimit-limit': 'lots', 'x-ratelimit-remaining': '-1' }, PEXELS, NOW)).toBeNull();
    expect(quotaFromHeaders({ 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': 'soon' }, PIXABAY, NOW)).toEqual({ limit: null, remaining: 7, resetAt: null });
  });
});

describe('sourceRequests', () => {
  it('passes the signal and headers, returns the answer and reports its quota', async () => {
    const http = new FakeHttp([{ ok: true }], { headers: () => ({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '60' }) });
    const context = fakeContext(http);
    const before = Date.now();
    const response = await sourceRequests(source('pixabay', { ...API, quotaHeaders: PIXABAY }), context).json('http://127.0.0.1:9/api/?q=x', { A: 'b' });
    expect(response.data).toEqual({ ok: true });
    expect(http.requests[0]).toMatchObject({ headers: { A: 'b' }, signal: context.signal });
    expect(context.quotas).toEqual([{ limit: 100, remaining: 3, resetAt: expect.any(String) as string }]);
    const resetAt = Date.parse(context.quotas[0]?.resetAt ?? '');
    expect(resetAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(resetAt).toBeLessThan(Date.now() + 61_000);
  });

  it('reads no quota headers for a source that declares none', async () => {
    const http = new FakeHttp([{}], { headers: () => ({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0' }) });
    const context = fakeContext(http);
    await sourceRequests(source('openverse', API), context).json('http://127.0.0.1:9/v1/images/');
    expect(context.quotas).toEqual([]);
  });

  it('turns a 429 the retries could not ride out into TRAWL_RATE_LIMITED, the quota spent until its Retry-After', async () => {
    // Openverse and Wikimedia once let this end as TRAWL_HTTP_TRANSIENT, unlike every other source.
    for (const id of ['openverse', 'wikimedia_commons', 'nasa', 'pixabay'] as const) {
      const context = fakeContext(new FakeHttp([failure('TRAWL_HTTP_TRANSIENT', 429, { retryAfterMs: 30_000 })]));
      const error = await rejection(sourceRequests(source(id, API), context).json('http://127.0.0.1:9/x'));
      expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
      expect(error.message).toMatch(new RegExp(`^${id}: the service is rate-limiting requests \\(HTTP 429\\) and asked to wait 30s; wait a while`));
      expect(error.context).toMatchObject({ source: id, status: 429, url: 'http://127.0.0.1:9/x' });
      expect(context.quotas).toHaveLength(1);
      expect(context.quotas[0]?.remaining).toBe(0);
      expect(Date.parse(context.quotas[0]?.resetAt ?? '') - Date.now()).toBeGreaterThan(25_000);
    }
  });

  it('names the source when the client gave up on a Retry-After longer than the budget', async () => {
    const tooLong = failure('TRAWL_RATE_LIMITED', 429, { retryAfterMs: 3_600_000 });
    const error = await rejection(sourceRequests(source('pexels', { ...API, quotaHeaders: PEXELS }), fakeContext(new FakeHttp([tooLong]))).json('http://127.0.0.1:9/v1/search'));
    expect(error.message).toContain('pexels: the service is rate-limiting requests (HTTP 429) and asked to wait 1h');
    expect(error.cause).toBe(tooLong);
  });

  it("treats the source's refusal statuses as rate limiting, a metered one spent for a window, and leaves other failures alone", async () => {
    const forbidden = failure('TRAWL_AUTH', 403);
    const context = fakeContext(new FakeHttp([forbidden]));
    const error = await rejection(sourceRequests(source('unsplash', { ...API, refusalStatuses: [403], quotaHeaders: UNSPLASH }), context).json('http://127.0.0.1:9/search/photos'));
    expect(isTrawlError(error, 'TRAWL_RATE_LIMITED') && error.message).toMatch(/^unsplash: the service is rate-limiting requests \(HTTP 403\);/);
    expect(Date.parse(context.quotas[0]?.resetAt ?? '') - Date.now()).toBeGreaterThan(3_500_000);

    for (const other of [failure('TRAWL_AUTH', 401), failure('TRAWL_AUTH', 403), failure('TRAWL_HTTP_TRANSIENT', 503), new TrawlError('TRAWL_SOURCE_TIMEOUT', 'budget over')]) {
      const quiet = fakeContext(new FakeHttp([other]));
      await expect(sourceRequests(source('pexels', { ...API, quotaHeaders: PEXELS }), quiet).json('http://127.0.0.1:9/x')).rejects.toBe(other);
      expect(quiet.quotas).toEqual([]);
    }
  });

  it('refuses a scraped answer with a refusal status, even a 2xx one, without inventing a wait', async () => {
    for (const [answer, how] of [
      [{ body: 'queued', status: 202 }, 'HTTP 202'],
      [failure('TRAWL_HTTP_STATUS', 418), 'HTTP 418'],
      [failure('TRAWL_AUTH', 403), 'HTTP 403'],
    ] as const) {
      const context = fakeContext(new FakeHttp([answer]));
      const error = await rejection(sourceRequests(source('google_images', SCRAPER), context).text('http://127.0.0.1:9/search'));
      expect(error.message).toContain(`google_images: the service is rate-limiting requests (${how});`);
      expect(context.quotas).toEqual([]);
    }
  });

  it("tells a bot-check page from a page the adapter simply cannot read, by the source's own test", async () => {
    const context = fakeContext(new FakeHttp(['<form>captcha</form>', '<p>new layout</p>']));
    const requests = sourceRequests(source('bing_images', SCRAPER), context);
    const challenge = await requests.text('http://127.0.0.1:9/images/async?q=a');
    expect(() => requests.rejectChallenge(challenge)).toThrow(/^bing_images: the service is rate-limiting requests \(a captcha page\);/);
    const unreadable = await requests.text('http://127.0.0.1:9/images/async?q=b');
    expect(() => requests.rejectChallenge(unreadable)).not.toThrow();
    expect(() => sourceRequests(source('pexels', API), context).rejectChallenge(challenge)).not.toThrow();
  });

  it('pauses before every request of a search but the first, within the declared delay', async () => {
    const times: number[] = [];
    const http = new FakeHttp(() => {
      times.push(Date.now());
      return 'page';
    });
    const requests = sourceRequests(source('duckduckgo_images', { ...SCRAPER, pageDelay: { minMs: 60, maxMs: 80 } }), fakeContext(http));
    for (let i = 0; i < 3; i++) await requests.text(`http://127.0.0.1:9/p${i}`);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    expect(gaps.every((gap) => gap >= 55)).toBe(true);
    const unpaced = fakeContext(new FakeHttp(() => 'page'));
    const started = Date.now();
    const api = sourceRequests(source('pexels', API), unpaced);
    for (let i = 0; i < 3; i++) await api.text(`http://127.0.0.1:9/q${i}`);
    expect(Date.now() - started).toBeLessThan(50);
  });

  it('ends a pause at once when the budget ends', async () => {
    const controller = new AbortController();
    const context = { ...fakeContext(new FakeHttp(() => 'page')), signal: controller.signal };
    const requests = sourceRequests(source('google_images', { ...SCRAPER, pageDelay: { minMs: 10_000, maxMs: 10_000 } }), context);
    await requests.text('http://127.0.0.1:9/first');
    setTimeout(() => controller.abort(new TrawlError('TRAWL_SOURCE_TIMEOUT', 'source budget over')), 20);
    const started = Date.now();
    await expect(requests.text('http://127.0.0.1:9/second')).rejects.toMatchObject({ code: 'TRAWL_SOURCE_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

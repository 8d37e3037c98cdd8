/**
 * Network faults (docs/reliability.md, table 1), each against the real engine and the simulator:
 * one media file (or the source's API) misbehaves, the job still ends inside its budget, the
 * failing item carries its code, the other items are saved intact, nothing partial is left, and
 * every socket is closed on both sides.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';
import { blackholeConnects, dnsError, expectRow, rewrittenSource, runRow, startCanary, stubResolver } from './support/fault-kit.js';

const ENV = { TRAWL_REQUEST_TIMEOUT: '1s', TRAWL_SOURCE_TIMEOUT: '20s', TRAWL_JOB_TIMEOUT: '30s', TRAWL_MIN_SPEED: '0' };
const CATS = (n: number): string => `/media/openverse/cats-${n}.png`;
const JOB = { query: 'cats', sources: 'openverse', limit: 4 };

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ itemsPerQuery: 4 }, ENV);
});
afterEach(async () => {
  await h.close();
});


const requestsFor = (p: string): number => h.sim.requests().filter((r) => r.path.startsWith(p)).length;

describe('network faults', () => {
  it('connect that never completes: TRAWL_REQUEST_TIMEOUT per try, bounded by the request timeout', async () => {
    const canary = await startCanary('127.0.0.1');
    const hole = blackholeConnects(canary.port);
    try {
      const source = rewrittenSource((url, i) => (i === 0 ? `http://127.0.0.1:${canary.port}${url.pathname}` : url.href));
      const run = await runRow(h, JOB, { sources: [source], env: { TRAWL_ALLOW_HOSTS: '127.0.0.1' } });
      await expectRow(h, run, { [CATS(1)]: 'TRAWL_REQUEST_TIMEOUT' }, 10_000);
      // Three tries; undici 8 may let a retry wait on a connect still in progress (undici's own
      // connect timeout, equal to ours, ends it), so three tries open two or three connections.
      expect(hole.attempts()).toBeGreaterThanOrEqual(2);
      expect(hole.attempts()).toBeLessThanOrEqual(3);
      expect(canary.connections()).toBe(0);
    } finally {
      hole.restore();
      await canary.close();
    }
  });

  it('silence after accept (no headers): TRAWL_REQUEST_TIMEOUT after 3 tries', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'hang' }]);
    await expectRow(h, await runRow(h, JOB), { [CATS(1)]: 'TRAWL_REQUEST_TIMEOUT' }, 10_000);
    expect(requestsFor(CATS(1))).toBe(3);
  });

  it('headers, then silence: TRAWL_BODY_IDLE', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'headers-only' }]);
    await expectRow(h, await runRow(h, JOB), { [CATS(1)]: 'TRAWL_BODY_IDLE' }, 10_000);
  });

  it('stall mid-body: TRAWL_BODY_IDLE', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'stall' }]);
    await expectRow(h, await runRow(h, JOB), { [CATS(1)]: 'TRAWL_BODY_IDLE' }, 10_000);
  });

  it('1-byte trickle: TRAWL_TOO_SLOW at the speed window, not retried', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'trickle', bytesPerSecond: 5 }]);
    const run = await runRow(h, JOB, { env: { TRAWL_MIN_SPEED: '4KiB/1s', TRAWL_REQUEST_TIMEOUT: '5s' } });
    await expectRow(h, run, { [CATS(1)]: 'TRAWL_TOO_SLOW' }, 8_000);
    expect(requestsFor(CATS(1))).toBe(1);
  });

  it('slow but steady (above TRAWL_MIN_SPEED): saved whole, no retry', async () => {
    await h.close();
    h = await startHarness({ itemsPerQuery: 4, imageBytes: 96_000 }, ENV);
    h.sim.setFaults([{ target: CATS(1), fault: 'slow', bytesPerSecond: 32 * 1024 }]);
    const run = await runRow(h, JOB, { env: { TRAWL_MIN_SPEED: '8KiB/1s' } });
    await expectRow(h, run, {}, 15_000);
    const slow = h.sim.requests().filter((r) => r.path === CATS(1));
    expect(slow).toHaveLength(1);
    expect(run.report.items.find((i) => i.url.endsWith(CATS(1)))?.bytes).toBe(slow[0]?.bytesSent);
    // It really was slow: about 3 s for ~96 KB at 32 KiB/s.
    expect(run.elapsedMs).toBeGreaterThan(2_000);
  });

  it('reset mid-body: TRAWL_TRUNCATED after 3 tries; a single reset is retried and the file is whole', async () => {
    h.sim.setFaults([
      { target: CATS(1), fault: 'reset' },
      { target: CATS(2), fault: 'reset', times: 1 },
    ]);
    await expectRow(h, await runRow(h, JOB), { [CATS(1)]: 'TRAWL_TRUNCATED' }, 10_000);
    expect(requestsFor(CATS(1))).toBe(3);
    expect(requestsFor(CATS(2))).toBe(2);
  });

  it('body shorter than its Content-Length: TRAWL_TRUNCATED, never saved', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'truncate' }]);
    await expectRow(h, await runRow(h, JOB), { [CATS(1)]: 'TRAWL_TRUNCATED' }, 10_000);
  });

  it('429/503 with Retry-After in seconds, as an HTTP-date, huge, and garbage', async () => {
    const inAFewSeconds = new Date(Date.now() + 4_000).toUTCString();
    h.sim.setFaults([
      { target: CATS(1), fault: 'rate-limit', retryAfter: '1', times: 1 },
      { target: CATS(2), fault: 'server-error', status: 503, retryAfter: inAFewSeconds, times: 1 },
      { target: CATS(3), fault: 'rate-limit', retryAfter: '86400' },
      { target: CATS(4), fault: 'server-error', status: 503, retryAfter: 'garbage', times: 1 },
      // The search itself is rate-limited once too.
      { target: 'openverse', fault: 'rate-limit', retryAfter: '1', times: 1 },
    ]);
    const run = await runRow(h, JOB);
    // The huge wait is refused at once (no day-long sleep); the others are waited out and saved.
    await expectRow(h, run, { [CATS(3)]: 'TRAWL_RATE_LIMITED' }, 15_000);
    expect(requestsFor(CATS(3))).toBe(1);
    const tries = (p: string): number[] => h.sim.requests().filter((r) => r.path === p).map((r) => r.startedAt);
    const gap = (p: string): number => {
      const [first = 0, second = 0] = tries(p);
      return second - first;
    };
    // '1' waits a second; the HTTP-date until that date; garbage only the backoff (< 500 ms).
    expect(gap(CATS(1))).toBeGreaterThanOrEqual(900);
    expect(tries(CATS(2))[1]).toBeGreaterThanOrEqual(Date.parse(inAFewSeconds) - 100);
    expect(gap(CATS(4))).toBeLessThan(2_000);
  });

  it('redirect loop: TRAWL_TOO_MANY_REDIRECTS, not retried', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'redirect-loop' }]);
    await expectRow(h, await runRow(h, JOB), { [CATS(1)]: 'TRAWL_TOO_MANY_REDIRECTS' }, 10_000);
    expect(requestsFor(CATS(1))).toBe(1);
  });

  it('20-hop redirect chain: stopped after TRAWL_MAX_REDIRECTS hops', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'redirect-chain', hops: 20 }]);
    await expectRow(h, await runRow(h, JOB), { [CATS(1)]: 'TRAWL_TOO_MANY_REDIRECTS' }, 10_000);
    expect(requestsFor(CATS(1))).toBe(6);
  });

  it('DNS failure (stub resolver): TRAWL_DNS, asked once', async () => {
    const resolver = stubResolver((name) => dnsError('ENOTFOUND', name));
    const source = rewrittenSource((url, i) => (i === 0 ? `http://missing.trawl.test:${url.port}${url.pathname}` : url.href));
    const run = await runRow(h, JOB, { sources: [source], lookup: resolver.lookup });
    await expectRow(h, run, { [CATS(1)]: 'TRAWL_DNS' }, 10_000);
    expect(resolver.calls).toEqual(['missing.trawl.test']);
  });
});

describe('a source that always fails', () => {
  it('opens its breaker after TRAWL_BREAKER_FAILURES jobs; the other source finishes every time', async () => {
    h.sim.setFaults([{ target: 'openverse', fault: 'server-error', status: 500 }]);
    const env = { TRAWL_BREAKER_FAILURES: '2', TRAWL_BREAKER_COOLDOWN: '10m' };
    const job = { query: 'cats', sources: 'openverse,wikimedia_commons', limit: 2 };
    for (let i = 0; i < 2; i++) {
      const run = await runRow(h, job, { env });
      expect(run.job.status).toBe('completed');
      expect(run.report.sources.map((s) => [s.source, s.status, s.error?.code ?? null])).toEqual([
        ['openverse', 'failed', 'TRAWL_HTTP_TRANSIENT'],
        ['wikimedia_commons', 'done', null],
      ]);
    }
    const before = h.sim.requests().filter((r) => r.source === 'openverse').length;
    const open = await runRow(h, job, { env });
    expect(open.job.status).toBe('completed');
    expect(open.report.sources[0]).toMatchObject({ source: 'openverse', status: 'skipped', error: { code: 'TRAWL_CIRCUIT_OPEN' } });
    expect(open.report.sources[1]).toMatchObject({ source: 'wikimedia_commons', status: 'done', downloaded: 2 });
    expect(open.elapsedMs).toBeLessThan(5_000);
    expect(h.sim.requests().filter((r) => r.source === 'openverse').length).toBe(before);
  });
});

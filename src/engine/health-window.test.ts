import { describe, expect, it } from 'vitest';
import type { StoredSourceOutcome } from '../store/store.js';
import { HEALTH_WINDOW, percentile, summarizeWindow } from './health-window.js';

const outcome = (n: number, status: StoredSourceOutcome['status'], elapsedMs: number): StoredSourceOutcome => ({
  source: 'pexels',
  jobId: `job-${n}`,
  status,
  elapsedMs,
  saved: status === 'ok' ? 1 : 0,
  error: status === 'ok' ? null : { code: status === 'failed' ? 'TRAWL_HTTP_TRANSIENT' : 'TRAWL_SOURCE_TIMEOUT', message: `run ${n}` },
  at: new Date(Date.UTC(2030, 0, 1, 0, 0, n)).toISOString(),
});

describe('percentile', () => {
  it('picks by nearest rank, whatever the input order', () => {
    const values = [50, 10, 40, 20, 30, 100, 90, 80, 70, 60];
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.95)).toBe(100);
    expect(percentile(values, 0.1)).toBe(10);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe('summarizeWindow', () => {
  it('has no rate, latency or error before the first run', () => {
    expect(summarizeWindow([])).toEqual({
      runs: 0, ok: 0, failed: 0, timedOut: 0, successRate: null, latencyMs: { p50: null, p95: null }, lastError: null, lastRunAt: null,
    });
  });

  it('counts outcomes, the success rate, latency percentiles and the newest error', () => {
    const outcomes = [outcome(1, 'ok', 100), outcome(2, 'failed', 400), outcome(3, 'ok', 200), outcome(4, 'timed_out', 3000), outcome(5, 'ok', 300)];
    expect(summarizeWindow(outcomes)).toEqual({
      runs: 5,
      ok: 3,
      failed: 1,
      timedOut: 1,
      successRate: 0.6,
      latencyMs: { p50: 300, p95: 3000 },
      lastError: { code: 'TRAWL_SOURCE_TIMEOUT', message: 'run 4', at: outcomes[3]?.at },
      lastRunAt: outcomes[4]?.at,
    });
  });

  it('only counts the newest HEALTH_WINDOW runs', () => {
    // 10 old failures, then HEALTH_WINDOW successes: the failures have left the window.
    const old = Array.from({ length: 10 }, (_, n) => outcome(n, 'failed', 9000));
    const recent = Array.from({ length: HEALTH_WINDOW }, (_, n) => outcome(10 + n, 'ok', 100 + n));
    const health = summarizeWindow([...old, ...recent]);
    expect(health).toMatchObject({ runs: HEALTH_WINDOW, ok: HEALTH_WINDOW, failed: 0, successRate: 1, lastError: null });
    expect(health.latencyMs.p95).toBe(100 + HEALTH_WINDOW - 2);
  });
});

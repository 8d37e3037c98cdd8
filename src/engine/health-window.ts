import type { ErrorInfo } from '../domain.js';
import type { StoredSourceOutcome } from '../store/store.js';

/** How many recent runs of each source health remembers (and the store keeps). */
export const HEALTH_WINDOW = 20;

/** What the last `HEALTH_WINDOW` runs of a source say about it. */
export interface HealthWindow {
  /** Runs in the window; the counts below add up to it. */
  runs: number;
  ok: number;
  failed: number;
  timedOut: number;
  /** `ok / runs` from 0 to 1, null before the first run. */
  successRate: number | null;
  /** Run durations (search and downloads together) over the window, nearest-rank percentiles. */
  latencyMs: { p50: number | null; p95: number | null };
  /** The newest failed or timed-out run's error and when it ended. */
  lastError: (ErrorInfo & { at: string }) | null;
  /** When the newest run in the window ended. */
  lastRunAt: string | null;
}

/**
 * The `p` percentile (0 < p ≤ 1) of `values` by nearest rank: always one of the values, so a p95
 * of few runs is the slowest of them rather than an interpolation. Null when there are none.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? null;
}

/** The health of a source from its outcomes, oldest first; only the newest `HEALTH_WINDOW` count. */
export function summarizeWindow(outcomes: readonly StoredSourceOutcome[]): HealthWindow {
  const window = outcomes.slice(-HEALTH_WINDOW);
  const ok = window.filter((o) => o.status === 'ok').length;
  const failed = window.filter((o) => o.status === 'failed').length;
  const latencies = window.map((o) => o.elapsedMs);
  const lastBad = window.findLast((o) => o.status !== 'ok' && o.error !== null);
  return {
    runs: window.length,
    ok,
    failed,
    timedOut: window.length - ok - failed,
    successRate: window.length === 0 ? null : ok / window.length,
    latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) },
    lastError: lastBad?.error ? { ...lastBad.error, at: lastBad.at } : null,
    lastRunAt: window.at(-1)?.at ?? null,
  };
}

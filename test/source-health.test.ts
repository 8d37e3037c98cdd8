/**
 * Source health and circuit breakers with the real engine against the simulator: a source whose API
 * keeps failing opens its breaker, later jobs skip it (and never call it) while the other sources
 * work, and after the cool-down one trial run against the recovered service closes it again. Each
 * job runs in a fresh runtime, as separate `trawl fetch` processes would: the breaker's state comes
 * from the database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import type { JobEvents } from '../src/engine/events.js';
import { listSourceStatus } from '../src/services/source-status.js';
import { SOURCE_LIST } from '../src/sources/registry.js';
import { type Harness, runEngine, startHarness } from './support/harness.js';

const FAILURES = 3;
// Long enough that the job right after the opening still finds the breaker open on a busy machine.
const COOLDOWN = '2s';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ itemsPerQuery: 4 }, { TRAWL_BREAKER_FAILURES: String(FAILURES), TRAWL_BREAKER_COOLDOWN: COOLDOWN });
});
afterEach(async () => {
  await h.close();
});

/** One job over pexels and openverse; returns the pexels and openverse runs and the job's alerts. */
async function harvestBoth() {
  const alerts: JobEvents['alert'][] = [];
  const { job, report } = await runEngine(h, { query: 'cats', sources: 'pexels,openverse', limit: 2 }, {
    onRuntime: (runtime) => runtime.deps.bus.subscribe((event) => (event.name === 'alert' ? alerts.push(event.data) : undefined)),
  });
  const pexels = report.sources.find((s) => s.source === 'pexels');
  const openverse = report.sources.find((s) => s.source === 'openverse');
  return { job, pexels, openverse, alerts };
}

async function pexelsStatus() {
  const statuses = await listSourceStatus(loadConfig({ env: h.env, cwd: h.cwd }), SOURCE_LIST);
  return statuses.find((s) => s.id === 'pexels');
}

const pexelsApiCalls = (): number => h.sim.requests().filter((r) => r.source === 'pexels' && r.target === 'api').length;

describe('a circuit breaker per source', () => {
  it('opens after repeated failures, skips the source while open, and closes after a successful trial run', async () => {
    h.sim.setFaults([{ target: 'pexels', fault: 'server-error', status: 503 }]);
    for (let n = 1; n <= FAILURES; n++) {
      const { job, pexels, openverse, alerts } = await harvestBoth();
      expect(job.status).toBe('completed');
      expect(pexels).toMatchObject({ status: 'failed', error: { code: 'TRAWL_HTTP_TRANSIENT' } });
      expect(openverse).toMatchObject({ status: 'done', downloaded: 2 });
      const opened = alerts.filter((a) => a.level === 'error' && a.source === 'pexels');
      expect(opened.map((a) => a.message)).toEqual(n < FAILURES ? [] : [expect.stringMatching(/^pexels: circuit open after 3 failures in a row; next try after \d{4}-\d\d-\d\dT/)]);
    }

    const open = await pexelsStatus();
    expect(open?.health).toMatchObject({ runs: FAILURES, ok: 0, failed: FAILURES, successRate: 0, lastError: { code: 'TRAWL_HTTP_TRANSIENT' } });
    expect(open?.health.breaker).toMatchObject({ state: 'open', consecutiveFailures: FAILURES });
    expect(open?.health.latencyMs.p95).toBeGreaterThan(0);

    const callsBefore = pexelsApiCalls();
    const skipped = await harvestBoth();
    expect(skipped.job.status).toBe('completed');
    expect(skipped.openverse).toMatchObject({ status: 'done', downloaded: 2 });
    expect(skipped.pexels?.status).toBe('skipped');
    expect(skipped.pexels?.error?.code).toBe('TRAWL_CIRCUIT_OPEN');
    expect(skipped.pexels?.error?.message).toBe(`pexels: circuit open after 3 failures in a row; next try after ${open?.health.breaker.retryAt ?? '?'}`);
    expect(pexelsApiCalls()).toBe(callsBefore);

    // The service recovers; once the cool-down is over, one job's run is the trial, and it closes the breaker.
    h.sim.clearFaults();
    const retryAt = Date.parse(open?.health.breaker.retryAt ?? '');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, retryAt - Date.now()) + 50));
    expect((await pexelsStatus())?.health.breaker.state).toBe('half_open');
    const trial = await harvestBoth();
    expect(trial.pexels).toMatchObject({ status: 'done', downloaded: 2 });
    expect(trial.job.status).toBe('completed');

    const closed = await pexelsStatus();
    expect(closed?.health).toMatchObject({ runs: FAILURES + 1, ok: 1, lastError: { code: 'TRAWL_HTTP_TRANSIENT' } });
    expect(closed?.health.breaker).toEqual({ state: 'closed', consecutiveFailures: 0, openedAt: null, retryAt: null });
  });

  it('does not count skipped or unconfigured runs against a source', async () => {
    await runEngine(h, { query: 'cats', sources: 'pexels,openverse', limit: 1 }, { env: { PEXELS_API_KEY: '' } });
    const status = await pexelsStatus();
    expect(status?.health).toMatchObject({ runs: 0, successRate: null, breaker: { state: 'closed', consecutiveFailures: 0 } });
  });
});

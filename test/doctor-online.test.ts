/**
 * `trawl doctor --online` as a user runs it (the built CLI) against the simulator: one source hangs
 * and must be reported as a timeout within the request budget, one has no key and is skipped naming
 * the variable, the rest answer; the exit code says there is a problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../src/services/doctor.js';
import { type Harness, runCli, startHarness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ itemsPerQuery: 2 });
  h.sim.setFaults([{ target: 'openverse', fault: 'hang' }]);
});
afterAll(async () => {
  await h.close();
});

describe('trawl doctor --online', () => {
  it('reports each source within the request budget, a hanging one as timed out, an unconfigured one as skipped', async () => {
    const { PIXABAY_API_KEY: _unset, ...env } = h.env;
    const result = await runCli(['doctor', '--online', '--json'], { ...h, env }, { env: { TRAWL_REQUEST_TIMEOUT: '2s' } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.elapsedMs).toBeLessThan(15_000);
    const report = JSON.parse(result.stdout) as DoctorReport & { ok: boolean };
    const outcomes = Object.fromEntries((report.online ?? []).map((probe) => [probe.source, probe.outcome]));
    expect(outcomes).toMatchObject({ openverse: 'timed_out', pixabay: 'skipped', pexels: 'ok', nasa: 'ok', wikimedia_commons: 'ok' });
    expect(report.online?.find((probe) => probe.source === 'openverse')?.latencyMs).toBeLessThan(4_000);
    expect(report.online?.find((probe) => probe.source === 'pixabay')?.detail).toContain('PIXABAY_API_KEY is not set');
    expect(report.problems).toEqual([expect.stringMatching(/^openverse: no answer within TRAWL_REQUEST_TIMEOUT \(2\.0s\)/) as string]);

    const text = await runCli(['doctor', '--online'], { ...h, env }, { env: { TRAWL_REQUEST_TIMEOUT: '2s' } });
    expect(text.stdout).toMatch(/PROBLEM {2}online: openverse: no answer within TRAWL_REQUEST_TIMEOUT/);
    expect(text.stdout).toMatch(/ok {7}online: pexels: reachable, HTTP 200 in \d+ ms/);
    expect(text.stdout).toMatch(/ok {7}online: pixabay: skipped, not configured: PIXABAY_API_KEY is not set/);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { createHttpClient, httpClientOptionsFrom } from '../net/undici-http-client.js';
import { type Simulator, startSimulator } from '../sim/simulator.js';
import { SOURCE_LIST } from '../sources/registry.js';
import { runDoctor } from './doctor.js';

let sim: Simulator;
let cwd: string;
beforeAll(async () => {
  sim = await startSimulator({ itemsPerQuery: 3 });
  cwd = await mkdtemp(path.join(os.tmpdir(), 'trawl-doctor-online-'));
});
afterEach(() => sim.clearFaults());
afterAll(async () => {
  await sim.close();
  await rm(cwd, { recursive: true, force: true });
});

/** `trawl doctor` against the simulator, online (the real HTTP client) unless `online` is false. */
async function doctor(extraEnv: Record<string, string> = {}, online = true) {
  const env: Record<string, string> = { ...sim.env(), TRAWL_DATA_DIR: path.join(cwd, 'data'), ...extraEnv };
  for (const [name, value] of Object.entries(extraEnv)) if (value === '') delete env[name];
  const config = loadConfig({ env, cwd });
  if (!online) return runDoctor(config, { env, registry: SOURCE_LIST });
  const http = createHttpClient(httpClientOptionsFrom(config));
  try {
    return await runDoctor(config, { env, registry: SOURCE_LIST, online: http });
  } finally {
    await http.close();
  }
}

describe('trawl doctor --online, against the simulator', () => {
  it('sends one small search per source and reports reachability, status, latency and quota', async () => {
    const before = sim.requests().length;
    const report = await doctor();
    expect(report.problems).toEqual([]);
    expect(report.online?.map((probe) => [probe.source, probe.outcome, probe.status])).toEqual(SOURCE_LIST.map((source) => [source.id, 'ok', 200]));
    for (const probe of report.online ?? []) expect(probe.latencyMs).toBeGreaterThanOrEqual(0);
    // Pexels announces its quota in X-Ratelimit-* headers.
    expect(report.online?.find((probe) => probe.source === 'pexels')?.quota).toMatchObject({ remaining: expect.any(Number) as number, limit: expect.any(Number) as number });
    expect(report.checks.filter((check) => check.name === 'online').map((check) => check.detail)).toContainEqual(expect.stringMatching(/^pexels: reachable, HTTP 200 in \d+ ms, quota \d+ of \d+ left/) as string);
    // Small: the search requests (a source may need a second one for its first page), no media.
    const requests = sim.requests().slice(before);
    expect(requests.filter((r) => r.target === 'media')).toEqual([]);
    expect(requests.length).toBeLessThanOrEqual(2 * SOURCE_LIST.length);
    for (const source of SOURCE_LIST) expect(requests.some((r) => r.source === source.id), source.id).toBe(true);
  });

  it('reports a hanging source as timed out within the request budget, and one without its key as skipped', async () => {
    sim.setFaults([{ target: 'pexels', fault: 'hang' }]);
    const before = sim.requests().length;
    const started = Date.now();
    const report = await doctor({ TRAWL_REQUEST_TIMEOUT: '1s', UNSPLASH_ACCESS_KEY: '' });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(5_000);
    const byId = new Map(report.online?.map((probe) => [probe.source, probe]));
    expect(byId.get('pexels')).toMatchObject({ outcome: 'timed_out', status: null, error: { code: 'TRAWL_REQUEST_TIMEOUT' } });
    expect(byId.get('pexels')?.latencyMs).toBeLessThan(3_000);
    expect(byId.get('unsplash')).toMatchObject({ outcome: 'skipped', status: null, latencyMs: null, detail: 'unsplash: skipped, not configured: UNSPLASH_ACCESS_KEY is not set' });
    expect(sim.requests().slice(before).some((r) => r.source === 'unsplash')).toBe(false);
    expect(byId.get('openverse')?.outcome).toBe('ok');
    expect(report.problems).toEqual([expect.stringMatching(/^pexels: no answer within TRAWL_REQUEST_TIMEOUT \(1\.0s\); gave up after/) as string]);
  });

  it('reports the status of a service that refuses, without printing its API key', async () => {
    sim.setFaults([{ target: 'pixabay', fault: 'server-error', status: 403 }]);
    const report = await doctor();
    const pixabay = report.online?.find((probe) => probe.source === 'pixabay');
    expect(pixabay).toMatchObject({ outcome: 'failed', status: 403, error: { code: 'TRAWL_AUTH' } });
    expect(report.problems).toEqual([expect.stringMatching(/^pixabay: TRAWL_AUTH: /) as string]);
    expect(pixabay?.error?.message).toContain('key=***');
    expect(JSON.stringify(report)).not.toContain(sim.env().PIXABAY_API_KEY);
  });

  it('contacts no source without --online', async () => {
    const before = sim.requests().length;
    const report = await doctor({}, false);
    expect(report.online).toBeUndefined();
    expect(sim.requests().length).toBe(before);
  });
});

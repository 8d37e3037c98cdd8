import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.js';
import { SOURCE_IDS } from '../../domain.js';
import { API_KEY_VARS, SOURCE_LIST, SOURCES } from '../../sources/registry.js';
import { availability } from '../../sources/source.js';
import { startSimulator } from '../simulator.js';
import { SIM_ROUTES } from './registry.js';

// The simulator stands in for every source Trawl has, under the same ids and key variables.

describe('the simulator and the source registry', () => {
  it('have one route per source, under the id its adapter uses', () => {
    expect(Object.keys(SIM_ROUTES).sort()).toEqual([...SOURCE_IDS].sort());
    expect(Object.keys(SOURCES).sort()).toEqual([...SOURCE_IDS].sort());
    for (const [id, route] of Object.entries(SIM_ROUTES)) expect(route.source).toBe(id);
    for (const [id, source] of Object.entries(SOURCES)) expect(source.id).toBe(id);
  });

  it("hands out an origin for every source and exactly the key variables the adapters declare, so each one is ready", async () => {
    const sim = await startSimulator();
    const cwd = await mkdtemp(path.join(tmpdir(), 'trawl-sim-registry-'));
    try {
      const env = sim.env();
      expect(Object.keys(env).filter((name) => name.startsWith('TRAWL_ORIGIN_')).sort()).toEqual(SOURCE_IDS.map((id) => `TRAWL_ORIGIN_${id.toUpperCase()}`).sort());
      expect(Object.keys(env).filter((name) => !name.startsWith('TRAWL_')).sort()).toEqual([...API_KEY_VARS].sort());
      const config = loadConfig({ env, cwd });
      expect(SOURCE_LIST.filter((source) => !availability(source, config).ok).map((source) => source.id)).toEqual([]);
      expect(Object.values(config.origins)).toEqual(SOURCE_IDS.map(() => sim.url));
    } finally {
      await sim.close();
      await rm(cwd, { recursive: true, force: true });
    }
  });
});

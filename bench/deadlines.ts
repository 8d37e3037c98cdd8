/**
 * Deadline overshoot: how long after a budget's deadline the socket is really closed.
 *   - hang: the source's API accepts the request and never answers; the source budget ends it.
 *   - trickle: a media body arrives 5 bytes/s; the source budget ends it (speed guard off).
 *   - cancel: a stalled download; the user cancels the job.
 * The deadline comes from the store (source start + budget); the close time from the simulator's
 * socket 'close' event. Usage: tsx bench/deadlines.ts [runs=30]
 */
import { loadConfig } from '../src/config/config.js';
import { harvest } from '../src/services/harvest.js';
import { buildJobRequest } from '../src/services/job-request.js';
import { openRuntime } from '../src/services/runtime.js';
import { type FaultRule, startSimulator } from '../src/sim/simulator.js';
import { SOURCE_LIST } from '../src/sources/registry.js';
import { percentile, saveResult, tempDir } from './support.js';

const RUNS = Number(process.argv[2] ?? 30);
const BUDGET = '400ms';

interface Scenario {
  name: string;
  faults: FaultRule[];
  /** Cancel the job this many ms after start instead of letting the budget expire. */
  cancelAfterMs?: number;
}

const scenarios: Scenario[] = [
  { name: 'hang (source budget)', faults: [{ target: 'openverse', fault: 'hang' }] },
  { name: 'trickle (source budget)', faults: [{ target: 'openverse:media', fault: 'trickle', bytesPerSecond: 5 }] },
  { name: 'cancel (user)', faults: [{ target: 'openverse:media', fault: 'stall' }], cancelAfterMs: 300 },
];

async function measure(scenario: Scenario): Promise<number[]> {
  const sim = await startSimulator({ itemsPerQuery: 4 });
  const cwd = await tempDir('deadlines');
  const env = { ...sim.env(), TRAWL_DATA_DIR: `${cwd}/data`, TRAWL_MIN_SPEED: '0' };
  const config = loadConfig({ env, cwd });
  const runtime = await openRuntime(config);
  const overshoots: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      sim.setFaults(scenario.faults);
      const before = sim.requests().length;
      const request = buildJobRequest({ query: `q${i}`, sources: 'openverse', limit: 2, outDir: `${cwd}/out`, timeouts: { request: '30s', source: BUDGET } }, config, SOURCE_LIST);
      const cancel = new AbortController();
      const started = Date.now();
      const timer = scenario.cancelAfterMs === undefined ? undefined : setTimeout(() => cancel.abort(), scenario.cancelAfterMs);
      const job = await harvest(runtime, request, { cancel: cancel.signal });
      clearTimeout(timer);
      const run = job.sources[0];
      const deadline = scenario.cancelAfterMs === undefined ? Date.parse(run?.startedAt ?? '') + (run?.budgetMs ?? 0) : started + scenario.cancelAfterMs;
      // requests() returns copies: match by id, and read the close times after waiting for them.
      const ids = new Set(sim.requests().slice(before).filter((r) => r.fault !== null).map((r) => r.id));
      await sim.waitForClosed((r) => ids.has(r.id), 5_000);
      for (const r of sim.requests().filter((x) => ids.has(x.id))) overshoots.push((r.closedAt ?? Number.NaN) - deadline);
    }
  } finally {
    await runtime.close();
    await sim.close();
  }
  return overshoots;
}

const table: Array<Record<string, unknown>> = [];
for (const scenario of scenarios) {
  const values = await measure(scenario);
  table.push({ scenario: scenario.name, sockets: values.length, p50Ms: percentile(values, 50), p99Ms: percentile(values, 99), maxMs: Math.max(...values) });
}
console.table(table);
console.log(`goal: p99 ≤ 100 ms after the deadline; results in ${await saveResult('deadlines', { runs: RUNS, budget: BUDGET, table })}`);

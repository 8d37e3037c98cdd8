/**
 * Trawl's SQLite store on better-sqlite3 against the same store on Node's built-in node:sqlite
 * (docs/benchmarks.md, "SQLite driver"). The store's code is the same for both: for node:sqlite each
 * process is started with `--import bench/node-sqlite-hook.mjs`, which puts bench/node-sqlite-driver.mjs
 * (better-sqlite3's API on node:sqlite) in place of `better-sqlite3`.
 *
 * Two measurements, each a fresh process per run, the drivers alternating (the machine is shared:
 * medians of the runs, and the ratio node:sqlite ÷ better-sqlite3 is the number to read):
 * - harvest: bench/harvest-worker.mjs (the compiled engine, as in bench/scaling.ts) fetches `--items`
 *   20 KiB images from the simulator: items/s from spawn to exit, peak RSS, time in store writes;
 * - micro: the store's hot path in one process: create jobs, append events in batches of 10, add
 *   items under a lease (one transaction each, as the engine writes them), read a job, list a job's
 *   1,000 items; as operations per CPU-second (wall time on a shared machine measures the load).
 * Writes bench/results/sqlite-drivers-node<major>.json (one file per Node major: node:sqlite is
 * part of Node, so its numbers belong to the runtime).
 * Run `npm run build` first (the harvest runs dist/). Needs Node 22.15+ (module.registerHooks).
 * Usage: tsx bench/sqlite-drivers.ts [--runs 5] [--items 2000] [--skip-harvest]
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { type Item, pendingRun } from '../src/domain.js';
import { startSimulator } from '../src/sim/simulator.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite.store.js';
import type { NewJob, Store } from '../src/store/store.js';
import { exec, runTool, type RunResult } from './peers.js';
import { percentile, saveResult, tempDir } from './support.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string' }, items: { type: 'string' }, 'skip-harvest': { type: 'boolean' }, child: { type: 'boolean' } } });
const RUNS = Number(args.runs ?? 5);
const ITEMS = Number(args.items ?? 2000);
const IMAGE_KIB = 20;
const HOOK = path.join(import.meta.dirname, 'node-sqlite-hook.mjs');
const DRIVERS = ['better-sqlite3', 'node:sqlite'] as const;
type Driver = (typeof DRIVERS)[number];
/** Operation → operations per CPU-second, from one micro run. */
type Rates = Record<string, number>;

// Micro-benchmark sizes: large enough that one operation's noise averages out, small enough for a
// run to take seconds.
const JOBS = 500;
const EVENT_BATCHES = 1000;
const EVENTS_PER_BATCH = 10;
const ITEM_JOBS = 5;
const ITEMS_PER_JOB = 1000;
const READS = 2000;
const LISTS = 50;

const newJob = (id: string): NewJob => ({
  id,
  query: 'bench',
  type: 'image',
  limit: ITEMS_PER_JOB,
  outDir: 'out',
  budgets: { requestMs: 10_000, sourceMs: 30_000, jobMs: 300_000 },
  sources: [pendingRun('pexels'), pendingRun('openverse'), pendingRun('nasa')],
  createdAt: new Date().toISOString(),
});

const newItem = (jobId: string, n: number): Item => ({
  id: `${jobId}-item-${n}`,
  jobId,
  source: 'pexels',
  kind: 'image',
  url: `http://127.0.0.1:9/media/${n}.jpg`,
  pageUrl: `http://127.0.0.1:9/photo/${n}`,
  title: `Photo ${n}`,
  author: 'Someone',
  authorUrl: null,
  license: 'Pexels License',
  licenseUrl: null,
  licenseCode: 'pexels',
  width: 640,
  height: 480,
  path: `out/${n}.jpg`,
  bytes: 20_480,
  sha256: n.toString(16).padStart(64, '0'),
  contentType: 'image/jpeg',
  createdAt: new Date().toISOString(),
});

/**
 * Runs `op` n times in a row and returns operations per CPU-second (user + system time of this
 * process): on a shared machine wall time mostly measures the neighbours, CPU time the work.
 */
async function rate(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await op(i);
  const used = process.cpuUsage(before);
  return Math.round((n * 1e6) / (used.user + used.system));
}

/** The store's hot path on a fresh file, `tag` keeping ids apart; returns each operation's rate. */
async function hotPath(store: Store, tag: string, scale: number): Promise<Rates> {
  const count = (n: number): number => Math.max(1, Math.round(n * scale));
  const createJob = await rate(count(JOBS), (i) => store.createJob(newJob(`${tag}-job-${i}`)));
  const itemJobs = Array.from({ length: ITEM_JOBS }, (_, k) => `${tag}-job-${k}`);
  const leases = await Promise.all(itemJobs.map((id) => store.claimJob(id, 'bench', new Date().toISOString())));
  const batch = (i: number): { jobId: string; name: string; data: unknown }[] =>
    Array.from({ length: EVENTS_PER_BATCH }, (_, k) => ({ jobId: itemJobs[0] ?? '', name: 'item', data: { n: i * EVENTS_PER_BATCH + k, url: `http://127.0.0.1:9/media/${i}` } }));
  const appendEvents = (await rate(count(EVENT_BATCHES), (i) => store.appendEvents(batch(i)))) * EVENTS_PER_BATCH;
  const perJob = count(ITEMS_PER_JOB);
  const addItem = await rate(ITEM_JOBS * perJob, (i) => store.addItem(newItem(itemJobs[i % ITEM_JOBS] ?? '', i), leases[i % ITEM_JOBS]));
  const getJob = await rate(count(READS), (i) => store.getJob(`${tag}-job-${i % count(JOBS)}`));
  const listItems = await rate(count(LISTS), () => store.listItems(itemJobs[1] ?? ''));
  return { createJob, [`appendEvents (events, ${EVENTS_PER_BATCH} a batch)`]: appendEvents, addItem, getJob, [`listItems (${perJob} rows)`]: listItems };
}

/** The child side of a micro run: warm up, measure, print one JSON line. */
async function microChild(): Promise<void> {
  const dir = await tempDir('sqlite-micro');
  try {
    const store = openSqliteStore(path.join(dir, 'trawl.db'));
    await store.migrate();
    await hotPath(store, 'warm', 0.1);
    const rates = await hotPath(store, 'run', 1);
    await store.close();
    const probe = new Database(':memory:');
    const sqlite = (probe.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    probe.close();
    process.stdout.write(`${JSON.stringify({ rates, sqlite, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const nodeOptions = (driver: Driver): string => (driver === 'node:sqlite' ? `--import=${HOOK}` : '');
/** Both drivers once per run, the first alternating, so drift on the machine hits both alike. */
const order = (run: number): Driver[] => (run % 2 === 0 ? [...DRIVERS] : [...DRIVERS].reverse());
const median = (values: number[]): number => percentile(values, 50);

interface MicroRun {
  rates: Rates;
  sqlite: string;
  peakRssMiB: number;
}

async function microRuns(): Promise<Record<Driver, MicroRun[]>> {
  const runs: Record<Driver, MicroRun[]> = { 'better-sqlite3': [], 'node:sqlite': [] };
  for (let run = 0; run < RUNS; run++) {
    for (const driver of order(run)) {
      const argv = ['--import', 'tsx', path.join(import.meta.dirname, 'sqlite-drivers.ts'), '--child'];
      const out = await exec(process.execPath, argv, { ...process.env, NODE_OPTIONS: nodeOptions(driver) });
      const result = JSON.parse(out) as MicroRun;
      runs[driver].push(result);
      process.stderr.write(`  micro ${driver} (SQLite ${result.sqlite}), run ${run + 1}: addItem ${result.rates.addItem}/s\n`);
    }
  }
  return runs;
}

async function harvestRuns(): Promise<Record<Driver, RunResult[]>> {
  const jobs = Math.ceil(ITEMS / 1000);
  const limits = Array.from({ length: jobs }, (_, k) => Math.floor(ITEMS / jobs) + (k < ITEMS % jobs ? 1 : 0));
  const sim = await startSimulator({ itemsPerQuery: 1000, imageBytes: IMAGE_KIB * 1024, sharedPixels: true });
  const runs: Record<Driver, RunResult[]> = { 'better-sqlite3': [], 'node:sqlite': [] };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const driver of order(run)) {
        const dir = await tempDir('sqlite-harvest');
        try {
          const result = await runTool('trawl', { listFile: '', curlConfig: '', limits, env: { ...sim.env(), NODE_OPTIONS: nodeOptions(driver) } }, dir, '');
          if (result.files !== ITEMS) throw new Error(`${driver} run ${run + 1} saved ${result.files} of ${ITEMS} items`);
          runs[driver].push(result);
          process.stderr.write(`  harvest ${driver}, run ${run + 1}: ${(ITEMS / result.seconds).toFixed(0)} items/s\n`);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await sim.close();
  }
  return runs;
}

type Row = { metric: string } & Record<Driver, number> & { 'node ÷ better': number };

function row(metric: string, values: (driver: Driver) => number[]): Row {
  const better = median(values('better-sqlite3'));
  const node = median(values('node:sqlite'));
  return { metric, 'better-sqlite3': better, 'node:sqlite': node, 'node ÷ better': Math.round((node / better) * 100) / 100 };
}

function harvestRows(runs: Record<Driver, RunResult[]>): Row[] {
  const storeMs = (r: RunResult): number => Object.values((r.detail?.storeMs ?? {}) as Record<string, number>).reduce((a, b) => a + b, 0);
  return [
    row(`harvest ${ITEMS} × ${IMAGE_KIB} KiB: items/s`, (d) => runs[d].map((r) => Math.round(ITEMS / r.seconds))),
    row('harvest: peak RSS MiB', (d) => runs[d].map((r) => Number(r.detail?.peakRssMiB))),
    row('harvest: CPU ms', (d) => runs[d].map((r) => Number(r.detail?.cpuMs))),
    row('harvest: store writes µs/item', (d) => runs[d].map((r) => Math.round((storeMs(r) * 1000) / ITEMS))),
  ];
}

function microRows(runs: Record<Driver, MicroRun[]>): Row[] {
  const ops = Object.keys(runs['better-sqlite3'][0]?.rates ?? {});
  return [
    ...ops.map((op) => row(`store ${op}: ops per CPU-second`, (d) => runs[d].map((r) => r.rates[op] ?? Number.NaN))),
    row('store micro: peak RSS MiB', (d) => runs[d].map((r) => r.peakRssMiB)),
  ];
}

async function main(): Promise<void> {
  const micro = await microRuns();
  const harvest = args['skip-harvest'] === true ? undefined : await harvestRuns();
  const rows = [...(harvest === undefined ? [] : harvestRows(harvest)), ...microRows(micro)];
  console.table(rows);
  const sqlite = Object.fromEntries(DRIVERS.map((d) => [d, micro[d][0]?.sqlite]));
  console.log(`SQLite ${JSON.stringify(sqlite)}, ${RUNS} runs per driver, medians`);
  const how = 'one process per run, drivers alternating, medians; node:sqlite through bench/node-sqlite-driver.mjs';
  console.log(`results in ${await saveResult(`sqlite-drivers-node${process.versions.node.split('.')[0]}`, { items: ITEMS, imageKiB: IMAGE_KIB, runs: RUNS, sqlite, how, rows, micro, harvest })}`);
}

await (args.child === true ? microChild() : main());

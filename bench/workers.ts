/**
 * Jobs per minute with 1, 2 and 4 `trawl worker` processes sharing one queue, on PostgreSQL (and on
 * one SQLite file for comparison). The jobs are queued first; then the workers start and the clock
 * runs until every job has ended. Each worker runs TRAWL_MAX_CONCURRENT_JOBS=2 jobs at once.
 * Usage: npx tsx bench/workers.ts [jobs=60] [workers=1,2,4]   (needs `npm run build`; PostgreSQL from
 * TRAWL_TEST_DATABASE_URL, default the local server, where a throw-away database is made per run)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { submitJob } from '../src/services/harvest.js';
import { buildJobRequest } from '../src/services/job-request.js';
import { openRuntime } from '../src/services/runtime.js';
import { startSimulator } from '../src/sim/simulator.js';
import { openStore } from '../src/store/open-store.js';
import { createTestDatabase, postgresUnavailable } from '../test/support/postgres.js';
import { saveResult, tempDir } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const jobCount = Number(process.argv[2] ?? 60);
const workerCounts = (process.argv[3] ?? '1,2,4').split(',').map(Number);

interface Row {
  database: string;
  workers: number;
  jobs: number;
  completed: number;
  wallMs: number;
  jobsPerMinute: number;
}

/** One run: a fresh database, `jobCount` queued jobs, `workers` processes, wall time to the last end. */
async function run(database: 'postgres' | 'sqlite', workers: number): Promise<Row> {
  const sim = await startSimulator({ itemsPerQuery: 5, sharedPixels: true });
  const dir = await tempDir('workers');
  const env: Record<string, string> = { ...sim.env(), TRAWL_DATA_DIR: path.join(dir, 'data'), TRAWL_MAX_CONCURRENT_JOBS: '2', TRAWL_QUEUE_POLL_INTERVAL: '100ms'};
  const db = database === 'postgres' ? await createTestDatabase() : undefined;
  if (db !== undefined) env.TRAWL_DATABASE_URL = db.url;
  const config = loadConfig({ env, cwd: dir });
  const runtime = await openRuntime(config);
  const ids: string[] = [];
  for (let n = 0; n < jobCount; n++) {
    const request = buildJobRequest({ query: `cats ${n}`, sources: ['openverse'], limit: 5, outDir: path.join(dir, 'data', 'library') }, config, runtime.deps.sources);
    ids.push((await submitJob(runtime, request)).id);
  }
  await runtime.close();
  const children: ChildProcess[] = [];
  const started = Date.now();
  for (let w = 0; w < workers; w++) {
    children.push(spawn(process.execPath, [path.join(ROOT, 'bin/trawl.js'), 'worker'], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' }));
  }
  const store = await openStore(config);
  let completed = 0;
  try {
    for (;;) {
      const jobs = await store.listJobs({ limit: 1000 });
      const ended = jobs.filter((job) => ids.includes(job.id) && !['queued', 'running'].includes(job.status));
      if (ended.length === ids.length) {
        completed = ended.filter((job) => job.status === 'completed').length;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await store.close();
  }
  const wallMs = Date.now() - started;
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once('close', resolve) : resolve(undefined)))));
  await sim.close();
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
  return { database, workers, jobs: jobCount, completed, wallMs, jobsPerMinute: Math.round((jobCount / wallMs) * 60_000) };
}

const unavailable = await postgresUnavailable();
if (unavailable !== undefined) console.warn(`${unavailable}: SQLite only`);
const postgresUp = unavailable === undefined;
const rows: Row[] = [];
for (const database of postgresUp ? (['postgres', 'sqlite'] as const) : (['sqlite'] as const)) {
  for (const workers of workerCounts) rows.push(await run(database, workers));
}
console.log(`\n${jobCount} jobs (openverse, 5 images each), TRAWL_MAX_CONCURRENT_JOBS=2 per worker`);
console.log('database   workers  completed  wall s  jobs/min  vs 1 worker');
for (const row of rows) {
  const one = rows.find((r) => r.database === row.database && r.workers === workerCounts[0]);
  const ratio = one === undefined ? '' : (row.jobsPerMinute / one.jobsPerMinute).toFixed(2);
  console.log(`${row.database.padEnd(10)} ${String(row.workers).padStart(7)}  ${String(row.completed).padStart(9)}  ${(row.wallMs / 1000).toFixed(1).padStart(6)}  ${String(row.jobsPerMinute).padStart(8)}  ${ratio.padStart(11)}`);
}
console.log(`results: ${await saveResult('workers', { jobs: jobCount, rows })}`);

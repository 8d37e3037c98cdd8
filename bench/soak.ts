/**
 * Soak: many short jobs through a real `trawl serve` child process, with random simulator faults
 * (seeded; the seed is printed so a run can be repeated) and a kill -9 of the server every K jobs,
 * each followed by a restart. At the end, with the server stopped: no job is `running`, every saved
 * item's file exists with its recorded sha256, and no temp file remains anywhere.
 *
 * Usage: npm run soak -- [jobs=1000] [killEvery=100] [seed]
 * Writes bench/results/soak.json; exits 1 when a check fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FaultKind, FaultRule, Simulator } from '../src/sim/simulator.js';
import { startSimulator } from '../src/sim/simulator.js';
import { seededUint32 } from '../src/sim/random.js';
import { saveResult, tempDir } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SOURCES = ['openverse', 'wikimedia_commons', 'pexels'] as const;
/** Faults for media URLs, and those that also make sense for a source's API requests. */
const MEDIA_FAULTS: readonly FaultKind[] = [
  'hang', 'stall', 'headers-only', 'trickle', 'reset', 'truncate', 'rate-limit', 'server-error', 'html-as-image',
  'truncated-image', 'huge-dimensions', 'oversized', 'endless', 'gzip-bomb', 'redirect-loop', 'redirect-chain', 'redirect-private',
];
const API_FAULTS: readonly FaultKind[] = ['hang', 'reset', 'truncate', 'rate-limit', 'server-error'];
/** Short budgets so a faulted job ends in seconds; the same for every job. */
const TIMEOUTS = { request: '1s', source: '4s', job: '8s' };
const SERVER_ENV = {
  TRAWL_MAX_CONCURRENT_JOBS: '6',
  // Also sets the orphan rule: a temp file idle for 2 × 1 s after its worker died is swept.
  TRAWL_REQUEST_TIMEOUT: '1s',
  TRAWL_HEARTBEAT_INTERVAL: '500ms',
  TRAWL_STUCK_AFTER: '1500ms',
  TRAWL_MIN_SPEED: '4KiB/1s',
  TRAWL_MAX_FILE_SIZE: '8MiB',
  TRAWL_BREAKER_COOLDOWN: '2s',
};

type Random = () => number;

interface Server {
  child: ChildProcess;
  url: string;
}

interface Options {
  jobs: number;
  killEvery: number;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const [jobs = '1000', killEvery = '100', seed = String(Math.floor(Math.random() * 2 ** 31))] = argv;
  const options = { jobs: Number(jobs), killEvery: Number(killEvery), seed: Number(seed) };
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isInteger(value) || value < 0 || (name !== 'seed' && value < 1)) throw new Error(`soak: ${name} must be a positive whole number; got ${String(value)}`);
  }
  return options;
}

/** Starts `trawl serve --port 0` in `cwd` and resolves once it listens. */
function startServer(cwd: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/trawl.js'), 'serve', '--port', '0'], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`trawl serve did not start in 30 s:\n${stderr}`)), 30_000);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`trawl serve exited (${String(code)}) before listening:\n${stderr}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;

/** The simulator's path for the k-th image a source finds for "soak n" (see src/sim/simulator.ts). */
function mediaPath(source: string, n: number, k: number): string {
  return source === 'wikimedia_commons' ? `/media/wikimedia_commons/Soak_${n}_${k}.png` : `/media/${source}/soak-${n}-${k}.png`;
}

/**
 * 0–2 one-shot faults for job `n`: most on one of its own media files (exact paths, so a fault
 * never lands on a neighbour and none is left over when a source is skipped), some on a source's
 * search API (shared by overlapping jobs: these may hit a neighbour).
 */
function randomFaults(random: Random, n: number, job: SoakJob): FaultRule[] {
  const count = Math.floor(random() * 3);
  return Array.from({ length: count }, (): FaultRule => {
    const source = pick(random, job.sources);
    const onApi = random() < 0.2;
    const fault = pick(random, onApi ? API_FAULTS : MEDIA_FAULTS);
    const target = onApi ? source : mediaPath(source, n, 1 + Math.floor(random() * job.limit));
    const rule: FaultRule = { target, fault, times: 1 };
    if (fault === 'rate-limit') rule.retryAfter = '1';
    if (fault === 'redirect-chain') rule.hops = 8;
    return rule;
  });
}

interface SoakJob {
  query: string;
  sources: string[];
  limit: number;
  timeouts: typeof TIMEOUTS;
}

/** A job body: 1–3 random sources, 1–3 items each. */
function randomJob(random: Random, n: number): SoakJob {
  const sources = SOURCES.filter(() => random() < 0.6);
  return { query: `soak ${n}`, sources: sources.length > 0 ? sources : ['openverse'], limit: 1 + Math.floor(random() * 3), timeouts: TIMEOUTS };
}

async function api<T>(server: Server, pathname: string, body?: unknown): Promise<T> {
  const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(`${server.url}${pathname}`, init);
  if (!res.ok) throw new Error(`${pathname} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Ids of jobs the server still has queued or running. */
async function unfinished(server: Server): Promise<Set<string>> {
  const { jobs } = await api<{ jobs: { id: string }[] }>(server, '/api/jobs?status=queued,running&limit=1000');
  return new Set(jobs.map((j) => j.id));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until at most `left` of `ids` are unfinished. */
async function waitForFinished(server: Server, ids: string[], left: number): Promise<void> {
  for (;;) {
    const open = await unfinished(server);
    if (ids.filter((id) => open.has(id)).length <= left) return;
    await sleep(100);
  }
}

interface Tally {
  submitted: number;
  kills: number;
  planned: Record<string, number>;
}

/** Submits one batch with its faults; kills the server (kill -9) partway through it and restarts it. */
async function runBatch(ctx: { sim: Simulator; cwd: string; env: Record<string, string>; random: Random }, server: Server, size: number, tally: Tally): Promise<Server> {
  const ids: string[] = [];
  for (let i = 0; i < size; i++) {
    const n = tally.submitted + i;
    const job = randomJob(ctx.random, n);
    for (const rule of randomFaults(ctx.random, n, job)) {
      ctx.sim.addFault(rule);
      tally.planned[rule.fault] = (tally.planned[rule.fault] ?? 0) + 1;
    }
    ids.push((await api<{ id: string }>(server, '/api/jobs', job)).id);
  }
  tally.submitted += size;
  // Kill while about a third to two thirds of the batch is still to do: jobs are mid-download.
  await waitForFinished(server, ids, Math.floor(size * (0.3 + 0.4 * ctx.random())));
  server.child.kill('SIGKILL');
  await exited(server.child);
  tally.kills++;
  return startServer(ctx.cwd, ctx.env);
}

/** Every file below `dir`, relative. */
async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

interface Verdict {
  jobsByStatus: Record<string, number>;
  /** Error codes of the jobs that did not complete (TRAWL_WORKER_LOST = closed by the reaper after a kill). */
  jobErrors: Record<string, number>;
  /** Files saved twice by one job (a restarted job must never repeat work it already saved). */
  duplicateItems: number;
  /** Source runs by `status code` (code when they have one). */
  sourceRuns: Record<string, number>;
  itemsVerified: number;
  itemsBad: string[];
  tempFiles: string[];
}

/** What the data directory holds once the server is stopped. */
async function verify(cwd: string, dataDir: string): Promise<Verdict> {
  const db = new Database(path.join(dataDir, 'trawl.db'), { readonly: true });
  try {
    const statuses = db.prepare('SELECT status, count(*) AS n FROM jobs GROUP BY status').all() as { status: string; n: number }[];
    const errors = db.prepare('SELECT error_code AS code, count(*) AS n FROM jobs WHERE error_code IS NOT NULL GROUP BY error_code').all() as { code: string; n: number }[];
    const runs = db.prepare("SELECT status || coalesce(' ' || error_code, '') AS what, count(*) AS n FROM source_runs GROUP BY what ORDER BY n DESC").all() as { what: string; n: number }[];
    const duplicates = db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM items GROUP BY job_id, sha256 HAVING count(*) > 1)').get() as { n: number };
    const items = db.prepare('SELECT path, bytes, sha256 FROM items').all() as { path: string; bytes: number; sha256: string }[];
    const itemsBad: string[] = [];
    for (const item of items) {
      const bytes = await readFile(path.resolve(cwd, item.path)).catch(() => undefined);
      const ok = bytes !== undefined && bytes.length === item.bytes && createHash('sha256').update(bytes).digest('hex') === item.sha256;
      if (!ok) itemsBad.push(item.path);
    }
    const tempFiles = (await walk(cwd)).filter((f) => /(^|\/)\.trawl-|\.part$|\.tmp$/.test(f));
    return {
      jobsByStatus: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
      jobErrors: Object.fromEntries(errors.map((e) => [e.code, e.n])),
      duplicateItems: duplicates.n,
      sourceRuns: Object.fromEntries(runs.map((r) => [r.what, r.n])),
      itemsVerified: items.length - itemsBad.length,
      itemsBad,
      tempFiles,
    };
  } finally {
    db.close();
  }
}

/** Responses the simulator bent, by fault kind (each hop of a redirect chain counts), from its request log. */
function firedFaults(sim: Simulator): Record<string, number> {
  const fired: Record<string, number> = {};
  for (const r of sim.requests()) if (r.fault !== null) fired[r.fault] = (fired[r.fault] ?? 0) + 1;
  return fired;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  console.log(`soak: ${options.jobs} jobs, kill -9 every ${options.killEvery}, seed ${options.seed}`);
  const next = seededUint32(options.seed);
  const random: Random = () => next() / 2 ** 32;
  const started = Date.now();
  const sim = await startSimulator({ itemsPerQuery: 4 });
  const cwd = await tempDir('soak');
  const dataDir = path.join(cwd, 'data');
  const env = { PATH: process.env.PATH ?? '', ...sim.env(), ...SERVER_ENV, TRAWL_DATA_DIR: dataDir };
  const tally: Tally = { submitted: 0, kills: 0, planned: {} };
  let server = await startServer(cwd, env);
  try {
    while (tally.submitted < options.jobs) {
      server = await runBatch({ sim, cwd, env, random }, server, Math.min(options.killEvery, options.jobs - tally.submitted), tally);
      console.log(`soak: ${tally.submitted} jobs submitted, ${tally.kills} kills, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    // Let the last restart's queue and reaper finish every job, then stop the server cleanly.
    await waitUntilIdle(server);
  } finally {
    server.child.kill('SIGINT');
    await exited(server.child);
    await sim.close();
  }
  const verdict = await verify(cwd, dataDir);
  const summary = summarize(options, tally, firedFaults(sim), verdict, Date.now() - started);
  console.log(JSON.stringify(summary, null, 2));
  console.log(`results: ${await saveResult('soak', summary)}`);
  const ok = summary.jobsLeftRunning === 0 && verdict.duplicateItems === 0 && verdict.itemsBad.length === 0 && verdict.tempFiles.length === 0 && summary.jobs === sum(verdict.jobsByStatus);
  console.log(ok ? 'soak: PASS' : 'soak: FAIL');
  if (ok && process.env.SOAK_KEEP === undefined) await rm(cwd, { recursive: true, force: true });
  else console.log(`soak: data kept in ${cwd}`);
  process.exitCode = ok ? 0 : 1;
}

/** The numbers a soak run reports (printed and saved). */
function summarize(options: Options, tally: Tally, faulted: Record<string, number>, verdict: Verdict, wallMs: number): Record<string, unknown> & { jobsLeftRunning: number; jobs: number } {
  return {
    seed: options.seed,
    jobs: tally.submitted,
    kills: tally.kills,
    faultsPlanned: tally.planned,
    faultedResponses: faulted,
    jobsByStatus: verdict.jobsByStatus,
    jobErrors: verdict.jobErrors,
    sourceRuns: verdict.sourceRuns,
    jobsLeftRunning: (verdict.jobsByStatus.running ?? 0) + (verdict.jobsByStatus.queued ?? 0),
    duplicateItems: verdict.duplicateItems,
    filesVerified: verdict.itemsVerified,
    filesBad: verdict.itemsBad,
    tempFilesLeft: verdict.tempFiles,
    wallTimeS: Math.round(wallMs / 100) / 10,
  };
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * Waits until no job is queued or running (the reaper closes the last kill's jobs), then until the
 * reaper has had a pass after the dead worker's temp files aged into orphans (idle longer than
 * max(TRAWL_STUCK_AFTER, 2 × TRAWL_REQUEST_TIMEOUT)) — the product's rule, not a shortcut.
 */
async function waitUntilIdle(server: Server): Promise<void> {
  while ((await unfinished(server)).size > 0) await sleep(200);
  await sleep(2_000 + 2 * 500 + 500);
}

await main();

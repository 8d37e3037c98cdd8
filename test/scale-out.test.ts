/**
 * Scale-out with real processes: one API node (`trawl serve --no-worker`) and three `trawl worker`
 * processes share one database (SQLite file, and PostgreSQL where it runs) and one queue. Thirty
 * jobs go in through the API; one worker is killed with SIGKILL while it runs a job, and a job
 * running on another worker is cancelled through the API node. Every job must end exactly once,
 * the dead worker's jobs closed by the others, no item recorded twice, and the API node's event
 * stream must show jobs it never ran. Only the PIDs spawned here are ever signalled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { type Job, pendingRun } from '../src/domain.js';
import { openStore } from '../src/store/open-store.js';
import { type Harness, ROOT, leftoverTempFiles, startHarness, waitFor } from './support/harness.js';
import { TEST_SERVER_URL, createTestDatabase, postgresUnavailable } from './support/postgres.js';

const HEARTBEAT_MS = 500;
const STUCK_AFTER_MS = 1000;
const JOBS = 30;
const WORKERS = 3;
const ENV = {
  TRAWL_HEARTBEAT_INTERVAL: `${HEARTBEAT_MS}ms`,
  TRAWL_STUCK_AFTER: `${STUCK_AFTER_MS}ms`,
  TRAWL_QUEUE_POLL_INTERVAL: '100ms',
  TRAWL_MAX_CONCURRENT_JOBS: '2',
  TRAWL_REQUEST_TIMEOUT: '1s',
  // Media arrive slowly on purpose (the simulator's `slow` fault) so jobs are mid-flight when hit.
  TRAWL_MIN_SPEED: '0',
};
const TERMINAL = new Set(['completed', 'failed', 'timed_out', 'cancelled']);

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

function start(args: string[], h: Harness, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/trawl.js'), ...args], {
    cwd: h.cwd,
    env: { PATH: process.env.PATH ?? '', ...h.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { child, output: () => output, exited };
}

/** Collects the names and job ids of an SSE stream's events until aborted. */
function collectEvents(url: string, signal: AbortSignal): Array<{ name: string; jobId: string }> {
  const seen: Array<{ name: string; jobId: string }> = [];
  void (async () => {
    const res = await fetch(url, { signal });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const name = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (name !== undefined && data !== undefined) seen.push({ name, jobId: (JSON.parse(data) as { jobId: string }).jobId });
      }
    }
  })().catch(() => undefined);
  return seen;
}

const pidOf = (worker: string | null): number => Number(worker?.split(':').at(-2));

const unavailable = await postgresUnavailable();
const backends = [{ name: 'SQLite', postgres: false }, ...(unavailable === undefined ? [{ name: 'PostgreSQL', postgres: true }] : [])];
if (unavailable !== undefined) console.warn(`scale-out.test.ts: PostgreSQL runs skipped: ${unavailable}`);

describe.skipIf(process.platform === 'win32').each(backends)('scale-out on $name: an API node and three workers', ({ postgres }) => {
  let h: Harness;
  let dropDatabase = (): Promise<void> => Promise.resolve();
  let env: Record<string, string> = {};
  const procs: Proc[] = [];

  beforeAll(async () => {
    h = await startHarness({ itemsPerQuery: 4 }, ENV);
    h.sim.setFaults([
      { target: '/media/openverse/stuck-1.png', fault: 'trickle' },
      { target: 'openverse:media', fault: 'slow', bytesPerSecond: 40_000 },
    ]);
    if (postgres) {
      const db = await createTestDatabase();
      dropDatabase = () => db.drop();
      env = { TRAWL_DATABASE_URL: db.url };
    }
  });
  afterAll(async () => {
    for (const proc of procs) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await Promise.all(procs.map((proc) => proc.exited));
    await dropDatabase();
    await h.close();
  });

  it(`runs ${JOBS} jobs exactly once, closes a killed worker's job, and cancels across processes`, async () => {
    const api = start(['serve', '--no-worker', '--port', '0'], h, env);
    procs.push(api);
    const base = await waitFor('the API node to listen', () => /listening on (http:\/\/\S+) /.exec(api.output())?.[1]);
    expect(api.output()).toContain('runs no jobs (--no-worker)');
    const stream = new AbortController();
    const events = collectEvents(`${base}/api/events`, stream.signal);
    const workers = Array.from({ length: WORKERS }, () => start(['worker'], h, env));
    procs.push(...workers);
    await waitFor('the workers to start', () => (workers.every((w) => w.output().includes('runs up to 2 jobs')) ? true : undefined));

    const submit = async (query: string): Promise<string> => {
      const res = await fetch(`${base}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, sources: ['openverse'], limit: 2 }) });
      expect(res.status).toBe(201);
      return ((await res.json()) as Job).id;
    };
    const getJob = async (id: string): Promise<Job> => (await (await fetch(`${base}/api/jobs/${id}`)).json()) as Job;
    // One job trickles forever (until cancelled); the rest are ordinary.
    const stuckId = await submit('stuck');
    const ids = [stuckId];
    for (let n = 1; n < JOBS; n++) ids.push(await submit(`cats ${n}`));
    const running = async (): Promise<Job[]> => ((await (await fetch(`${base}/api/jobs?status=running&limit=100`)).json()) as { jobs: Job[] }).jobs;
    const stuck = await waitFor('the trickling job to run', async () => {
      const job = await getJob(stuckId);
      return job.status === 'running' ? job : undefined;
    });

    // kill -9 another worker in the middle of a job.
    const victimJob = await waitFor('a job running on another worker', async () => (await running()).find((job) => job.worker !== stuck.worker && workers.some((w) => w.child.pid === pidOf(job.worker))));
    const victim = workers.find((w) => w.child.pid === pidOf(victimJob.worker));
    victim?.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim?.exited;

    // Cancel the trickling job through the API node: its worker is another process.
    const cancel = await fetch(`${base}/api/jobs/${stuckId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    const target = stuck;

    const jobs = await waitFor(
      'every job to end',
      async () => {
        const list = ((await (await fetch(`${base}/api/jobs?limit=100`)).json()) as { jobs: Job[] }).jobs.filter((job) => ids.includes(job.id));
        return list.length === JOBS && list.every((job) => TERMINAL.has(job.status)) ? list : undefined;
      },
      90_000,
    );
    const byId = new Map(jobs.map((job) => [job.id, job]));
    const diedWithWorker = (id: string): boolean => {
      const job = byId.get(id);
      return job?.worker === victimJob.worker && job.error?.code !== 'TRAWL_WORKER_LOST';
    };

    const lost = jobs.filter((job) => job.error?.code === 'TRAWL_WORKER_LOST');
    expect(lost.map((job) => job.id)).toContain(victimJob.id);
    for (const job of lost) {
      expect(job).toMatchObject({ status: 'failed', worker: victimJob.worker });
      // Closed by another process within the stuck threshold and a reaper pass of its heartbeat.
      const reapedAfter = Date.parse(job.finishedAt ?? '') - killedAt;
      console.info(`scale-out: job ${job.id} of the killed worker closed ${reapedAfter} ms after kill -9 (heartbeat ${HEARTBEAT_MS} ms, stuck after ${STUCK_AFTER_MS} ms)`);
      expect(reapedAfter).toBeLessThan(STUCK_AFTER_MS + 2 * HEARTBEAT_MS + 1000);
    }
    expect(byId.get(target.id)).toMatchObject({ status: 'cancelled', error: { code: 'TRAWL_CANCELLED' } });
    const others = jobs.filter((job) => job.id !== target.id && !lost.includes(job));
    expect(others.map((job) => job.status)).toEqual(others.map(() => 'completed'));
    // The live workers shared the work.
    const live = workers.filter((w) => w !== victim).map((w) => w.child.pid);
    expect(new Set(others.map((job) => pidOf(job.worker))).size).toBeGreaterThan(1);
    expect(others.every((job) => live.includes(pidOf(job.worker)) || job.worker === victimJob.worker)).toBe(true);

    // Exactly once, from the database: one start per job, no item recorded twice.
    const store = await openStore(loadConfig({ env: { ...h.env, ...env }, cwd: h.cwd }));
    try {
      for (const id of ids) {
        const log = await store.listEvents(id);
        expect(log.filter((event) => event.name === 'job.started').length).toBeLessThanOrEqual(1);
        // A job the killed worker had just finished may have lost its last events with the process
        // (its state in the database is what counts); every other job has its job.finished.
        const finished = log.filter((event) => event.name === 'job.finished').length;
        if (diedWithWorker(id)) expect(finished).toBeLessThanOrEqual(1);
        else expect(finished, `job ${id}: ${log.map((e) => e.name).join(',')}`).toBe(1);
        const items = await store.listItems(id);
        expect(new Set(items.map((item) => item.url)).size).toBe(items.length);
        expect(items.length).toBe(byId.get(id)?.downloaded);
      }
    } finally {
      await store.close();
    }

    // The API node ran nothing, yet its stream showed every job's end.
    const expected = ids.filter((id) => !diedWithWorker(id));
    await waitFor('the API stream to show every job.finished', () => (expected.every((id) => events.some((e) => e.name === 'job.finished' && e.jobId === id)) ? true : undefined), 10_000);
    expect(events.some((e) => e.name === 'item.saved')).toBe(true);
    stream.abort();
    // The killed worker's half-written file is swept by the reaper of the others.
    await waitFor('no temp file left in the library', async () => ((await leftoverTempFiles(path.join(h.cwd, 'data', 'library'))).length === 0 ? true : undefined), 15_000);

    for (const proc of [api, ...workers.filter((w) => w !== victim)]) proc.child.kill('SIGTERM');
    await Promise.all(procs.map((proc) => proc.exited));
    for (const worker of workers.filter((w) => w !== victim)) expect(worker.output()).toContain('trawl worker: stopping');
  });
});

describe.skipIf(process.platform === 'win32' || unavailable !== undefined)('a PostgreSQL outage under a running worker', () => {
  it('ends with the job closed once the database is back, the worker alive, and one log line per outage', async () => {
    const h = await startHarness({ itemsPerQuery: 3 }, ENV);
    // Media trickle: the job is mid-download, with a heartbeat to miss, when the database goes.
    h.sim.setFaults([{ target: 'openverse:media', fault: 'trickle' }]);
    const db = await createTestDatabase();
    const name = new URL(db.url).pathname.slice(1);
    const env = { TRAWL_DATABASE_URL: db.url };
    const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    const worker = start(['worker'], h, env);
    try {
      const config = loadConfig({ env: { ...h.env, ...env }, cwd: h.cwd });
      const store = await openStore(config);
      const job = await store.createJob({
        id: randomUUID(),
        query: 'cats',
        type: 'image',
        limit: 3,
        outDir: path.join(h.cwd, 'data', 'library'),
        budgets: { requestMs: 10_000, sourceMs: 60_000, jobMs: 60_000 },
        sources: [pendingRun('openverse')],
        createdAt: new Date().toISOString(),
      });
      await waitFor('the job to run', async () => ((await store.getJob(job.id))?.status === 'running' ? true : undefined));
      await store.close();

      // The database refuses every connection for 4 heartbeats (well past TRAWL_STUCK_AFTER).
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      await new Promise((resolve) => setTimeout(resolve, 4 * HEARTBEAT_MS));
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);

      const back = new Date().toISOString();

      // Either the worker's heartbeat got through first and the job lives on (its heartbeat is newer
      // than the outage), or a reaper pass came first and closed it TRAWL_WORKER_LOST, after which
      // the worker, finding its lease gone, writes nothing more. Never a running job nobody beats.
      const after = await openStore(config);
      try {
        const settled = await waitFor('the job to live on or be closed', async () => {
          const now = await after.getJob(job.id);
          if (now?.status === 'running' && (now.heartbeatAt ?? '') > back) return now;
          return now !== undefined && TERMINAL.has(now.status) ? now : undefined;
        });
        if (settled.status === 'running') {
          await after.requestCancel(job.id, { code: 'TRAWL_CANCELLED', message: 'test over' }, new Date().toISOString());
          const ended = await waitFor('the cancel to reach the worker', async () => {
            const now = await after.getJob(job.id);
            return now !== undefined && TERMINAL.has(now.status) ? now : undefined;
          });
          expect(ended).toMatchObject({ status: 'cancelled', worker: settled.worker });
        } else {
          expect(settled).toMatchObject({ status: 'failed', error: { code: 'TRAWL_WORKER_LOST' } });
          await new Promise((resolve) => setTimeout(resolve, 2 * HEARTBEAT_MS));
          expect(await after.getJob(job.id)).toEqual(settled);
        }
        console.info(`scale-out: after a ${4 * HEARTBEAT_MS} ms database outage the running job ${settled.status === 'running' ? 'lived on' : 'was closed as worker lost'}`);
      } finally {
        await after.close();
      }
      expect(worker.child.exitCode).toBeNull();
      const log = await readFile(path.join(h.cwd, 'data', 'logs', 'trawl.log'), 'utf8');
      expect(log.split('JOB QUEUE PICK FAILED').length - 1).toBe(1);
      expect(log).toContain('JOB QUEUE PICK RECOVERED');
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
      await db.drop();
      await h.close();
    }
  });
});

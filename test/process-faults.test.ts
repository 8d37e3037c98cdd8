/**
 * Real processes, real faults: a `trawl fetch` killed with SIGKILL in the middle of a job, one
 * frozen with SIGSTOP past its lease, and one cancelled from another process. The simulator runs on
 * 127.0.0.1; one media file trickles forever, so the job is mid-flight with items saved and a temp
 * file open when the fault hits. Only the PIDs spawned here are ever signalled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Item, Job } from '../src/domain.js';
import { EventBus } from '../src/engine/events.js';
import { silentLogger } from '../src/logging/logger.js';
import { startReaper } from '../src/services/reaper.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/sqlite.store.js';
import type { StoredEvent } from '../src/store/store.js';
import { type Harness, ROOT, leftoverTempFiles, runCli, startHarness, waitFor } from './support/harness.js';

const HEARTBEAT_MS = 500;
const STUCK_AFTER_MS = 1500;
const REQUEST_TIMEOUT_MS = 1000;
/** Temp files idle this long are orphans (the reaper's rule: TRAWL_STUCK_AFTER and 2 × request timeout). */
const ORPHAN_AFTER_MS = Math.max(STUCK_AFTER_MS, 2 * REQUEST_TIMEOUT_MS);
const ENV = {
  TRAWL_HEARTBEAT_INTERVAL: `${HEARTBEAT_MS}ms`,
  TRAWL_STUCK_AFTER: `${STUCK_AFTER_MS}ms`,
  TRAWL_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_MS}ms`,
  // The trickling file must stay in flight, not be cut as too slow.
  TRAWL_MIN_SPEED: '0',
};
/** Two files arrive at once; the third trickles a byte every 200 ms and never ends. */
const FETCH_ARGS = ['fetch', 'cats', '--sources', 'openverse', '--limit', '3', '--out', 'downloads', '--json'];
const TRICKLING = '/media/openverse/cats-3.png';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  at: number;
}

interface Fetch {
  child: ChildProcess;
  exited: Promise<Exit>;
}

function startFetch(h: Harness): Fetch {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/trawl.js'), ...FETCH_ARGS], {
    cwd: h.cwd,
    env: { PATH: process.env.PATH ?? '', ...h.env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, at: Date.now() }));
  });
  return { child, exited };
}

const sleepUntil = (at: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

describe.skipIf(process.platform === 'win32')('process faults (real processes and signals)', () => {
  let h: Harness;
  let store: SqliteStore | undefined;
  const spawned: ChildProcess[] = [];

  beforeEach(async () => {
    h = await startHarness({ itemsPerQuery: 3 }, ENV);
    h.sim.setFaults([{ target: TRICKLING, fault: 'trickle' }]);
  });
  afterEach(async () => {
    for (const child of spawned.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
    }
    await store?.close();
    store = undefined;
    await h.close();
  });

  const db = (): SqliteStore => (store ??= openSqliteStore(path.join(h.cwd, 'data', 'trawl.db'), { readonly: true }));
  const fetch = (): Fetch => {
    const run = startFetch(h);
    spawned.push(run.child);
    return run;
  };

  /** The running job once two items are saved and the third is being written to a temp file. */
  const midFlight = (): Promise<Job> =>
    waitFor('the job to be running with 2 items saved and a temp file open', async () => {
      if (!existsSync(path.join(h.cwd, 'data', 'trawl.db'))) return undefined;
      // The fetch may still be creating the schema.
      const [job] = await db()
        .listJobs({ status: ['running'] })
        .catch(() => []);
      if (job === undefined || job.downloaded < 2) return undefined;
      return (await leftoverTempFiles(path.join(h.cwd, 'downloads'))).length > 0 ? job : undefined;
    });

  const leaseVersion = (id: string): number => {
    const raw = new Database(path.join(h.cwd, 'data', 'trawl.db'), { readonly: true });
    try {
      return (raw.prepare('SELECT lease_version FROM jobs WHERE id = ?').get(id) as { lease_version: number }).lease_version;
    } finally {
      raw.close();
    }
  };

  /** Every saved item's file exists with its recorded size and hash. */
  const expectItemsIntact = async (items: Item[]): Promise<void> => {
    expect(items.length).toBeGreaterThanOrEqual(2);
    for (const item of items) {
      const bytes = await readFile(path.join(h.cwd, item.path));
      expect(bytes.length).toBe(item.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(item.sha256);
    }
  };

  const killMidFlight = async (): Promise<{ job: Job; items: Item[]; killedAt: number }> => {
    const run = fetch();
    const job = await midFlight();
    const items = await db().listItems(job.id);
    run.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect((await run.exited).signal).toBe('SIGKILL');
    return { job, items, killedAt };
  };

  /**
   * Restarts once the job is stuck and the dead worker's temp file is an orphan. Alongside, a bare
   * `trawl --version` measures process start-up under the same load: time the restarted process
   * spends before it can do anything (about a second on a busy machine).
   */
  const restartWhenStale = async (killedAt: number, args: string[]): Promise<{ restartedAt: number; startupMs: number; result: Awaited<ReturnType<typeof runCli>> }> => {
    await sleepUntil(killedAt + ORPHAN_AFTER_MS + 100);
    const restartedAt = Date.now();
    const [baseline, result] = await Promise.all([runCli(['--version'], h), runCli(args, h)]);
    return { restartedAt, startupMs: baseline.elapsedMs, result };
  };

  const expectReaped = async (job: Job, items: Item[], killedAt: number, restart: { restartedAt: number; startupMs: number }, label: string): Promise<void> => {
    const closed = await db().getJob(job.id);
    expect(closed?.status).toBe('failed');
    expect(closed?.error?.code).toBe('TRAWL_WORKER_LOST');
    expect(closed?.error?.message).toMatch(new RegExp(`^worker ${job.worker ?? ''} lost: last heartbeat .*; last source running: openverse$`));
    const closedAt = Date.parse(closed?.finishedAt ?? '');
    const detection = { killToClosedMs: closedAt - killedAt, restartToClosedMs: closedAt - restart.restartedAt, startupMs: restart.startupMs };
    console.log(`[detection] ${label}: ${JSON.stringify({ ...detection, heartbeatMs: HEARTBEAT_MS, stuckAfterMs: STUCK_AFTER_MS })}`);
    // Closed within 2 heartbeats of the restarted process being up.
    expect(detection.restartToClosedMs - restart.startupMs).toBeLessThanOrEqual(2 * HEARTBEAT_MS);
    expect(await db().listItems(job.id)).toEqual(items);
    await expectItemsIntact(items);
    expect(await leftoverTempFiles(path.join(h.cwd, 'downloads'))).toEqual([]);
    expect(await leftoverTempFiles(path.join(h.cwd, 'data'))).toEqual([]);
  };

  it('kill -9 mid-job: `trawl jobs cleanup` closes it as worker lost, items intact, no temp files', async () => {
    const { job, items, killedAt } = await killMidFlight();
    const { result, ...restart } = await restartWhenStale(killedAt, ['jobs', 'cleanup']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${job.id} "cats": worker ${job.worker ?? ''} lost`);
    expect(result.stdout).toMatch(/removed [1-9]\d* orphaned temp files? from /);
    await expectReaped(job, items, killedAt, restart, 'kill -9, then trawl jobs cleanup');
    expect((await db().listEvents(job.id)).slice(-2).map((event) => event.name)).toEqual(['alert', 'job.finished']);
  });

  it('kill -9 mid-job: the next `trawl fetch` closes it at start-up', async () => {
    const { job, items, killedAt } = await killMidFlight();
    const { result, ...restart } = await restartWhenStale(killedAt, ['fetch', 'dogs', '--sources', 'openverse', '--limit', '1', '--out', 'downloads', '--json']);
    expect(result.code).toBe(0);
    await expectReaped(job, items, killedAt, restart, 'kill -9, then trawl fetch start-up');
  });

  it('kill -9 mid-job: a reaper running on an interval (as in trawl serve) closes it TRAWL_STUCK_AFTER after its last heartbeat', async () => {
    const { job, items, killedAt } = await killMidFlight();
    const writer = openSqliteStore(path.join(h.cwd, 'data', 'trawl.db'));
    const config = { stuckAfterMs: STUCK_AFTER_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS, dataDir: path.join(h.cwd, 'data') };
    const reaper = startReaper({ store: writer, bus: new EventBus(), logger: silentLogger(), config }, HEARTBEAT_MS);
    try {
      const closed = await waitFor('the reaper to close the job', async () => {
        const current = await db().getJob(job.id);
        return current?.status === 'failed' ? current : undefined;
      });
      const closedAt = Date.parse(closed.finishedAt ?? '');
      const lastBeatToClosedMs = closedAt - Date.parse(closed.heartbeatAt ?? '');
      const killToClosedMs = closedAt - killedAt;
      console.log(`[detection] kill -9, reaper every ${HEARTBEAT_MS}ms: ${JSON.stringify({ killToClosedMs, lastBeatToClosedMs, heartbeatMs: HEARTBEAT_MS, stuckAfterMs: STUCK_AFTER_MS })}`);
      expect(closed.error?.code).toBe('TRAWL_WORKER_LOST');
      // Never before TRAWL_STUCK_AFTER of silence; then within one reaper interval (plus scheduling slack).
      expect(lastBeatToClosedMs).toBeGreaterThan(STUCK_AFTER_MS);
      expect(lastBeatToClosedMs).toBeLessThanOrEqual(STUCK_AFTER_MS + HEARTBEAT_MS + 500);
      expect(killToClosedMs).toBeLessThanOrEqual(STUCK_AFTER_MS + HEARTBEAT_MS + 500);
      expect(closed.sources).toMatchObject([{ source: 'openverse', status: 'failed', downloaded: items.length }]);
    } finally {
      await reaper.stop();
      await writer.close();
    }
    await expectItemsIntact(items);
  });

  it('SIGSTOP past the lease, reaped, SIGCONT: the late writes change nothing and the process ends itself', async () => {
    const run = fetch();
    const job = await midFlight();
    run.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const versionBefore = leaseVersion(job.id);
    await sleepUntil(stoppedAt + ORPHAN_AFTER_MS + 100);
    const cleanup = await runCli(['jobs', 'cleanup', '--json'], h);
    expect(cleanup.code).toBe(0);
    expect((JSON.parse(cleanup.stdout) as { reaped: Array<{ jobId: string }> }).reaped.map((r) => r.jobId)).toEqual([job.id]);
    expect(leaseVersion(job.id)).toBe(versionBefore + 1);
    const snapshot = async (): Promise<[Job | undefined, Item[], unknown[], StoredEvent[]]> => [
      await db().getJob(job.id),
      await db().listItems(job.id),
      await db().listFailures(job.id),
      await db().listEvents(job.id),
    ];
    const reaped = await snapshot();
    expect(reaped[0]).toMatchObject({ status: 'failed', error: { code: 'TRAWL_WORKER_LOST' } });

    run.child.kill('SIGCONT');
    const resumedAt = Date.now();
    const exit = await run.exited;
    const endedInMs = exit.at - resumedAt;
    console.log(`[lease] SIGCONT → the frozen fetch ended itself in ${endedInMs} ms (exit ${exit.code})`);
    expect(endedInMs).toBeLessThan(2 * HEARTBEAT_MS + 2000);
    expect(exit.code).toBe(1);
    expect(JSON.parse(exit.stdout)).toMatchObject({ id: job.id, status: 'failed', error: { code: 'TRAWL_WORKER_LOST' } });

    expect(await snapshot()).toEqual(reaped);
    expect(leaseVersion(job.id)).toBe(versionBefore + 1);
    await expectItemsIntact(reaped[1]);
    expect(await leftoverTempFiles(path.join(h.cwd, 'downloads'))).toEqual([]);
  });

  it('`trawl jobs cancel` reaches a job running in another process', async () => {
    const run = fetch();
    const job = await midFlight();
    const cancel = await runCli(['jobs', 'cancel', job.id], h);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe(`job ${job.id} stopped: cancelled (cancelled by trawl jobs cancel)\n`);
    const exit = await run.exited;
    expect(exit.code).toBe(130);
    expect(await db().getJob(job.id)).toMatchObject({ status: 'cancelled', error: { code: 'TRAWL_CANCELLED', message: 'cancelled by trawl jobs cancel' } });
    expect(await leftoverTempFiles(path.join(h.cwd, 'downloads'))).toEqual([]);
  });
});

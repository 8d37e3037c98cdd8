import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pendingRun } from '../domain.js';
import { EventBus, type JobEvent } from '../engine/events.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite.store.js';
import type { Lease } from '../store/store.js';
import { type ReaperDeps, isStuck, reapStuckJobs, startReaper, workerLostMessage } from './reaper.js';

const NOW = new Date('2030-03-01T12:00:00.000Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

describe('reapStuckJobs', () => {
  let dir: string;
  let store: SqliteStore;
  let deps: ReaperDeps;
  const events: JobEvent[] = [];
  const logLines: Array<Record<string, unknown>> = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'trawl-reaper-'));
    store = openSqliteStore(path.join(dir, 'data', 'trawl.db'));
    await store.migrate();
    const bus = new EventBus();
    events.length = 0;
    logLines.length = 0;
    bus.subscribe((event) => events.push(event));
    const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) });
    deps = { store, bus, logger, config: { stuckAfterMs: 30_000, requestTimeoutMs: 10_000, dataDir: path.join(dir, 'data') } };
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A job claimed by `worker` `startedMsAgo` ago, last heartbeating `beatMsAgo` ago (null: never). */
  const runningJob = async (id: string, worker: string, startedMsAgo: number, beatMsAgo: number | null, before = ago): Promise<Lease> => {
    await store.createJob({ id, query: `q ${id}`, type: 'image', limit: 2, outDir: path.join(dir, `out-${id}`), budgets: { requestMs: 10_000, sourceMs: 30_000, jobMs: 300_000 }, sources: [pendingRun('pexels'), pendingRun('nasa')], createdAt: before(startedMsAgo + 1000) });
    const lease = await store.claimJob(id, worker, before(startedMsAgo));
    if (lease === undefined) throw new Error('fixture: claim failed');
    await store.updateJob(id, { heartbeatAt: beatMsAgo === null ? null : before(beatMsAgo) }, lease);
    return lease;
  };

  it('fails only the jobs silent past TRAWL_STUCK_AFTER, saying who, when and where', async () => {
    const lease = await runningJob('stale', 'host:123:ab', 120_000, 41_000);
    await store.saveSourceRun('stale', { ...pendingRun('pexels'), status: 'running', startedAt: ago(100_000) }, lease);
    await store.addItem({ id: 'kept', jobId: 'stale', source: 'pexels', kind: 'image', url: 'http://127.0.0.1/a.png', pageUrl: null, title: null, author: null, authorUrl: null, license: null, licenseUrl: null, licenseCode: null, width: 1, height: 1, path: 'a.png', bytes: 3, sha256: 'ef'.repeat(32), contentType: 'image/png', createdAt: ago(90_000) }, lease);
    await runningJob('fresh', 'host:456:cd', 120_000, 5_000);
    await runningJob('silent-start', 'host:789:ef', 45_000, null);
    await store.createJob({ id: 'waiting', query: 'q', type: 'image', limit: 1, outDir: dir, budgets: { requestMs: 1, sourceMs: 1, jobMs: 1 }, sources: [], createdAt: ago(3_600_000) });

    const report = await reapStuckJobs(deps, NOW);

    expect(report.reaped.map((job) => job.jobId).sort()).toEqual(['silent-start', 'stale']);
    const stale = await store.getJob('stale');
    expect(stale).toMatchObject({ status: 'failed', finishedAt: NOW.toISOString(), elapsedMs: 120_000, downloaded: 1 });
    expect(stale?.error).toEqual({ code: 'TRAWL_WORKER_LOST', message: `worker host:123:ab lost: last heartbeat ${ago(41_000)}, 41s ago; last source running: pexels` });
    expect(stale?.sources.map((run) => [run.source, run.status, run.error?.code])).toEqual([
      ['pexels', 'failed', 'TRAWL_WORKER_LOST'],
      ['nasa', 'failed', 'TRAWL_WORKER_LOST'],
    ]);
    expect((await store.getJob('silent-start'))?.error?.message).toBe(`worker host:789:ef lost: no heartbeat since it started at ${ago(45_000)}, 45s ago; no source was running`);
    expect(await store.getJob('fresh')).toMatchObject({ status: 'running', error: null });
    expect(await store.getJob('waiting')).toMatchObject({ status: 'queued' });

    // The dead worker's late writes change nothing; what it saved before stays.
    await expect(store.updateJob('stale', { status: 'completed' }, lease)).rejects.toMatchObject({ code: 'TRAWL_LEASE_LOST' });
    expect((await store.listItems('stale')).map((item) => item.id)).toEqual(['kept']);

    const staleEvents = events.filter((event) => event.data.jobId === 'stale');
    expect(staleEvents.map((event) => event.name)).toEqual(['alert', 'job.finished']);
    expect(staleEvents[0]?.data).toMatchObject({ level: 'error', message: expect.stringContaining('job stale reaped: worker host:123:ab lost') as string });
    expect(logLines.filter((line) => line.msg === 'JOB REAPED').map((line) => line.jobId)).toEqual(expect.arrayContaining(['stale', 'silent-start']));

    // A second pass finds nothing more to do.
    expect((await reapStuckJobs(deps, NOW)).reaped).toEqual([]);
  });

  it('sweeps old temp files from the library and the reaped job output, keeping live ones', async () => {
    await runningJob('stale', 'w', 120_000, 60_000);
    const library = path.join(dir, 'data', 'library');
    const out = path.join(dir, 'out-stale');
    await mkdir(path.join(library, 'ab'), { recursive: true });
    await mkdir(out, { recursive: true });
    const old = [path.join(library, 'ab', '.trawl-old.part'), path.join(out, '.trawl-old.part')];
    const live = path.join(library, '.trawl-live.part');
    const oldTime = new Date(Date.now() - 60_000);
    for (const file of old) {
      await writeFile(file, 'x');
      await utimes(file, oldTime, oldTime);
    }
    await writeFile(live, 'y');

    const report = await reapStuckJobs(deps, NOW);

    expect(report.tempFilesRemoved).toBe(2);
    expect(old.map((file) => existsSync(file))).toEqual([false, false]);
    expect(existsSync(live)).toBe(true);
    expect(report.sweptDirs).toEqual([library, out]);
  });

  it('tells a stuck job from a live one by TRAWL_STUCK_AFTER', async () => {
    await runningJob('j', 'w', 60_000, 30_001);
    const job = await store.getJob('j');
    if (job === undefined) throw new Error('fixture');
    expect(isStuck(job, NOW, 30_000)).toBe(true);
    expect(isStuck(job, NOW, 31_000)).toBe(false);
    expect(isStuck({ ...job, status: 'completed' }, NOW, 1)).toBe(false);
    expect(workerLostMessage({ ...job, worker: null }, NOW)).toMatch(/^worker \(unknown\) lost: last heartbeat/);
  });

  it('runs in the background on an interval until stopped', async () => {
    await runningJob('old', 'w', 3_600_000, 3_600_000, (ms) => new Date(Date.now() - ms).toISOString());
    const reaper = startReaper(deps, 20);
    const until = Date.now() + 3000;
    while ((await store.getJob('old'))?.status === 'running' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await store.getJob('old'))?.status).toBe('failed');
    await reaper.stop();
    await reaper.stop();
  });
});

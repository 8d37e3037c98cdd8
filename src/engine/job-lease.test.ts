import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceRun } from '../domain.js';
import type { TrawlError } from '../errors.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite.store.js';
import type { Lease } from '../store/store.js';
import { EventBus, type JobEvent } from './events.js';
import { JobLease } from './job-lease.js';

const run: SourceRun = { source: 'pexels', status: 'running', found: 1, downloaded: 0, failed: 0, duplicates: 0, filtered: 0, startedAt: null, finishedAt: null, elapsedMs: null, budgetMs: null, error: null };

describe('JobLease', () => {
  let dir: string;
  let store: SqliteStore;
  let lease: Lease;
  let held: JobLease | undefined;
  const bus = new EventBus();
  const seen: JobEvent[] = [];
  const lost: TrawlError[] = [];
  let cancels = 0;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'trawl-lease-'));
    store = openSqliteStore(path.join(dir, 'trawl.db'));
    await store.migrate();
    await store.createJob({ id: 'j1', query: 'q', type: 'image', limit: 1, outDir: dir, budgets: { requestMs: 1000, sourceMs: 1000, jobMs: 1000 }, sources: [{ ...run, status: 'pending' }], createdAt: new Date().toISOString() });
    const claimed = await store.claimJob('j1', 'w1', new Date().toISOString());
    if (claimed === undefined) throw new Error('fixture: claim failed');
    lease = claimed;
    seen.length = 0;
    lost.length = 0;
    cancels = 0;
    bus.subscribe((event) => seen.push(event));
  });
  afterEach(async () => {
    await held?.stopHeartbeat();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const hold = (): JobLease => {
    held = new JobLease({ store, bus }, 'j1', lease, { onLost: (reason) => lost.push(reason), onCancelRequested: () => cancels++ });
    return held;
  };
  const until = async (done: () => boolean, ms = 3000): Promise<void> => {
    const end = Date.now() + ms;
    while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it('heartbeats while held and forwards events', async () => {
    const lease = hold();
    const before = (await store.getJob('j1'))?.heartbeatAt ?? '';
    lease.startHeartbeat(20);
    await until(() => false, 120);
    expect(((await store.getJob('j1'))?.heartbeatAt ?? '') > before).toBe(true);
    await lease.store.saveSourceRun('j1', run);
    lease.bus.emit('source.progress', { jobId: 'j1', source: 'pexels', run });
    expect(seen.map((event) => event.name)).toEqual(['source.progress']);
    expect(lost).toEqual([]);
  });

  it('notices a reap at the next beat, then writes and publishes nothing', async () => {
    const lease = hold();
    lease.startHeartbeat(20);
    await store.closeStuckJob('j1', { staleBefore: '2999-01-01T00:00:00.000Z', error: { code: 'TRAWL_WORKER_LOST', message: 'gone' }, now: new Date().toISOString(), elapsedMs: 1 });
    const reaped = await store.getJob('j1');
    if (reaped === undefined) throw new Error('fixture: job missing');
    await until(() => lost.length > 0);
    expect(lost.map((reason) => reason.code)).toEqual(['TRAWL_LEASE_LOST']);
    expect(lease.lost?.message).toMatch(/worker w1 lost job j1/);
    await expect(lease.store.saveSourceRun('j1', { ...run, status: 'done' })).rejects.toMatchObject({ code: 'TRAWL_LEASE_LOST' });
    await expect(lease.store.updateJob('j1', { status: 'completed' })).rejects.toMatchObject({ code: 'TRAWL_LEASE_LOST' });
    lease.bus.emit('job.finished', { jobId: 'j1', job: reaped });
    expect(seen).toEqual([]);
    expect(await store.getJob('j1')).toEqual(reaped);
    expect(lost).toHaveLength(1);
  });

  it('counts a refused write as a lost lease even before a beat', async () => {
    const lease = hold();
    await store.closeStuckJob('j1', { staleBefore: '2999-01-01T00:00:00.000Z', error: { code: 'TRAWL_WORKER_LOST', message: 'gone' }, now: new Date().toISOString(), elapsedMs: 1 });
    await expect(lease.store.addFailure('j1', { source: 'pexels', url: 'http://127.0.0.1/x', code: 'TRAWL_NOT_MEDIA', message: 'x' })).rejects.toMatchObject({ code: 'TRAWL_LEASE_LOST' });
    expect(lease.lost?.code).toBe('TRAWL_LEASE_LOST');
    expect(await store.listFailures('j1')).toEqual([]);
  });

  it('reports a cancel requested by another connection at the next beat', async () => {
    const lease = hold();
    lease.startHeartbeat(20);
    const other = openSqliteStore(path.join(dir, 'trawl.db'));
    try {
      expect((await other.requestCancel('j1', { code: 'TRAWL_CANCELLED', message: 'by test' }, new Date().toISOString())).outcome).toBe('requested');
    } finally {
      await other.close();
    }
    await until(() => cancels > 0);
    expect(cancels).toBeGreaterThan(0);
    expect(lost).toEqual([]);
  });

  it('stops beating when told, even mid-beat', async () => {
    const lease = hold();
    lease.startHeartbeat(10);
    await until(() => false, 50);
    await lease.stopHeartbeat();
    const after = (await store.getJob('j1'))?.heartbeatAt;
    await until(() => false, 80);
    expect((await store.getJob('j1'))?.heartbeatAt).toBe(after);
  });
});

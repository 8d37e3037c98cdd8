/**
 * The lease part of the Store conformance suite: claiming, heartbeats, fenced writes, cross-process
 * cancel requests and reaping. `store.conformance.ts` registers these tests inside its own
 * describe block, so every adapter runs them on the same database as the rest of the suite.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { type Item, type SourceId, type SourceRun, pendingRun } from '../domain.js';
import type { Lease, NewJob, Store, StuckJobClose } from './store.js';

const prefix = randomUUID().slice(0, 8);
let counter = 0;
const uniqueId = (label: string): string => `${prefix}-lease-${label}-${++counter}`;

const pending = (source: SourceId, patch: Partial<SourceRun> = {}): SourceRun => ({ ...pendingRun(source), ...patch });

const newJob = (): NewJob => ({
  id: uniqueId('job'),
  query: 'otter',
  type: 'image',
  limit: 3,
  outDir: '/tmp/trawl-out',
  budgets: { requestMs: 10_000, sourceMs: 30_000, jobMs: 300_000 },
  sources: [pending('pexels'), pending('nasa')],
  createdAt: '2030-02-01T00:00:00.000Z',
});

const item = (jobId: string, source: SourceId = 'pexels'): Item => ({
  id: uniqueId('item'),
  jobId,
  source,
  kind: 'image',
  url: 'http://127.0.0.1/otter.png',
  pageUrl: null,
  title: null,
  author: null,
  authorUrl: null,
  license: null,
  licenseUrl: null,
  licenseCode: null,
  width: 1,
  height: 1,
  path: 'out/otter.png',
  bytes: 10,
  sha256: 'cd'.repeat(32),
  contentType: 'image/png',
  createdAt: '2030-02-01T00:00:05.000Z',
});

const T = (second: number): string => new Date(Date.UTC(2030, 1, 1, 0, 0, second)).toISOString();
const WORKER_LOST = { code: 'TRAWL_WORKER_LOST', message: 'worker w1 lost' } as const;
const stuck = (patch: Partial<StuckJobClose> = {}): StuckJobClose => ({ staleBefore: T(40), error: WORKER_LOST, now: T(45), elapsedMs: 44_000, ...patch });

/** Registers the lease tests in the caller's describe block; `store` returns the suite's open store. */
export function registerLeaseConformance(store: () => Store): void {
  const claimed = async (owner = 'w1'): Promise<{ id: string; lease: Lease }> => {
    const job = newJob();
    await store().createJob(job);
    const lease = await store().claimJob(job.id, owner, T(1));
    if (lease === undefined) throw new Error('fixture: the claim failed');
    return { id: job.id, lease };
  };

  it('claims a queued job once: running, owned, heartbeating, with a new fencing version', async () => {
    const job = newJob();
    await store().createJob(job);
    const lease = await store().claimJob(job.id, 'w1', T(1));
    expect(lease).toEqual({ owner: 'w1', version: expect.any(Number) as number });
    expect(await store().getJob(job.id)).toMatchObject({ status: 'running', worker: 'w1', heartbeatAt: T(1), startedAt: T(1) });
    expect(await store().claimJob(job.id, 'w2', T(2))).toBeUndefined();
    expect(await store().claimJob(uniqueId('missing'), 'w1', T(2))).toBeUndefined();
    expect(await store().getJob(job.id)).toMatchObject({ worker: 'w1' });
  });

  it('claims the oldest queued job next, each job by exactly one of several claimers', async () => {
    // Older than every other job of the suite, so these are the first in line however many are queued.
    const at = (second: number): string => new Date(Date.UTC(1990, 0, 1, 0, 0, second)).toISOString();
    const jobs = [{ ...newJob(), createdAt: at(2) }, { ...newJob(), createdAt: at(1) }, { ...newJob(), createdAt: at(3) }, { ...newJob(), createdAt: at(4) }];
    for (const job of jobs) await store().createJob(job);
    const first = await store().claimNextJob('w1', T(1));
    expect(first).toEqual({ jobId: jobs[1]?.id, lease: { owner: 'w1', version: expect.any(Number) as number } });
    expect(await store().getJob(jobs[1]?.id ?? '')).toMatchObject({ status: 'running', worker: 'w1', startedAt: T(1) });
    const rest = await Promise.all(['w2', 'w3', 'w4'].map((owner) => store().claimNextJob(owner, T(2))));
    expect(rest.map((claim) => claim?.jobId).sort()).toEqual([jobs[0]?.id, jobs[2]?.id, jobs[3]?.id].sort());
    for (const claim of rest) expect((await store().getJob(claim?.jobId ?? ''))?.worker).toBe(claim?.lease.owner);
  });

  it('renews a held lease and refuses a stale one', async () => {
    const { id, lease } = await claimed();
    expect(await store().renewLease(id, lease, T(6))).toBe(true);
    expect((await store().getJob(id))?.heartbeatAt).toBe(T(6));
    expect(await store().renewLease(id, { ...lease, version: lease.version + 1 }, T(7))).toBe(false);
    expect(await store().renewLease(id, { ...lease, owner: 'w2' }, T(7))).toBe(false);
    await store().updateJob(id, { status: 'completed' }, lease);
    expect(await store().renewLease(id, lease, T(8))).toBe(false);
    expect((await store().getJob(id))?.heartbeatAt).toBe(T(6));
  });

  it('lets leased writes through while the lease holds', async () => {
    const { id, lease } = await claimed();
    await store().saveSourceRun(id, pending('pexels', { status: 'running' }), lease);
    await store().addItem(item(id), lease);
    await store().addFailure(id, { source: 'pexels', url: 'http://127.0.0.1/x', code: 'TRAWL_NOT_MEDIA', message: 'html' }, lease);
    await store().updateJob(id, { status: 'completed', finishedAt: T(9) }, lease);
    expect(await store().getJob(id)).toMatchObject({ status: 'completed', downloaded: 1, failed: 1, sources: [{ source: 'pexels', status: 'running' }, { source: 'nasa' }] });
  });

  it('changes nothing for a stale lease and says TRAWL_LEASE_LOST', async () => {
    const { id, lease } = await claimed();
    await store().addItem(item(id), lease);
    expect(await store().closeStuckJob(id, stuck())).toBe(true);
    const reaped = await store().getJob(id);
    const lost = { code: 'TRAWL_LEASE_LOST' };
    await expect(store().updateJob(id, { status: 'completed', error: null }, lease)).rejects.toMatchObject(lost);
    await expect(store().updateJob(id, {}, lease)).rejects.toMatchObject(lost);
    await expect(store().saveSourceRun(id, pending('pexels', { status: 'done', downloaded: 5 }), lease)).rejects.toMatchObject(lost);
    await expect(store().saveSourceRun(id, pending('openverse', { status: 'done' }), lease)).rejects.toMatchObject(lost);
    await expect(store().addItem(item(id), lease)).rejects.toMatchObject(lost);
    await expect(store().addFailure(id, { source: 'pexels', url: 'http://127.0.0.1/y', code: 'TRAWL_NOT_MEDIA', message: 'late' }, lease)).rejects.toMatchObject(lost);
    expect(await store().getJob(id)).toEqual(reaped);
    expect(reaped).toMatchObject({ status: 'failed', error: WORKER_LOST, downloaded: 1, failed: 0 });
    await expect(store().addItem(item(uniqueId('missing')), lease)).rejects.toMatchObject({ code: 'TRAWL_NOT_FOUND' });
  });

  it('fences out a lease of another owner or an older claim', async () => {
    const { id, lease } = await claimed();
    await expect(store().addItem(item(id), { ...lease, owner: 'w2' })).rejects.toMatchObject({ code: 'TRAWL_LEASE_LOST' });
    await expect(store().addItem(item(id), { ...lease, version: lease.version - 1 })).rejects.toMatchObject({ code: 'TRAWL_LEASE_LOST' });
    expect(await store().getJob(id)).toMatchObject({ downloaded: 0, status: 'running' });
  });

  it('reaps only a running job that is really stale, closing its open runs with what they saved', async () => {
    const { id, lease } = await claimed();
    await store().saveSourceRun(id, pending('pexels', { status: 'done', found: 4, downloaded: 1 }), lease);
    await store().saveSourceRun(id, pending('nasa', { status: 'running', startedAt: T(2) }), lease);
    // A running source writes its counts only when it ends: the reaper counts them from the rows.
    await store().addItem(item(id, 'pexels'), lease);
    await store().addItem(item(id, 'nasa'), lease);
    await store().addItem(item(id, 'nasa'), lease);
    await store().addFailure(id, { source: 'nasa', url: 'http://127.0.0.1/n', code: 'TRAWL_NOT_MEDIA', message: 'html' }, lease);
    await store().renewLease(id, lease, T(41));
    expect(await store().closeStuckJob(id, stuck())).toBe(false);
    expect(await store().getJob(id)).toMatchObject({ status: 'running' });
    expect(await store().closeStuckJob(id, stuck({ staleBefore: T(50), now: T(51) }))).toBe(true);
    expect(await store().getJob(id)).toMatchObject({
      status: 'failed',
      finishedAt: T(51),
      elapsedMs: 44_000,
      error: WORKER_LOST,
      sources: [
        { source: 'pexels', status: 'done', found: 4, downloaded: 1, failed: 0, error: null },
        { source: 'nasa', status: 'failed', found: 3, downloaded: 2, failed: 1, error: WORKER_LOST, finishedAt: T(51) },
      ],
    });
    expect(await store().closeStuckJob(id, stuck({ staleBefore: T(59) }))).toBe(false);
    const queued = newJob();
    await store().createJob(queued);
    expect(await store().closeStuckJob(queued.id, stuck({ staleBefore: '2999-01-01T00:00:00.000Z' }))).toBe(false);
  });

  it('cancels a queued job at once, flags a running one, and leaves an ended one', async () => {
    const reason = { code: 'TRAWL_CANCELLED', message: 'cancelled by trawl jobs cancel' } as const;
    const queued = newJob();
    await store().createJob(queued);
    const first = await store().requestCancel(queued.id, reason, T(3));
    expect(first.outcome).toBe('cancelled');
    expect(first.job).toMatchObject({ status: 'cancelled', error: reason, finishedAt: T(3), sources: [{ status: 'cancelled', error: reason }, { status: 'cancelled' }] });
    expect(await store().claimJob(queued.id, 'w1', T(4))).toBeUndefined();

    const { id, lease } = await claimed();
    expect(await store().getCancelRequest(id)).toBeNull();
    expect((await store().requestCancel(id, reason, T(5))).outcome).toBe('requested');
    expect((await store().requestCancel(id, reason, T(6))).job).toMatchObject({ status: 'running' });
    expect(await store().getCancelRequest(id)).toBe(T(5));
    expect(await store().renewLease(id, lease, T(7))).toBe(true);
    await store().updateJob(id, { status: 'cancelled' }, lease);
    expect((await store().requestCancel(id, reason, T(8))).outcome).toBe('ended');
    await expect(store().requestCancel(uniqueId('missing'), reason, T(8))).rejects.toMatchObject({ code: 'TRAWL_NOT_FOUND' });
    expect(await store().getCancelRequest(uniqueId('missing'))).toBeNull();
  });

  it('cancels its own job synchronously for a process that quits at once, where the database can', async (context) => {
    const s = store();
    if (s.cancelOwnJobNow === undefined) return context.skip('this database cannot be written synchronously; the reaper closes the job');
    const reason = { code: 'TRAWL_CANCELLED', message: 'cancelled by the user (Ctrl-C twice)' } as const;
    const close = { owner: 'w1', reason, now: T(9), elapsedMs: 8000 };
    const { id, lease } = await claimed('w1');
    expect(s.cancelOwnJobNow(id, { ...close, owner: 'w2' })).toBe(false);
    expect(await s.getJob(id)).toMatchObject({ status: 'running' });
    expect(s.cancelOwnJobNow(id, close)).toBe(true);
    const ended = { status: 'cancelled', error: reason, finishedAt: T(9), elapsedMs: 8000, sources: [{ status: 'cancelled', error: reason }, { status: 'cancelled', error: reason }] };
    expect(await s.getJob(id)).toMatchObject(ended);
    expect(await s.listEvents(id)).toMatchObject([{ name: 'job.finished', data: { jobId: id, job: ended } }]);
    await expect(s.updateJob(id, { status: 'completed' }, lease)).rejects.toMatchObject({ code: 'TRAWL_LEASE_LOST' });
    expect(s.cancelOwnJobNow(id, close)).toBe(false);

    const queued = newJob();
    await s.createJob(queued);
    expect(s.cancelOwnJobNow(queued.id, close)).toBe(true);
    expect(await s.getJob(queued.id)).toMatchObject({ status: 'cancelled', error: reason });
    expect(s.cancelOwnJobNow(uniqueId('missing'), close)).toBe(false);
  });
}

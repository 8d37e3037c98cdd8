import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../engine/events.js';
import { type TestBed, startTestBed, waitFor, waitForJob } from '../server/test-support.test-helper.js';
import { pendingRun } from '../domain.js';
import { submitJob } from './harvest.js';
import { buildJobRequest } from './job-request.js';
import { JobQueue } from './job-queue.js';
import { openRuntime } from './runtime.js';

let bed: TestBed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

const started = async (options: Parameters<typeof startTestBed>[0] = {}): Promise<TestBed> => {
  bed = await startTestBed(options);
  return bed;
};

describe('JobQueue', () => {
  it('records a valid job queued in the library, runs it to completed, and refuses bad input storing nothing', async () => {
    const b = await started();
    await expect(b.queue.submit({ query: 'cats', sources: ['nope'] })).rejects.toMatchObject({ code: 'TRAWL_BAD_INPUT', message: expect.stringMatching(/^sources: unknown source "nope"/) as string });
    await expect(b.queue.submit({ query: 'cats', outDir: '/etc' } as never)).rejects.toMatchObject({ code: 'TRAWL_BAD_INPUT', message: expect.stringMatching(/^outDir:/) as string });
    expect(await b.runtime.deps.store.listJobs()).toEqual([]);
    const job = await b.queue.submit({ query: 'cats', sources: ['openverse'], limit: 2 });
    expect(job).toMatchObject({ status: 'queued', outDir: b.queue.libraryDir, limit: 2, sources: [pendingRun('openverse')] });
    const done = await waitForJob(b, job.id, ['completed', 'failed', 'timed_out', 'cancelled']);
    expect(done).toMatchObject({ status: 'completed', downloaded: 2 });
    const items = await b.runtime.deps.store.listItems(job.id);
    expect(items.every((item) => item.path.startsWith(b.queue.libraryDir))).toBe(true);
  });

  it('runs at most maxConcurrentJobs at once, oldest first, and the rest wait queued', async () => {
    const b = await started({ maxConcurrentJobs: 1, start: false });
    const order: string[] = [];
    let running = 0;
    let most = 0;
    b.runtime.deps.bus.subscribe((event: JobEvent) => {
      if (event.name === 'job.started') {
        order.push(event.data.jobId);
        most = Math.max(most, ++running);
      }
      if (event.name === 'job.finished') running--;
    });
    const jobs = [];
    for (const query of ['one', 'two', 'three']) {
      jobs.push(await b.queue.submit({ query, sources: ['openverse'], limit: 1 }));
      // "Oldest" is by creation time, in milliseconds: keep the three apart.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await b.queue.counts()).toEqual({ running: 0, queued: 3 });
    b.queue.start();
    for (const job of jobs) await waitForJob(b, job.id, ['completed']);
    expect(order).toEqual(jobs.map((job) => job.id));
    expect(most).toBe(1);
  });

  it('cancels a queued job at once, with its sources, and leaves an ended job unchanged', async () => {
    const b = await started({ start: false });
    const finished: string[] = [];
    b.runtime.deps.bus.subscribe((event) => {
      if (event.name === 'job.finished') finished.push(event.data.jobId);
    });
    const job = await b.queue.submit({ query: 'cats', sources: ['openverse', 'wikimedia_commons'] });
    const { job: cancelled, changed } = await b.queue.cancel(job.id);
    expect(changed).toBe(true);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: { code: 'TRAWL_CANCELLED', message: 'cancelled through the API' } });
    expect(cancelled.finishedAt).not.toBeNull();
    expect(cancelled.sources.map((run) => run.status)).toEqual(['cancelled', 'cancelled']);
    expect(finished).toEqual([job.id]);
    expect(await b.queue.cancel(job.id)).toEqual({ job: cancelled, changed: false });
    b.queue.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await b.runtime.deps.store.getJob(job.id))?.status).toBe('cancelled');
    await expect(b.queue.cancel('no-such-job')).rejects.toMatchObject({ code: 'TRAWL_NOT_FOUND' });
  });

  it('cancels a running job: its sockets close and it ends cancelled', async () => {
    const b = await started();
    b.sim.setFaults([{ target: '*:media', fault: 'stall' }]);
    const job = await b.queue.submit({ query: 'cats', sources: ['openverse'], limit: 2 });
    await waitFor('a media download to start', () => b.sim.requests().some((r) => r.target === 'media'));
    const { changed } = await b.queue.cancel(job.id);
    expect(changed).toBe(true);
    const ended = await waitForJob(b, job.id, ['completed', 'failed', 'timed_out', 'cancelled'], 5_000);
    expect(ended).toMatchObject({ status: 'cancelled', error: { code: 'TRAWL_CANCELLED', message: 'cancelled through the API' } });
    await b.sim.waitForClosed((r) => r.target === 'media', 5_000);
  });

  it('never runs a job running in another process, flags it when cancelled, and stop() cancels its own running jobs', async () => {
    const b = await started({ start: false });
    const { store } = b.runtime.deps;
    const orphan = await b.queue.submit({ query: 'orphan', sources: ['openverse'] });
    await store.updateJob(orphan.id, { status: 'running', worker: 'elsewhere:1:dead', startedAt: new Date().toISOString() });
    b.sim.setFaults([{ target: '*:media', fault: 'stall' }]);
    const job = await b.queue.submit({ query: 'cats', sources: ['openverse'] });
    b.queue.start();
    await waitFor('a media download to start', () => b.sim.requests().some((r) => r.target === 'media'));
    // Running elsewhere: flagged for that worker, which ends it at its next heartbeat.
    expect(await b.queue.cancel(orphan.id)).toMatchObject({ changed: true, job: { status: 'running' } });
    expect(await store.getCancelRequest(orphan.id)).not.toBeNull();
    await b.queue.stop();
    expect(await store.getJob(job.id)).toMatchObject({ status: 'cancelled', error: { code: 'TRAWL_CANCELLED' } });
    expect(await store.getJob(orphan.id)).toMatchObject({ status: 'running', worker: 'elsewhere:1:dead' });
  });

  it('shares one queue with the queues of other processes: jobs queued elsewhere run, each exactly once', async () => {
    const b = await started({ maxConcurrentJobs: 2 });
    // A second process on the same database, with its own runtime and worker id.
    const other = await openRuntime(b.config);
    const otherQueue = new JobQueue(other, { maxConcurrentJobs: 2, pollIntervalMs: 50 });
    try {
      otherQueue.start();
      // Queued behind both queues' backs (as `trawl serve --no-worker` would): only polling finds them.
      const jobs = [];
      for (let i = 0; i < 6; i++) {
        jobs.push(await submitJob(other, buildJobRequest({ query: `cats ${i}`, sources: ['openverse'], limit: 1, outDir: b.queue.libraryDir }, b.config, b.runtime.deps.sources)));
      }
      const ran = await Promise.all(jobs.map((job) => waitForJob(b, job.id, ['completed', 'failed', 'timed_out', 'cancelled'])));
      expect(ran.map((job) => job.status)).toEqual(jobs.map(() => 'completed'));
      const workers = new Set([b.runtime.deps.workerId, other.deps.workerId]);
      for (const job of ran) {
        expect(workers.has(job.worker ?? '')).toBe(true);
        const events = await b.runtime.deps.store.listEvents(job.id);
        expect(events.filter((event) => event.name === 'job.started')).toHaveLength(1);
      }
    } finally {
      await otherQueue.stop();
      await other.close();
    }
  });
});

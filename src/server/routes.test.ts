import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Item, type Job, SOURCE_IDS } from '../domain.js';
import { sqlitePath } from '../store/open-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite.store.js';
import { type TestBed, buildTestApp, startTestBed, waitFor, waitForJob } from './test-support.test-helper.js';

let bed: TestBed;
let app: FastifyInstance;
beforeEach(async () => {
  bed = await startTestBed();
  app = await buildTestApp(bed);
});
afterEach(async () => {
  await app.close();
  await bed.close();
});

const post = async (url: string, payload?: unknown) => app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
const get = async (url: string) => app.inject({ method: 'GET', url });

describe('jobs', () => {
  it('creates a job (201, queued) that runs to completed against the simulator, and reads it back', async () => {
    const created = await post('/api/jobs', { query: 'red fox', sources: ['openverse', 'wikimedia_commons'], limit: 2, timeouts: { job: '60s', source: 30, request: '5s' } });
    expect(created.statusCode).toBe(201);
    const job = created.json<Job>();
    expect(job).toMatchObject({ query: 'red fox', type: 'image', limit: 2, status: 'queued', budgets: { requestMs: 5000, sourceMs: 30_000, jobMs: 60_000 } });
    expect(job.sources.map((run) => [run.source, run.status])).toEqual([['openverse', 'pending'], ['wikimedia_commons', 'pending']]);
    await waitForJob(bed, job.id, ['completed', 'failed', 'timed_out', 'cancelled']);
    const read = await get(`/api/jobs/${job.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(await bed.runtime.deps.store.getJob(job.id));
    expect(read.json()).toMatchObject({ status: 'completed', downloaded: 4, images: 4, worker: bed.runtime.deps.workerId });
  });

  it('keeps a job\'s filters (groups expanded) and runs the queued job with them', async () => {
    const filters = { minWidth: 5000, license: 'commercial', safeSearch: 'off', format: ['png', 'jpg'] };
    const created = await post('/api/jobs', { query: 'red fox', sources: ['openverse'], limit: 2, filters });
    expect(created.statusCode).toBe(201);
    const expected = { minWidth: 5000, minHeight: null, orientation: null, license: ['cc0', 'pdm', 'cc-by', 'cc-by-sa', 'cc-by-nd', 'pexels', 'pixabay', 'unsplash'], safeSearch: false, format: ['jpeg', 'png'] };
    expect(created.json<Job>().filters).toEqual(expected);
    await waitForJob(bed, created.json<Job>().id, ['completed', 'failed', 'timed_out', 'cancelled']);
    const read = (await get(`/api/jobs/${created.json<Job>().id}`)).json<Job>();
    expect(read.filters).toEqual(expected);
    // Every candidate declares less than 5000 px: all filtered before any download, and the source is done.
    expect(read).toMatchObject({ status: 'completed', downloaded: 0, sources: [{ source: 'openverse', status: 'done', found: 2, downloaded: 0, failed: 0, filtered: 2 }] });
    expect(bed.sim.requests().filter((r) => r.target === 'media')).toEqual([]);
  });

  it('lists jobs newest first, filtered by status and limited', async () => {
    const ids: string[] = [];
    // Newest is by creation time, in milliseconds: keep the jobs apart.
    const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));
    for (const query of ['one', 'two', 'three']) {
      ids.push((await post('/api/jobs', { query, sources: ['openverse'], limit: 1 })).json<Job>().id);
      await pause();
    }
    for (const id of ids) await waitForJob(bed, id, ['completed']);
    await pause();
    const queued = (await post('/api/jobs', { query: 'four', sources: ['openverse'], limit: 1 })).json<Job>();
    await bed.queue.cancel(queued.id);
    const all = (await get('/api/jobs')).json<{ jobs: Job[] }>().jobs;
    expect(all.map((job) => job.id)).toEqual([queued.id, ...ids.reverse()]);
    expect(all[1]).toEqual(await bed.runtime.deps.store.getJob(all[1]?.id ?? ''));
    const completed = (await get('/api/jobs?status=completed&limit=2')).json<{ jobs: Job[] }>().jobs;
    expect(completed.map((job) => job.id)).toEqual(ids.slice(0, 2));
    const some = (await get('/api/jobs?status=running,queued,cancelled')).json<{ jobs: Job[] }>().jobs;
    expect(some.map((job) => job.id)).toEqual([queued.id]);
  });

  it('lists a job\'s items, serves each file with its bytes and type (and ranges), and its failures', async () => {
    bed.sim.setFaults([{ target: '/media/openverse/cats-2.png', fault: 'html-as-image' }]);
    const job = (await post('/api/jobs', { query: 'cats', sources: ['openverse'], limit: 3 })).json<Job>();
    await waitForJob(bed, job.id, ['completed']);
    const { items } = (await get(`/api/jobs/${job.id}/items`)).json<{ items: Array<Item & { fileUrl: string }> }>();
    expect(items.length).toBeGreaterThanOrEqual(2);
    const stored = await bed.runtime.deps.store.listItems(job.id);
    expect(items).toEqual(stored.map((item) => ({ ...item, fileUrl: `/api/items/${item.id}/file` })));
    for (const item of items) {
      const file = await get(item.fileUrl);
      expect(file.statusCode).toBe(200);
      expect(file.rawPayload.length).toBe(item.bytes);
      expect(createHash('sha256').update(file.rawPayload).digest('hex')).toBe(item.sha256);
      expect(file.headers['content-type']).toBe(item.contentType);
      expect(file.headers['x-content-type-options']).toBe('nosniff');
    }
    const first = items[0] as Item & { fileUrl: string };
    const part = await app.inject({ method: 'GET', url: first.fileUrl, headers: { range: 'bytes=0-9' } });
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.length).toBe(10);
    const { failures } = (await get(`/api/jobs/${job.id}/failures`)).json<{ failures: unknown[] }>();
    expect(failures).toEqual([expect.objectContaining({ source: 'openverse', code: 'TRAWL_NOT_MEDIA', url: expect.stringContaining('cats-2.png') as string })]);
  });
});

describe('cancel', () => {
  it('cancels a queued job at once (202) and answers 200 unchanged once it has ended', async () => {
    await bed.queue.stop();
    const job = (await post('/api/jobs', { query: 'cats', sources: ['openverse'] })).json<Job>();
    const first = await post(`/api/jobs/${job.id}/cancel`);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ id: job.id, status: 'cancelled', error: { code: 'TRAWL_CANCELLED' } });
    const again = await post(`/api/jobs/${job.id}/cancel`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
  });

  it('cancels a running job: it ends cancelled and the simulator sees its sockets closed', async () => {
    bed.sim.setFaults([{ target: '*:media', fault: 'stall' }]);
    const job = (await post('/api/jobs', { query: 'cats', sources: ['openverse'], limit: 2 })).json<Job>();
    await waitFor('a stalled download', () => bed.sim.requests().some((r) => r.target === 'media'));
    const answer = await post(`/api/jobs/${job.id}/cancel`);
    expect(answer.statusCode).toBe(202);
    const ended = await waitForJob(bed, job.id, ['completed', 'failed', 'timed_out', 'cancelled'], 5_000);
    expect(ended).toMatchObject({ status: 'cancelled', error: { code: 'TRAWL_CANCELLED', message: 'cancelled through the API' } });
    await bed.sim.waitForClosed((r) => r.target === 'media', 5_000);
  });
});

describe('not found', () => {
  it.each([
    ['GET', '/api/jobs/nope'],
    ['GET', '/api/jobs/nope/items'],
    ['GET', '/api/jobs/nope/failures'],
    ['GET', '/api/jobs/nope/events'],
    ['POST', '/api/jobs/nope/cancel'],
    ['GET', '/api/items/nope/file'],
    ['GET', '/api/no-such-route'],
  ] as const)('%s %s → 404 TRAWL_NOT_FOUND', async (method, url) => {
    const answer = await app.inject({ method, url });
    expect(answer.statusCode).toBe(404);
    expect(answer.json<{ error: { code: string } }>().error.code).toBe('TRAWL_NOT_FOUND');
  });
});

describe('service', () => {
  it('answers health with the version and job counts, and the sources as trawl sources --json', async () => {
    await bed.queue.stop();
    await post('/api/jobs', { query: 'cats', sources: ['openverse'] });
    const health = await get('/api/health');
    expect(health.json()).toEqual({ status: 'ok', version: '0.1.0', uptimeSeconds: expect.any(Number) as number, jobs: { running: 0, queued: 1 } });
    const { sources } = (await get('/api/sources')).json<{ sources: Array<{ id: string; configured: boolean; origin: string }> }>();
    expect(sources.find((s) => s.id === 'openverse')).toMatchObject({ configured: true, origin: bed.sim.url });
    expect(sources.find((s) => s.id === 'pixabay')).toMatchObject({ configured: true });
    expect(sources).toHaveLength(SOURCE_IDS.length);
  });

  it('lists the filters each source asks its service for, as `trawl sources --json` does', async () => {
    const { sources } = (await get('/api/sources')).json<{ sources: Array<{ id: string; statesLicenses: boolean; pushdown: Array<{ filter: string; precision: string }> }> }>();
    expect(sources.find((s) => s.id === 'wikimedia_commons')?.pushdown.map((p) => [p.filter, p.precision])).toEqual([
      ['minWidth', 'exact'],
      ['minHeight', 'exact'],
      ['format', 'exact'],
    ]);
    expect(sources.filter((s) => !s.statesLicenses).map((s) => s.id)).toEqual(['google_images', 'bing_images', 'duckduckgo_images']);
  });

  it('shows each source\'s health and breaker, and counts jobs and items in /metrics', async () => {
    const job = (await post('/api/jobs', { query: 'cats', sources: ['openverse'], limit: 2 })).json<Job>();
    await waitForJob(bed, job.id, ['completed']);
    const { sources } = (await get('/api/sources')).json<{ sources: Array<{ id: string; health: { runs: number; ok: number; breaker: { state: string } } }> }>();
    expect(sources.find((s) => s.id === 'openverse')?.health).toMatchObject({ runs: 1, ok: 1, breaker: { state: 'closed' } });
    const metrics = await get('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/^trawl_jobs_total\{status="completed"\} 1$/m);
    expect(metrics.body).toMatch(/^trawl_items_downloaded_total\{source="openverse",kind="image"\} 2$/m);
    expect(metrics.body).toMatch(/^trawl_source_runs_total\{source="openverse",status="done"\} 1$/m);
  });

  it('shows the health and quotas that other processes on the database recorded (workers, trawl fetch)', async () => {
    // Another process's writes, on its own connection to the same database.
    const other = openSqliteStore(sqlitePath(bed.config));
    try {
      const at = new Date().toISOString();
      for (let n = 0; n < 5; n++) {
        await other.addSourceOutcome({ source: 'nasa', jobId: `elsewhere-${n}`, status: 'failed', elapsedMs: 100, saved: 0, error: { code: 'TRAWL_HTTP_TRANSIENT', message: 'HTTP 503' }, at }, 20);
      }
      await other.saveQuota({ source: 'nasa', remaining: 7, limit: 1000, resetAt: null, updatedAt: at });
    } finally {
      await other.close();
    }
    const { sources } = (await get('/api/sources')).json<{ sources: Array<{ id: string; quota: { remaining: number } | null; health: { runs: number; failed: number; breaker: { state: string } } }> }>();
    expect(sources.find((s) => s.id === 'nasa')).toMatchObject({ quota: { remaining: 7 }, health: { runs: 5, failed: 5, breaker: { state: 'open' } } });
    const metrics = (await get('/metrics')).body;
    expect(metrics).toMatch(/^trawl_breaker_state\{source="nasa"\} 2$/m);
    expect(metrics).toMatch(/^trawl_source_quota_remaining\{source="nasa"\} 7$/m);
  });
});

/**
 * The behaviour every Store adapter must show, as one vitest suite. An adapter's test file calls
 * `describeStoreConformance` with a factory; the suite never assumes an empty database (all ids are
 * unique to the run and listings are checked relative to the suite's own jobs), so adapters may share
 * one database across the tests.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Filters, type Item, type ItemFailure, type MediaKind, NO_FILTERS, type SourceId, type SourceRun, pendingRun } from '../domain.js';
import type { NewJob, Store, StoredSourceOutcome } from './store.js';
import { registerLeaseConformance } from './lease.conformance.js';

const run = (source: SourceId, patch: Partial<SourceRun> = {}): SourceRun => ({ ...pendingRun(source), ...patch });

const prefix = randomUUID().slice(0, 8);
let counter = 0;
const uniqueId = (label: string): string => `${prefix}-${label}-${++counter}`;

const newJob = (patch: Partial<NewJob> = {}): NewJob => ({
  id: uniqueId('job'),
  query: 'red fox',
  type: 'all',
  limit: 5,
  outDir: '/tmp/trawl-out',
  budgets: { requestMs: 15_000, sourceMs: 120_000, jobMs: 600_000 },
  sources: [run('pexels'), run('nasa', { budgetMs: 90_000 }), run('openverse')],
  createdAt: '2030-01-01T00:00:00.000Z',
  ...patch,
});

const item = (jobId: string, kind: MediaKind, createdAt: string): Item => ({
  id: uniqueId('item'),
  jobId,
  source: 'nasa',
  kind,
  url: `http://127.0.0.1/${kind}`,
  pageUrl: null,
  title: 'A fox',
  author: null,
  authorUrl: null,
  license: 'CC0',
  licenseUrl: null,
  licenseCode: 'cc0',
  width: kind === 'audio' ? null : 640,
  height: kind === 'audio' ? null : 480,
  path: `out/${kind}.bin`,
  bytes: 5_000_000_000,
  sha256: 'ab'.repeat(32),
  contentType: kind === 'image' ? 'image/jpeg' : `${kind}/mp4`,
  createdAt,
});

const failure = (n: number): ItemFailure => ({ source: 'pexels', url: `http://127.0.0.1/${n}`, code: 'TRAWL_NOT_MEDIA', message: `not media ${n}` });

/**
 * Registers the Store conformance suite under `describe(name)`. `open` returns a store on the
 * database under test, the same database on every call (the suite closes and re-opens it to check
 * durability); the suite migrates it before each test and closes it after. `cleanup` runs once at the
 * end, e.g. to delete a temporary database.
 */
export function describeStoreConformance(name: string, open: () => Promise<Store>, cleanup?: () => Promise<void>): void {
  describe(name, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
    });
    if (cleanup !== undefined) afterAll(cleanup);
    registerLeaseConformance(() => store);

    it('migrates again harmlessly', async () => {
      await store.migrate();
      await store.migrate();
      const job = newJob();
      await store.createJob(job);
      expect((await store.getJob(job.id))?.id).toBe(job.id);
    });

    it('creates a queued job and reads it back with source runs in order and budgets', async () => {
      const job = newJob();
      const created = await store.createJob(job);
      expect(created).toEqual({
        id: job.id,
        query: 'red fox',
        type: 'all',
        limit: 5,
        outDir: '/tmp/trawl-out',
        status: 'queued',
        budgets: { requestMs: 15_000, sourceMs: 120_000, jobMs: 600_000 },
        filters: NO_FILTERS,
        sources: job.sources,
        downloaded: 0,
        images: 0,
        videos: 0,
        failed: 0,
        createdAt: job.createdAt,
        startedAt: null,
        finishedAt: null,
        elapsedMs: null,
        error: null,
        worker: null,
        heartbeatAt: null,
      });
      expect(await store.getJob(job.id)).toEqual(created);
    });

    it('keeps a job\'s filters, each run\'s filtered count and each item\'s licence code', async () => {
      const filters: Filters = { minWidth: 1920, minHeight: null, orientation: 'landscape', license: ['cc0', 'cc-by'], safeSearch: false, format: ['jpeg', 'webp'] };
      const job = newJob({ filters });
      expect((await store.createJob(job)).filters).toEqual(filters);
      const listed = (await store.listJobs({ limit: 1000 })).find((found) => found.id === job.id);
      expect(listed?.filters).toEqual(filters);
      await store.saveSourceRun(job.id, run('nasa', { status: 'done', found: 7, downloaded: 2, filtered: 5 }));
      expect((await store.getJob(job.id))?.sources.find((s) => s.source === 'nasa')).toMatchObject({ found: 7, downloaded: 2, filtered: 5 });
      const saved = { ...item(job.id, 'image', '2030-01-01T00:00:01.000Z'), licenseCode: null };
      await store.addItem(saved);
      expect(await store.listItems(job.id)).toEqual([saved]);
    });

    it('returns undefined for an unknown job or item', async () => {
      expect(await store.getJob(uniqueId('missing'))).toBeUndefined();
      expect(await store.getItem(uniqueId('missing'))).toBeUndefined();
    });

    it('rejects a job id that is taken with TRAWL_BAD_INPUT', async () => {
      const job = newJob();
      await store.createJob(job);
      await expect(store.createJob(job)).rejects.toMatchObject({ code: 'TRAWL_BAD_INPUT' });
    });

    it('updates only the fields a patch names, and null clears', async () => {
      const job = newJob();
      await store.createJob(job);
      const error = { code: 'TRAWL_JOB_TIMEOUT', message: 'job budget ran out' } as const;
      await store.updateJob(job.id, { status: 'running', startedAt: '2030-01-01T00:00:01.000Z', worker: 'w1', heartbeatAt: '2030-01-01T00:00:02.000Z' });
      await store.updateJob(job.id, { status: 'timed_out', finishedAt: '2030-01-01T00:10:01.000Z', elapsedMs: 600_000, error });
      const ended = await store.getJob(job.id);
      expect(ended).toMatchObject({ status: 'timed_out', startedAt: '2030-01-01T00:00:01.000Z', finishedAt: '2030-01-01T00:10:01.000Z' });
      expect(ended).toMatchObject({ elapsedMs: 600_000, error, worker: 'w1', heartbeatAt: '2030-01-01T00:00:02.000Z', query: 'red fox' });
      await store.updateJob(job.id, { error: null, worker: null, heartbeatAt: null });
      await store.updateJob(job.id, {});
      expect(await store.getJob(job.id)).toMatchObject({ status: 'timed_out', error: null, worker: null, heartbeatAt: null, elapsedMs: 600_000 });
    });

    it('rejects updating an unknown job with TRAWL_NOT_FOUND', async () => {
      await expect(store.updateJob(uniqueId('missing'), { status: 'running' })).rejects.toMatchObject({ code: 'TRAWL_NOT_FOUND' });
      await expect(store.updateJob(uniqueId('missing'), {})).rejects.toMatchObject({ code: 'TRAWL_NOT_FOUND' });
    });

    it('saves a source run in place, keeping the order, and appends a new source last', async () => {
      const job = newJob();
      await store.createJob(job);
      const nasa = run('nasa', { status: 'timed_out', found: 9, downloaded: 4, failed: 2, duplicates: 1, startedAt: 'a', finishedAt: 'b', elapsedMs: 90_000, budgetMs: 90_000, error: { code: 'TRAWL_SOURCE_TIMEOUT', message: 'out of time' } });
      await store.saveSourceRun(job.id, nasa);
      await store.saveSourceRun(job.id, run('unsplash', { status: 'skipped' }));
      const sources = (await store.getJob(job.id))?.sources;
      expect(sources).toEqual([run('pexels'), nasa, run('openverse'), run('unsplash', { status: 'skipped' })]);
      await store.saveSourceRun(job.id, run('nasa', { status: 'done', error: null }));
      expect((await store.getJob(job.id))?.sources.map((s) => [s.source, s.status, s.error])).toEqual([
        ['pexels', 'pending', null],
        ['nasa', 'done', null],
        ['openverse', 'pending', null],
        ['unsplash', 'skipped', null],
      ]);
      await expect(store.saveSourceRun(uniqueId('missing'), run('nasa'))).rejects.toMatchObject({ code: 'TRAWL_NOT_FOUND' });
    });

    it('stores items and derives downloaded, images and videos from them', async () => {
      const job = newJob();
      const other = newJob();
      await store.createJob(job);
      await store.createJob(other);
      const items = [
        item(job.id, 'image', '2030-01-01T00:00:01.000Z'),
        item(job.id, 'video', '2030-01-01T00:00:02.000Z'),
        item(job.id, 'image', '2030-01-01T00:00:03.000Z'),
        item(job.id, 'audio', '2030-01-01T00:00:04.000Z'),
      ];
      for (const saved of [items[2], items[0], items[3], items[1]]) if (saved !== undefined) await store.addItem(saved);
      await store.addItem(item(other.id, 'video', '2030-01-01T00:00:05.000Z'));
      expect(await store.listItems(job.id)).toEqual(items);
      expect(await store.getItem(items[1]?.id ?? '')).toEqual(items[1]);
      const counts = { downloaded: 4, images: 2, videos: 1, failed: 0 };
      expect(await store.getJob(job.id)).toMatchObject(counts);
      expect((await store.listJobs({ limit: 1000 })).find((listed) => listed.id === job.id)).toMatchObject(counts);
      expect(await store.getJob(other.id)).toMatchObject({ downloaded: 1, images: 0, videos: 1 });
      await expect(store.addItem(item(uniqueId('missing'), 'image', 'x'))).rejects.toMatchObject({ code: 'TRAWL_NOT_FOUND' });
    });

    it('lists failures in the order recorded and counts them', async () => {
      const job = newJob();
      await store.createJob(job);
      for (const n of [3, 1, 2]) await store.addFailure(job.id, failure(n));
      expect(await store.listFailures(job.id)).toEqual([failure(3), failure(1), failure(2)]);
      expect(await store.getJob(job.id)).toMatchObject({ failed: 3, downloaded: 0 });
      expect(await store.listFailures(uniqueId('missing'))).toEqual([]);
    });

    it('lists jobs newest first and filters by status', async () => {
      const [old, middle, recent] = ['2031-01-01T00:00:00.000Z', '2031-01-02T00:00:00.000Z', '2031-01-03T00:00:00.000Z'].map((createdAt) => newJob({ createdAt }));
      if (old === undefined || middle === undefined || recent === undefined) throw new Error('fixture');
      for (const job of [middle, recent, old]) await store.createJob(job);
      await store.updateJob(middle.id, { status: 'running' });
      await store.updateJob(recent.id, { status: 'completed' });
      const mine = new Set([old.id, middle.id, recent.id]);
      const all = await store.listJobs({ limit: 1000 });
      expect(all.filter((job) => mine.has(job.id)).map((job) => job.id)).toEqual([recent.id, middle.id, old.id]);
      expect(all.find((job) => job.id === middle.id)?.sources).toEqual(middle.sources);
      const active = await store.listJobs({ status: ['running', 'completed'], limit: 1000 });
      expect(active.every((job) => job.status === 'running' || job.status === 'completed')).toBe(true);
      expect(active.filter((job) => mine.has(job.id)).map((job) => job.id)).toEqual([recent.id, middle.id]);
    });

    it('limits job lists: as asked, 50 by default, 1000 at most', async () => {
      for (let n = 0; n < 1001; n++) await store.createJob(newJob({ createdAt: `2032-01-01T00:00:00.${String(n % 1000).padStart(3, '0')}Z`, sources: [] }));
      const all = await store.listJobs({ limit: 5000 });
      expect(all).toHaveLength(1000);
      expect(await store.listJobs()).toEqual(all.slice(0, 50));
      expect(await store.listJobs({ limit: 2 })).toEqual(all.slice(0, 2));
      await expect(store.listJobs({ limit: 0 })).rejects.toMatchObject({ code: 'TRAWL_BAD_INPUT' });
    });

    it('finds job ids by prefix: case-sensitive, in id order, as many as asked, with no wildcards', async () => {
      const base = uniqueId('pfx');
      const ids = [`${base}-abc2`, `${base}-ABC3`, `${base}-abc1`, `${base}-b%_`];
      for (const id of ids) await store.createJob(newJob({ id, sources: [] }));
      expect(await store.findJobIds(`${base}-abc`, 10)).toEqual([`${base}-abc1`, `${base}-abc2`]);
      expect(await store.findJobIds(`${base}-a`, 1)).toEqual([`${base}-abc1`]);
      expect(await store.findJobIds(`${base}-ABC`, 10)).toEqual([`${base}-ABC3`]);
      expect(await store.findJobIds(`${base}-abc1`, 10)).toEqual([`${base}-abc1`]);
      expect(await store.findJobIds(`${base}-b%`, 10)).toEqual([`${base}-b%_`]);
      for (const none of [`${base}-%`, `${base}-_bc1`, `${base}-abc1-more`, uniqueId('missing')]) expect(await store.findJobIds(none, 10)).toEqual([]);
      await expect(store.findJobIds(base, 0)).rejects.toMatchObject({ code: 'TRAWL_BAD_INPUT' });
    });

    it('appends events with growing ids and lists them in order, after an id when asked', async () => {
      const job = newJob();
      const other = newJob();
      await store.createJob(job);
      await store.createJob(other);
      const payloads: unknown[] = [{ source: 'nasa', found: 3, nested: { list: [1, 'two'] } }, 'text', 42, null];
      const ids: number[] = [];
      for (const [n, data] of payloads.entries()) {
        ids.push(await store.appendEvent(job.id, `event.${n}`, data));
        await store.appendEvent(other.id, 'noise', { n });
      }
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      const events = await store.listEvents(job.id);
      expect(events.map((event) => [event.id, event.jobId, event.name, event.data])).toEqual(payloads.map((data, n) => [ids[n], job.id, `event.${n}`, data]));
      expect(events.every((event) => !Number.isNaN(Date.parse(event.at)))).toBe(true);
      expect((await store.listEvents(job.id, ids[1])).map((event) => event.id)).toEqual(ids.slice(2));
      expect(await store.listEvents(job.id, ids[3])).toEqual([]);
      await expect(store.appendEvent(uniqueId('missing'), 'x', {})).rejects.toMatchObject({ code: 'TRAWL_NOT_FOUND' });
    });

    it('lists every job\'s events in id order, in pages after an id', async () => {
      const first = newJob();
      const second = newJob();
      await store.createJob(first);
      await store.createJob(second);
      const before = (await store.listAllEvents(undefined, 1_000_000)).at(-1)?.id;
      const ids: number[] = [];
      for (const [n, job] of [first, second, first, second, second].entries()) ids.push(await store.appendEvent(job.id, `event.${n}`, { n }));
      const mine = await store.listAllEvents(before, 100);
      expect(mine.map((event) => [event.id, event.jobId, event.name, event.data])).toEqual(
        ids.map((id, n) => [id, n % 2 === 0 && n !== 4 ? first.id : second.id, `event.${n}`, { n }]),
      );
      expect((await store.listAllEvents(before, 2)).map((event) => event.id)).toEqual(ids.slice(0, 2));
      expect((await store.listAllEvents(ids[1], 2)).map((event) => event.id)).toEqual(ids.slice(2, 4));
      expect(await store.listAllEvents(ids[4], 10)).toEqual([]);
      expect(await store.latestEventId()).toBe(ids[4]);
      const batch = await store.appendEvents([
        { jobId: second.id, name: 'batch.0', data: { b: 0 } },
        { jobId: first.id, name: 'batch.1', data: null },
        { jobId: second.id, name: 'batch.2', data: [1, 2] },
      ]);
      expect(batch).toHaveLength(3);
      expect(batch[0]).toBeGreaterThan(ids[4] ?? 0);
      expect((await store.listAllEvents(ids[4], 10)).map((event) => [event.id, event.jobId, event.name, event.data])).toEqual([
        [batch[0], second.id, 'batch.0', { b: 0 }],
        [batch[1], first.id, 'batch.1', null],
        [batch[2], second.id, 'batch.2', [1, 2]],
      ]);
      expect(await store.appendEvents([])).toEqual([]);
      await expect(store.appendEvents([{ jobId: first.id, name: 'ok', data: 1 }, { jobId: uniqueId('missing'), name: 'orphan', data: 2 }])).rejects.toThrow();
      expect(await store.latestEventId()).toBe(batch[2]);
      await expect(store.listAllEvents(undefined, 0)).rejects.toMatchObject({ code: 'TRAWL_BAD_INPUT' });
    });

    it("reads the end of a job's event log and its length, without the rest", async () => {
      const job = newJob();
      const other = newJob();
      await store.createJob(job);
      await store.createJob(other);
      expect(await store.tailEvents(job.id, 3)).toEqual({ events: [], total: 0 });
      const ids: number[] = [];
      for (let n = 0; n < 7; n++) {
        ids.push(await store.appendEvent(job.id, `event.${n}`, { n }));
        await store.appendEvent(other.id, 'noise', { n });
      }
      const tail = await store.tailEvents(job.id, 3);
      expect(tail.total).toBe(7);
      expect(tail.events.map((event) => [event.id, event.jobId, event.name, event.data])).toEqual(ids.slice(4).map((id, k) => [id, job.id, `event.${k + 4}`, { n: k + 4 }]));
      expect(tail.events).toEqual((await store.listEvents(job.id)).slice(-3));
      expect(await store.tailEvents(job.id, 100)).toEqual({ events: await store.listEvents(job.id), total: 7 });
      expect(await store.tailEvents(uniqueId('missing'), 5)).toEqual({ events: [], total: 0 });
      for (const bad of [0, -1, 1.5]) await expect(store.tailEvents(job.id, bad)).rejects.toMatchObject({ code: 'TRAWL_BAD_INPUT' });
    });

    it('keeps one quota per source, the latest replacing the earlier', async () => {
      await store.saveQuota({ source: 'unsplash', remaining: 10, limit: 50, resetAt: '2030-01-01T01:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z' });
      await store.saveQuota({ source: 'unsplash', remaining: 0, limit: 50, resetAt: '2030-01-01T01:00:00.000Z', updatedAt: '2030-01-01T00:30:00.000Z' });
      await store.saveQuota({ source: 'pexels', remaining: null, limit: null, resetAt: null, updatedAt: '2030-01-01T00:10:00.000Z' });
      const quotas = await store.listQuotas();
      expect(quotas.filter((q) => q.source === 'unsplash')).toEqual([
        { source: 'unsplash', remaining: 0, limit: 50, resetAt: '2030-01-01T01:00:00.000Z', updatedAt: '2030-01-01T00:30:00.000Z' },
      ]);
      expect(quotas.find((q) => q.source === 'pexels')).toEqual({ source: 'pexels', remaining: null, limit: null, resetAt: null, updatedAt: '2030-01-01T00:10:00.000Z' });
    });

    it('remembers source outcomes in order, only the newest `keep` of each source', async () => {
      const jobId = uniqueId('outcomes');
      const outcome = (source: SourceId, n: number): StoredSourceOutcome => ({
        source,
        jobId,
        status: n % 2 === 0 ? 'ok' : 'failed',
        elapsedMs: 100 * n,
        saved: n % 2 === 0 ? n : 0,
        error: n % 2 === 0 ? null : { code: 'TRAWL_HTTP_TRANSIENT', message: `HTTP 503 #${n}` },
        at: `2030-01-01T00:00:0${n}.000Z`,
      });
      const added = [outcome('bing_images', 1), outcome('google_images', 2), outcome('bing_images', 3), outcome('bing_images', 4), outcome('google_images', 5), outcome('bing_images', 6)];
      for (const o of added) await store.addSourceOutcome(o, 3);
      const mine = (await store.listSourceOutcomes()).filter((o) => o.jobId === jobId);
      expect(mine).toEqual([added[1], added[2], added[3], added[4], added[5]]);
      await expect(store.addSourceOutcome(outcome('nasa', 1), 0)).rejects.toMatchObject({ code: 'TRAWL_BAD_INPUT' });
    });

    it('keeps source outcomes across close and reopen', async () => {
      const jobId = uniqueId('outcomes');
      const kept: StoredSourceOutcome = { source: 'duckduckgo_images', jobId, status: 'timed_out', elapsedMs: 30_000, saved: 2, error: { code: 'TRAWL_SOURCE_TIMEOUT', message: 'source budget over' }, at: '2030-01-01T00:00:00.000Z' };
      await store.addSourceOutcome(kept, 20);
      await store.close();
      store = await open();
      await store.migrate();
      expect((await store.listSourceOutcomes()).filter((o) => o.jobId === jobId)).toEqual([kept]);
    });

    it('keeps everything across close and reopen', async () => {
      const job = newJob();
      await store.createJob(job);
      await store.updateJob(job.id, { status: 'completed', finishedAt: '2030-01-01T00:01:00.000Z' });
      await store.saveSourceRun(job.id, run('pexels', { status: 'done', found: 1, downloaded: 1 }));
      await store.addItem(item(job.id, 'image', '2030-01-01T00:00:30.000Z'));
      await store.addFailure(job.id, failure(1));
      await store.appendEvent(job.id, 'job.finished', { status: 'completed' });
      const before = [await store.getJob(job.id), await store.listItems(job.id), await store.listFailures(job.id), await store.listEvents(job.id)];
      await store.close();
      await store.close();
      store = await open();
      await store.migrate();
      const after = [await store.getJob(job.id), await store.listItems(job.id), await store.listFailures(job.id), await store.listEvents(job.id)];
      expect(after).toEqual(before);
      expect(before[0]).toMatchObject({ status: 'completed', downloaded: 1, images: 1, failed: 1 });
    });
  });
}

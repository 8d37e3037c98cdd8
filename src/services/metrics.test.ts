import { afterEach, describe, expect, it } from 'vitest';
import { type ErrorInfo, type Item, type Job, type JobStatus, NO_FILTERS, type SourceRun } from '../domain.js';
import { EventBus } from '../engine/events.js';
import { QuotaBook } from '../engine/quota-book.js';
import { SourceHealthBook } from '../engine/source-health.js';
import { type Metrics, createMetrics } from './metrics.js';

const noStore = { addSourceOutcome: () => Promise.resolve(), listSourceOutcomes: () => Promise.resolve([]) };
const noQuotaStore = { saveQuota: () => Promise.resolve(), listQuotas: () => Promise.resolve([]) };

function sourceRun(source: SourceRun['source'], status: SourceRun['status'], elapsedMs: number | null, error: ErrorInfo | null = null): SourceRun {
  const started = elapsedMs !== null;
  return { source, status, found: 3, downloaded: 1, failed: 0, duplicates: 0, filtered: 0, startedAt: started ? '2030-01-01T00:00:00.000Z' : null, finishedAt: '2030-01-01T00:00:01.000Z', elapsedMs, budgetMs: 30_000, error };
}

function job(id: string, status: JobStatus, error: ErrorInfo | null = null): Job {
  return {
    id, query: 'cats', type: 'image', limit: 3, outDir: 'out', status, budgets: { requestMs: 1, sourceMs: 1, jobMs: 1 }, filters: NO_FILTERS, sources: [],
    downloaded: 0, images: 0, videos: 0, failed: 0, createdAt: '', startedAt: null, finishedAt: null, elapsedMs: null, error, worker: null, heartbeatAt: null,
  };
}

const item = (kind: Item['kind'], bytes: number): Item => ({
  id: 'i', jobId: 'j1', source: 'pexels', kind, url: 'http://127.0.0.1/a', pageUrl: null, title: null, author: null, authorUrl: null,
  license: null, licenseUrl: null, licenseCode: null, width: null, height: null, path: 'a', bytes, sha256: '', contentType: 'image/png', createdAt: '',
});

/** The value of one sample line, e.g. `trawl_jobs_total{status="completed"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let metrics: Metrics | undefined;
afterEach(() => {
  metrics?.stop();
  metrics = undefined;
});

function setup() {
  const bus = new EventBus((err) => {
    throw err;
  });
  const health = new SourceHealthBook(noStore, { failures: 2, cooldownMs: 60_000 }, () => {});
  const quotas = new QuotaBook(noQuotaStore, () => {});
  metrics = createMetrics({ bus, health, quotas, sources: [{ id: 'pexels' }, { id: 'openverse' }, { id: 'unsplash' }] });
  return { bus, health, quotas, metrics };
}

describe('createMetrics', () => {
  it('counts jobs by terminal status, running jobs, reaped jobs and job timeouts', async () => {
    const { bus, metrics } = setup();
    bus.emit('job.started', { jobId: 'j1', job: job('j1', 'running') });
    bus.emit('job.started', { jobId: 'j2', job: job('j2', 'running') });
    bus.emit('job.started', { jobId: 'j3', job: job('j3', 'running') });
    expect(sample(await metrics.render(), 'trawl_jobs_running')).toBe(3);
    bus.emit('job.finished', { jobId: 'j1', job: job('j1', 'completed') });
    bus.emit('job.finished', { jobId: 'j2', job: job('j2', 'timed_out', { code: 'TRAWL_JOB_TIMEOUT', message: 'job budget over' }) });
    // A reaped job: the reaper finishes it as failed with the worker-lost code (of the leases work).
    bus.emit('job.finished', { jobId: 'j9', job: job('j9', 'failed', { code: 'TRAWL_WORKER_LOST', message: 'worker lost' } as unknown as ErrorInfo) });
    const text = await metrics.render();
    // j3 still runs; the reaped j9 never started here and does not push the gauge below that.
    expect(sample(text, 'trawl_jobs_running')).toBe(1);
    expect(sample(text, 'trawl_jobs_total{status="completed"}')).toBe(1);
    expect(sample(text, 'trawl_jobs_total{status="timed_out"}')).toBe(1);
    expect(sample(text, 'trawl_jobs_total{status="failed"}')).toBe(1);
    expect(sample(text, 'trawl_jobs_reaped_total')).toBe(1);
    expect(sample(text, 'trawl_timeouts_total{level="job"}')).toBe(1);
    expect(sample(text, 'trawl_timeouts_total{level="source"}')).toBe(0);
  });

  it('counts source runs by status, their durations, and source and request timeouts', async () => {
    const { bus, metrics } = setup();
    bus.emit('source.finished', { jobId: 'j1', source: 'pexels', run: sourceRun('pexels', 'done', 1500) });
    bus.emit('source.finished', { jobId: 'j1', source: 'pexels', run: sourceRun('pexels', 'timed_out', 30_000, { code: 'TRAWL_SOURCE_TIMEOUT', message: 'x' }) });
    bus.emit('source.finished', { jobId: 'j1', source: 'openverse', run: sourceRun('openverse', 'failed', 200, { code: 'TRAWL_REQUEST_TIMEOUT', message: 'x' }) });
    bus.emit('source.finished', { jobId: 'j1', source: 'unsplash', run: sourceRun('unsplash', 'skipped', null, { code: 'TRAWL_CIRCUIT_OPEN', message: 'x' }) });
    const text = await metrics.render();
    expect(sample(text, 'trawl_source_runs_total{source="pexels",status="done"}')).toBe(1);
    expect(sample(text, 'trawl_source_runs_total{source="pexels",status="timed_out"}')).toBe(1);
    expect(sample(text, 'trawl_source_runs_total{source="unsplash",status="skipped"}')).toBe(1);
    expect(sample(text, 'trawl_source_run_duration_seconds_count{source="pexels"}')).toBe(2);
    expect(sample(text, 'trawl_source_run_duration_seconds_sum{source="pexels"}')).toBe(31.5);
    expect(sample(text, 'trawl_source_run_duration_seconds_bucket{le="2.5",source="pexels"}')).toBe(1);
    // A skipped run never ran: no duration.
    expect(sample(text, 'trawl_source_run_duration_seconds_count{source="unsplash"}')).toBeUndefined();
    expect(sample(text, 'trawl_timeouts_total{level="source"}')).toBe(1);
    expect(sample(text, 'trawl_timeouts_total{level="request"}')).toBe(1);
  });

  it('counts saved items and bytes by source and kind, and failures by code', async () => {
    const { bus, metrics } = setup();
    bus.emit('item.saved', { jobId: 'j1', source: 'pexels', item: item('image', 1000) });
    bus.emit('item.saved', { jobId: 'j1', source: 'pexels', item: item('image', 2000) });
    bus.emit('item.saved', { jobId: 'j1', source: 'pexels', item: item('video', 500_000) });
    bus.emit('item.failed', { jobId: 'j1', source: 'pexels', url: 'http://127.0.0.1/x', error: { code: 'TRAWL_NOT_MEDIA', message: 'html' } });
    bus.emit('item.failed', { jobId: 'j1', source: 'pexels', url: 'http://127.0.0.1/y', error: { code: 'TRAWL_BODY_IDLE', message: 'silent' } });
    const text = await metrics.render();
    expect(sample(text, 'trawl_items_downloaded_total{source="pexels",kind="image"}')).toBe(2);
    expect(sample(text, 'trawl_items_downloaded_total{source="pexels",kind="video"}')).toBe(1);
    expect(sample(text, 'trawl_bytes_downloaded_total{source="pexels"}')).toBe(503_000);
    expect(sample(text, 'trawl_item_failures_total{source="pexels",code="TRAWL_NOT_MEDIA"}')).toBe(1);
    expect(sample(text, 'trawl_timeouts_total{level="request"}')).toBe(1);
  });

  it('reads breaker states and quotas when scraped', async () => {
    const { health, quotas, metrics } = setup();
    const failed = sourceRun('pexels', 'failed', 100, { code: 'TRAWL_HTTP_TRANSIENT', message: '503' });
    health.record('j1', failed);
    health.record('j2', failed);
    quotas.report('unsplash', { remaining: 42, limit: 50, resetAt: null });
    const text = await metrics.render();
    expect(sample(text, 'trawl_breaker_state{source="pexels"}')).toBe(2);
    expect(sample(text, 'trawl_breaker_state{source="openverse"}')).toBe(0);
    expect(sample(text, 'trawl_source_quota_remaining{source="unsplash"}')).toBe(42);
    expect(sample(text, 'trawl_source_quota_remaining{source="pexels"}')).toBeUndefined();
  });

  it('serves the Prometheus text format with trawl_ process metrics, in its own registry', async () => {
    const { metrics } = setup();
    const other = setup().metrics;
    const text = await metrics.render();
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE trawl_jobs_total counter');
    expect(text).toContain('# TYPE trawl_source_run_duration_seconds histogram');
    expect(text).toMatch(/^trawl_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^trawl_nodejs_heap_size_used_bytes \d/m);
    expect(text.split('\n').filter((l) => l && !l.startsWith('#')).every((l) => l.startsWith('trawl_'))).toBe(true);
    other.stop();
  });

  it('names only counters …_total (promtool rejects gauges so named), keeping the labelled active-handle gauges', async () => {
    const text = await setup().metrics.render();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name, type }));
    expect(types.filter(({ name, type }) => name?.endsWith('_total') === true && type !== 'counter')).toEqual([]);
    for (const name of ['trawl_nodejs_active_handles', 'trawl_nodejs_active_requests', 'trawl_nodejs_active_resources']) expect(types).toContainEqual({ name, type: 'gauge' });
  });

  it('stops counting once stopped', async () => {
    const { bus, metrics } = setup();
    metrics.stop();
    bus.emit('job.finished', { jobId: 'j1', job: job('j1', 'completed') });
    expect(sample(await metrics.render(), 'trawl_jobs_total{status="completed"}')).toBeUndefined();
  });
});

/**
 * Prometheus metrics for `GET /metrics`, fed by the job event bus (the same events the log and the
 * event log consume) plus two gauges read when scraped: each source's breaker state and quota.
 * Everything lives in its own registry, never prom-client's global one, so several runtimes (tests,
 * a server restarted in-process) never share or double-register metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorCode } from '../errors.js';
import type { JobEvent, EventBus } from '../engine/events.js';
import type { BreakerState } from '../engine/circuit-breaker.js';
import type { QuotaBook } from '../engine/quota-book.js';
import type { SourceHealthBook } from '../engine/source-health.js';
import type { Source } from '../sources/source.js';

/** What the metrics read: `runtime.deps` fits as it is. */
export interface MetricsDeps {
  bus: EventBus;
  health: Pick<SourceHealthBook, 'get'>;
  quotas: Pick<QuotaBook, 'get'>;
  /** The sources to report breaker state and quota for. */
  sources: readonly Pick<Source, 'id'>[];
}

/** A registry of Trawl's metrics and how to serve it. */
export interface Metrics {
  readonly registry: Registry;
  /** The Content-Type header for `render()`'s text. */
  readonly contentType: string;
  /** Every metric in the Prometheus text format. */
  render(): Promise<string>;
  /** Stops listening to the bus (the counters keep their values). */
  stop(): void;
}

/** The value of `trawl_breaker_state` for each state. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

// Request-level timeouts (connect + headers, and a silent body); a too-slow body is a speed guard.
const REQUEST_TIMEOUT_CODES: readonly ErrorCode[] = ['TRAWL_REQUEST_TIMEOUT', 'TRAWL_BODY_IDLE'];

const DEFAULT_PREFIX = 'trawl_';
const UNSUMMED_GAUGES = ['nodejs_active_handles', 'nodejs_active_requests', 'nodejs_active_resources'] as const;

/** Creates the metrics and starts counting the bus's events. */
export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: DEFAULT_PREFIX });
  // prom-client also exports each of these as a gauge named `…_total`, which Prometheus reserves for
  // counters (promtool rejects it). They only sum the labelled gauge of the same name without the
  // suffix: `sum(trawl_nodejs_active_handles)` gives the same number.
  for (const name of UNSUMMED_GAUGES) registry.removeSingleMetric(`${DEFAULT_PREFIX}${name}_total`);
  const running = new Set<string>();
  const metrics = defineEventMetrics(registry);
  defineScrapedGauges(registry, deps, running);
  const stop = deps.bus.subscribe((event) => countEvent(metrics, running, event));
  return { registry, contentType: registry.contentType, render: () => registry.metrics(), stop };
}

type EventMetrics = ReturnType<typeof defineEventMetrics>;

/** The counters and histogram the bus's events feed. */
function defineEventMetrics(registers: Registry) {
  const on = { registers: [registers] };
  const timeouts = new Counter({ name: 'trawl_timeouts_total', help: 'Budgets that ran out, by level (request, source, job)', labelNames: ['level'] as const, ...on });
  for (const level of ['request', 'source', 'job']) timeouts.inc({ level }, 0);
  return {
    timeouts,
    jobs: new Counter({ name: 'trawl_jobs_total', help: 'Jobs that ended, by terminal status', labelNames: ['status'] as const, ...on }),
    reaped: new Counter({ name: 'trawl_jobs_reaped_total', help: 'Jobs ended by the reaper because their worker was lost', ...on }),
    runs: new Counter({ name: 'trawl_source_runs_total', help: 'Source runs that ended, by source and status', labelNames: ['source', 'status'] as const, ...on }),
    duration: new Histogram({
      name: 'trawl_source_run_duration_seconds',
      help: 'How long source runs took (search and downloads), by source',
      labelNames: ['source'] as const,
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      ...on,
    }),
    items: new Counter({ name: 'trawl_items_downloaded_total', help: 'Media files saved, by source and kind', labelNames: ['source', 'kind'] as const, ...on }),
    bytes: new Counter({ name: 'trawl_bytes_downloaded_total', help: 'Bytes of media files saved, by source', labelNames: ['source'] as const, ...on }),
    failures: new Counter({ name: 'trawl_item_failures_total', help: 'Candidates that failed, by source and error code', labelNames: ['source', 'code'] as const, ...on }),
  };
}

/** Counts one event; `running` follows the jobs between their start and finish. */
function countEvent(m: EventMetrics, running: Set<string>, event: JobEvent): void {
  switch (event.name) {
    case 'job.started':
      running.add(event.data.jobId);
      return;
    case 'job.finished': {
      const { job } = event.data;
      const code = job.error?.code;
      running.delete(job.id);
      m.jobs.inc({ status: job.status });
      if (job.status === 'timed_out' && code === 'TRAWL_JOB_TIMEOUT') m.timeouts.inc({ level: 'job' });
      if (code === 'TRAWL_WORKER_LOST') m.reaped.inc();
      return;
    }
    case 'source.finished': {
      const { run } = event.data;
      m.runs.inc({ source: run.source, status: run.status });
      if (run.startedAt !== null && run.elapsedMs !== null) m.duration.observe({ source: run.source }, run.elapsedMs / 1000);
      if (run.status === 'timed_out' && run.error?.code === 'TRAWL_SOURCE_TIMEOUT') m.timeouts.inc({ level: 'source' });
      if (run.error && REQUEST_TIMEOUT_CODES.includes(run.error.code)) m.timeouts.inc({ level: 'request' });
      return;
    }
    case 'item.saved':
      m.items.inc({ source: event.data.source, kind: event.data.item.kind });
      m.bytes.inc({ source: event.data.source }, event.data.item.bytes);
      return;
    case 'item.failed':
      m.failures.inc({ source: event.data.source, code: event.data.error.code });
      if (REQUEST_TIMEOUT_CODES.includes(event.data.error.code)) m.timeouts.inc({ level: 'request' });
      return;
    case 'source.started':
    case 'source.progress':
    case 'alert':
      return;
  }
}

/** Gauges whose values are read when the registry is scraped. */
function defineScrapedGauges(registers: Registry, deps: MetricsDeps, running: Set<string>): void {
  const on = { registers: [registers] };
  new Gauge({
    name: 'trawl_jobs_running',
    help: 'Jobs this process is running now',
    ...on,
    collect() {
      this.set(running.size);
    },
  });
  new Gauge({
    name: 'trawl_breaker_state',
    help: "Each source's circuit breaker: 0 closed, 1 half-open, 2 open",
    labelNames: ['source'] as const,
    ...on,
    collect() {
      for (const { id } of deps.sources) this.set({ source: id }, BREAKER_STATE_VALUE[deps.health.get(id).breaker.state]);
    },
  });
  new Gauge({
    name: 'trawl_source_quota_remaining',
    help: "Requests left in each source's rate-limit quota, as the service last announced",
    labelNames: ['source'] as const,
    ...on,
    collect() {
      this.reset();
      for (const { id } of deps.sources) {
        const remaining = deps.quotas.get(id)?.remaining;
        if (remaining !== undefined && remaining !== null) this.set({ source: id }, remaining);
      }
    },
  });
}

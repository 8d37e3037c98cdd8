/**
 * The job events the API streams (the engine's typed event map), turned into state and words:
 * reading a frame safely, applying it to a job, and one readable log line per event.
 */
import type { Job, SourceRun } from '../../src/domain.js';
import type { JobEventName, JobEvents } from '../../src/engine/events.js';
import type { SseFrame } from './sse-parse.js';
import { formatDuration } from './format.js';

/** One streamed event: its store id, its name and its payload. */
export type JobEventMessage = { [K in JobEventName]: { id: string | null; name: K; data: JobEvents[K] } }[JobEventName];

const EVENT_NAMES: readonly string[] = [
  'job.started',
  'source.started',
  'source.progress',
  'item.saved',
  'item.failed',
  'source.finished',
  'alert',
  'job.finished',
] satisfies JobEventName[];

/** The event in a frame, or null for names this dashboard does not know or data that is not an object with a jobId. */
export function readJobEvent(frame: SseFrame): JobEventMessage | null {
  if (!EVENT_NAMES.includes(frame.event)) return null;
  let data: unknown;
  try {
    data = JSON.parse(frame.data);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || typeof (data as { jobId?: unknown }).jobId !== 'string') return null;
  // The server writes these payloads from the same typed map; the name was checked above.
  return { id: frame.id, name: frame.event, data } as JobEventMessage;
}

/**
 * The job after `event`. Snapshots (job.started/finished) replace it; run events replace the
 * source's run, so replaying a stream from the start converges on the same state. Totals are
 * recomputed from the runs, never counted up, for the same reason.
 */
export function applyJobEvent(job: Job, event: JobEventMessage, now: number): Job {
  switch (event.name) {
    case 'job.started':
    case 'job.finished':
      return event.data.job;
    case 'source.started': {
      const current = job.sources.find((r) => r.source === event.data.source);
      const startedAt = current?.startedAt ?? new Date(now).toISOString();
      return withRun(job, { ...(current ?? emptyRun(event.data.source)), status: 'running', startedAt, budgetMs: event.data.budgetMs });
    }
    case 'source.progress':
    case 'source.finished':
      return withRun(job, event.data.run);
    case 'item.saved':
    case 'item.failed':
    case 'alert':
      return job;
  }
}

function withRun(job: Job, run: SourceRun): Job {
  const known = job.sources.some((r) => r.source === run.source);
  const sources = known ? job.sources.map((r) => (r.source === run.source ? run : r)) : [...job.sources, run];
  const sum = (key: 'downloaded' | 'failed'): number => sources.reduce((total, r) => total + r[key], 0);
  return { ...job, sources, downloaded: sum('downloaded'), failed: sum('failed') };
}

function emptyRun(source: SourceRun['source']): SourceRun {
  return { source, status: 'pending', found: 0, downloaded: 0, failed: 0, duplicates: 0, filtered: 0, startedAt: null, finishedAt: null, elapsedMs: null, budgetMs: null, error: null };
}

/** One readable line for the event log. Network text stays text: the caller renders it as such. */
export function describeJobEvent(event: JobEventMessage): string {
  switch (event.name) {
    case 'job.started':
      return `job started: "${event.data.job.query}" on ${event.data.job.sources.map((r) => r.source).join(', ') || 'no sources'}`;
    case 'source.started':
      return `${event.data.source}: started, budget ${formatDuration(event.data.budgetMs)}`;
    case 'source.progress':
      return `${event.data.source}: ${runCounts(event.data.run)}`;
    case 'item.saved':
      return `${event.data.source}: saved ${event.data.item.kind} ${quoted(event.data.item.title)} (${event.data.item.contentType})`;
    case 'item.failed':
      return `${event.data.source}: failed ${event.data.url}: ${event.data.error.code} ${event.data.error.message}`;
    case 'source.finished': {
      const { run } = event.data;
      const took = run.elapsedMs === null ? '' : ` in ${formatDuration(run.elapsedMs)}`;
      const why = run.error ? ` (${run.error.code}: ${run.error.message})` : '';
      return `${event.data.source}: ${run.status}${took}, ${runCounts(run)}${why}`;
    }
    case 'alert':
      return `${event.data.level === 'error' ? 'ERROR' : 'ALERT'}${event.data.source ? ` ${event.data.source}` : ''}: ${event.data.message}`;
    case 'job.finished': {
      const { job } = event.data;
      const took = job.elapsedMs === null ? '' : ` in ${formatDuration(job.elapsedMs)}`;
      const why = job.error ? ` (${job.error.code}: ${job.error.message})` : '';
      return `job ${job.status}${took}: ${job.downloaded} downloaded, ${job.failed} failed${why}`;
    }
  }
}

function runCounts(run: SourceRun): string {
  return `${run.found} found, ${run.downloaded} downloaded, ${run.failed} failed`;
}

function quoted(title: string | null): string {
  return title ? `"${title}"` : '(untitled)';
}

/**
 * The operator's job commands (`trawl jobs …`) as use-cases on the store: they work straight on the
 * data dir, with or without a server running, and reach jobs that run in any process.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { TERMINAL_JOB_STATUSES, type Job, type JobStatus } from '../domain.js';
import { TrawlError } from '../errors.js';
import type { EventBus } from '../engine/events.js';
import { type LogLine, readJobLogLines } from '../logging/log-reader.js';
import type { Store, StoredEvent } from '../store/store.js';

/** Which jobs `listRecentJobs` returns. */
export interface JobListQuery {
  /** Only these states; all when absent or empty. */
  statuses?: readonly JobStatus[];
  /** Only jobs created at most this long ago. */
  sinceMs?: number;
  /** At most this many, newest first (the store's default and cap apply). */
  limit?: number;
}

/** The newest jobs matching `query`, newest first. */
export async function listRecentJobs(store: Store, query: JobListQuery, now = new Date()): Promise<Job[]> {
  const jobs = await store.listJobs({
    ...(query.statuses !== undefined && query.statuses.length > 0 ? { status: query.statuses } : {}),
    ...(query.limit !== undefined ? { limit: query.limit } : {}),
  });
  if (query.sinceMs === undefined) return jobs;
  // The page is newest first, so dropping the older ones keeps "the newest N of the window".
  const cutoff = now.getTime() - query.sinceMs;
  return jobs.filter((job) => Date.parse(job.createdAt) >= cutoff);
}

/** A job with what an operator needs to understand it. */
export interface JobDetails {
  job: Job;
  /** The last events of its event log, oldest first. */
  events: StoredEvent[];
  /** How many events the log holds in all. */
  eventCount: number;
  /** Its last lines of the operator log, oldest first. */
  log: LogLine[];
}

/**
 * A job with its last `events` events and last `logLines` lines of `logFile` (those naming it).
 * @throws TrawlError TRAWL_NOT_FOUND for an unknown job.
 */
export async function describeJob(store: Store, logFile: string, id: string, options: { events: number; logLines: number; signal?: AbortSignal }): Promise<JobDetails> {
  const job = await store.getJob(id);
  if (job === undefined) throw new TrawlError('TRAWL_NOT_FOUND', `job ${id} does not exist`, { context: { jobId: id } });
  // Only what is shown is read: the end of the event log, and the log file from its end backwards.
  const { events, total } = await store.tailEvents(id, options.events);
  const { lines } = await readJobLogLines(logFile, id, { limit: options.logLines, ...(options.signal ? { signal: options.signal } : {}) });
  return { job, events, eventCount: total, log: lines };
}

/**
 * What `cancelJob` did: `cancelled` a queued job at once; a running one `stopped` within the wait,
 * or is `still_running` after it (its worker may be frozen or dead: see `trawl jobs cleanup`); or
 * the job had `ended` already.
 */
export type CancelResult = { outcome: 'cancelled' | 'stopped' | 'still_running' | 'ended'; job: Job };

/** The reason recorded on a job cancelled from the command line. */
export const CLI_CANCEL_REASON = { code: 'TRAWL_CANCELLED', message: 'cancelled by trawl jobs cancel' } as const;

/**
 * Cancels a job wherever it runs. A queued job ends `cancelled` now (with a `job.finished` event);
 * a running one is flagged and its worker stops it at its next heartbeat: this waits up to
 * `waitMs` for that, looking every `pollMs`.
 * @throws TrawlError TRAWL_NOT_FOUND for an unknown job.
 */
export async function cancelJob(deps: { store: Store; bus: EventBus }, id: string, options: { waitMs: number; pollMs: number; signal?: AbortSignal }): Promise<CancelResult> {
  const { outcome, job } = await deps.store.requestCancel(id, CLI_CANCEL_REASON, new Date().toISOString());
  if (outcome === 'cancelled') deps.bus.emit('job.finished', { jobId: id, job });
  if (outcome !== 'requested') return { outcome, job };
  const deadline = Date.now() + options.waitMs;
  let current = job;
  while (!TERMINAL_JOB_STATUSES.includes(current.status) && Date.now() < deadline) {
    await delay(Math.min(options.pollMs, Math.max(1, deadline - Date.now())), undefined, options.signal ? { signal: options.signal } : {});
    current = (await deps.store.getJob(id)) ?? current;
  }
  return { outcome: TERMINAL_JOB_STATUSES.includes(current.status) ? 'stopped' : 'still_running', job: current };
}

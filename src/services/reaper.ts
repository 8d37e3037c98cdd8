import path from 'node:path';
import type { Config } from '../config/config.js';
import { formatDuration } from '../config/units.js';
import type { ErrorInfo, Job, SourceId } from '../domain.js';
import { sweepTempFiles } from '../download/temp-files.js';
import type { EventBus } from '../engine/events.js';
import type { TrawlLogger } from '../logging/logger.js';
import { MAX_JOB_LIST_LIMIT } from '../store/queries.js';
import type { Store } from '../store/store.js';
import type { Runtime } from './runtime.js';

/** What the reaper touches: the store, the event bus (alert, job.finished), the log, and three settings. */
export interface ReaperDeps {
  store: Store;
  bus: EventBus;
  logger: TrawlLogger;
  config: Pick<Config, 'stuckAfterMs' | 'requestTimeoutMs' | 'dataDir'>;
}

/** One job the reaper closed, and why. */
export interface ReapedJob {
  jobId: string;
  query: string;
  worker: string | null;
  /** The last heartbeat, else the start (null only for a job that never recorded either). */
  lastSeenAt: string;
  /** How long its worker had been silent when it was closed. */
  silentMs: number;
  /** The sources that were still running when the worker went silent. */
  runningSources: SourceId[];
  outDir: string;
  /** The job's new error: TRAWL_WORKER_LOST naming the worker, the heartbeat and the sources. */
  error: ErrorInfo;
}

/** What one reaper pass did. */
export interface ReapReport {
  /** Running jobs looked at. */
  checked: number;
  reaped: ReapedJob[];
  /** Orphaned temp files deleted (library and the reaped jobs' output directories). */
  tempFilesRemoved: number;
  /** The directories swept, absolute. */
  sweptDirs: string[];
}

/** The runtime's parts the reaper needs. */
export function reaperDeps(runtime: Runtime): ReaperDeps {
  return { store: runtime.deps.store, bus: runtime.deps.bus, logger: runtime.logger, config: runtime.deps.config };
}

/** A running job's last sign of life: its heartbeat, else its start, else its creation. */
export function lastSignOfLife(job: Job): string {
  return job.heartbeatAt ?? job.startedAt ?? job.createdAt;
}

/** Whether `job` is running but its worker has been silent for longer than `stuckAfterMs` at `now`. */
export function isStuck(job: Job, now: Date, stuckAfterMs: number): boolean {
  return job.status === 'running' && now.getTime() - Date.parse(lastSignOfLife(job)) > stuckAfterMs;
}

/**
 * Why a stuck job is being closed, for people: "worker host:123:ab lost: last heartbeat
 * 2030-01-01T00:00:00.000Z, 41 s ago; last source running: pexels".
 */
export function workerLostMessage(job: Job, now: Date): string {
  const silent = formatDuration(Math.max(0, now.getTime() - Date.parse(lastSignOfLife(job))));
  const seen = job.heartbeatAt !== null ? `last heartbeat ${job.heartbeatAt}` : `no heartbeat since it started at ${lastSignOfLife(job)}`;
  const running = job.sources.filter((run) => run.status === 'running').map((run) => run.source);
  const sources = running.length === 0 ? 'no source was running' : `last source${running.length > 1 ? 's' : ''} running: ${running.join(', ')}`;
  return `worker ${job.worker ?? '(unknown)'} lost: ${seen}, ${silent} ago; ${sources}`;
}

/**
 * One reaper pass. Every running job whose worker has been silent for longer than
 * TRAWL_STUCK_AFTER ends `failed` with TRAWL_WORKER_LOST (open source runs too) and a new fencing
 * version, so the old worker, should it wake up, can write nothing more; its saved items stay.
 * Each closed job gets an `alert` and a `job.finished` event and a `JOB REAPED` log line. Then
 * orphaned temp files are swept from the library and from each reaped job's output directory.
 *
 * A job is closed, not re-queued: its worker has already spent part of its budget and saved part of
 * its items, so running it again is the user's decision (re-run it), not the reaper's.
 */
export async function reapStuckJobs(deps: ReaperDeps, now = new Date(), options: { signal?: AbortSignal } = {}): Promise<ReapReport> {
  const running = await deps.store.listJobs({ status: ['running'], limit: MAX_JOB_LIST_LIMIT });
  const reaped: ReapedJob[] = [];
  for (const job of running) {
    options.signal?.throwIfAborted();
    if (!isStuck(job, now, deps.config.stuckAfterMs)) continue;
    const closed = await reapJob(deps, job, now);
    if (closed !== undefined) reaped.push(closed);
  }
  const dirs = [...new Set([path.join(deps.config.dataDir, 'library'), ...reaped.map((job) => path.resolve(job.outDir))])];
  let tempFilesRemoved = 0;
  for (const dir of dirs) {
    options.signal?.throwIfAborted();
    tempFilesRemoved += await sweepDir(deps, dir);
  }
  return { checked: running.length, reaped, tempFilesRemoved, sweptDirs: dirs };
}

/** Closes one stuck job; undefined when it showed life or ended meanwhile (nothing changed then). */
async function reapJob(deps: ReaperDeps, job: Job, now: Date): Promise<ReapedJob | undefined> {
  const error: ErrorInfo = { code: 'TRAWL_WORKER_LOST', message: workerLostMessage(job, now) };
  const closed = await deps.store.closeStuckJob(job.id, {
    staleBefore: new Date(now.getTime() - deps.config.stuckAfterMs).toISOString(),
    error,
    now: now.toISOString(),
    elapsedMs: job.startedAt === null ? null : Math.max(0, now.getTime() - Date.parse(job.startedAt)),
  });
  if (!closed) return undefined;
  const reaped: ReapedJob = {
    jobId: job.id,
    query: job.query,
    worker: job.worker,
    lastSeenAt: lastSignOfLife(job),
    silentMs: now.getTime() - Date.parse(lastSignOfLife(job)),
    runningSources: job.sources.filter((run) => run.status === 'running').map((run) => run.source),
    outDir: job.outDir,
    error,
  };
  deps.logger.warn({ ...reaped }, 'JOB REAPED');
  deps.bus.emit('alert', { jobId: job.id, level: 'error', message: `job ${job.id} reaped: ${error.message}` });
  const final = await deps.store.getJob(job.id);
  if (final !== undefined) deps.bus.emit('job.finished', { jobId: job.id, job: final });
  return reaped;
}

/**
 * Deletes temp files nobody is writing any more. A live download writes at least every request
 * timeout or is cut, so a file idle for twice that (and for TRAWL_STUCK_AFTER) is an orphan, even
 * in a directory that live jobs share. A sweep that fails is logged, never fatal.
 */
async function sweepDir(deps: ReaperDeps, dir: string): Promise<number> {
  try {
    return await sweepOrphans(deps, dir, deps.config.requestTimeoutMs);
  } catch (err) {
    deps.logger.warn({ err, outDir: dir }, 'TEMP FILE SWEEP FAILED');
    return 0;
  }
}

/** A reaper running in the background; `stop()` resolves once a pass in flight has finished. */
export interface ReaperHandle {
  stop(): Promise<void>;
}

/**
 * Runs a reaper pass every `intervalMs` (passes never overlap) until stopped: for `trawl serve`,
 * which runs the start-up pass itself (`reapAtStartup`, awaited before any job starts), so the
 * first pass here comes one interval later. A job is closed within TRAWL_STUCK_AFTER + `intervalMs` of its worker's last
 * heartbeat; TRAWL_HEARTBEAT_INTERVAL is a good interval. A failed pass is logged and retried at
 * the next one.
 */
export function startReaper(deps: ReaperDeps, intervalMs: number): ReaperHandle {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // Logged once per outage (a database down for minutes), and once more when passes work again.
  let failing = false;
  const pass = async (): Promise<void> => {
    try {
      await reapStuckJobs(deps, new Date(), { signal: controller.signal });
      if (failing) deps.logger.info({}, 'REAPER RECOVERED');
      failing = false;
    } catch (err) {
      if (!controller.signal.aborted && !failing) deps.logger.error({ err }, 'REAPER FAILED');
      failing = true;
    }
  };
  const next = (): void => {
    if (controller.signal.aborted) return;
    timer = setTimeout(() => {
      running = pass().finally(next);
    }, intervalMs);
    timer.unref();
  };
  let running: Promise<void> = Promise.resolve();
  next();
  return {
    async stop() {
      controller.abort();
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * The start-up pass of a process that is about to run jobs (`trawl fetch`): closes jobs whose
 * workers died. Never fails the caller: a pass that cannot run is logged and the next start-up or
 * `trawl jobs cleanup` tries again.
 */
export async function reapAtStartup(runtime: Runtime): Promise<void> {
  try {
    await reapStuckJobs(reaperDeps(runtime));
  } catch (err) {
    runtime.logger.warn({ err }, 'REAPER FAILED');
  }
}

/**
 * Removes temp files a crashed run left in `outDir` and returns how many. A live download touches
 * its temp file at least every request timeout (`requestMs`) or is cut, so only files idle far
 * longer are orphans: safe while other jobs write into the same directory.
 */
export async function sweepOrphans(deps: Pick<ReaperDeps, 'config' | 'logger'>, outDir: string, requestMs: number): Promise<number> {
  const olderThanMs = Math.max(deps.config.stuckAfterMs, 2 * requestMs);
  const removed = await sweepTempFiles(path.resolve(outDir), { olderThanMs });
  if (removed > 0) deps.logger.info({ outDir, removed }, 'TEMP FILES SWEPT');
  return removed;
}

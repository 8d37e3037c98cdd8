import path from 'node:path';
import { type Job, type JobRequest, TERMINAL_JOB_STATUSES } from '../domain.js';
import { runLeasedJob } from '../engine/job-runner.js';
import type { Lease } from '../store/store.js';
import { TrawlError } from '../errors.js';
import { submitJob } from './harvest.js';
import { type JobInput, buildJobRequest } from './job-request.js';
import type { Runtime } from './runtime.js';

const CANCELLED_BY_API = { code: 'TRAWL_CANCELLED', message: 'cancelled through the API' } as const;

/** A job as an API client may ask for it: the server chooses where files go and how many sources run at once. */
export type ApiJobInput = Omit<JobInput, 'outDir' | 'maxConcurrentSources'>;

/** How many jobs the store holds in each waiting or working state. */
export interface JobCounts {
  running: number;
  queued: number;
}

/** How the queue runs jobs (defaults from the config). */
export interface JobQueueOptions {
  /** Jobs run at once; default `config.maxConcurrentJobs` (TRAWL_MAX_CONCURRENT_JOBS). */
  maxConcurrentJobs?: number;
  /** How often to look for jobs other processes queued; default `config.queuePollIntervalMs`. */
  pollIntervalMs?: number;
}

/** The most queued jobs one look at the store considers (the store's largest page). */
const QUEUE_WINDOW = 1000;
const SERVER_FIELDS = ['outDir', 'maxConcurrentSources'] as const;

interface ActiveJob {
  readonly controller: AbortController;
  /** Settles (never rejects) once the job has ended and left the active set. */
  readonly done: Promise<void>;
}

/**
 * The job runner of `trawl serve` and `trawl worker`: jobs submitted over the API are recorded
 * `queued`; every started queue claims them from the store, oldest first, `maxConcurrentJobs` at
 * once, so several processes (on one database) share one queue and each job runs exactly once.
 * A queue that is never started (`trawl serve --no-worker`) only records and cancels jobs. Files
 * go to `<data dir>/library`.
 *
 * A queue looks for work when a job is submitted through it, when one of its jobs ends, and every
 * poll interval (jobs queued by other processes). Jobs `running` in the store but not here belong
 * to another (or a dead) process: they are never picked or touched.
 */
export class JobQueue {
  /** Where every API job's files go (content-addressed, shared by all jobs). */
  readonly libraryDir: string;
  private readonly maxJobs: number;
  private readonly pollIntervalMs: number;
  private readonly active = new Map<string, ActiveJob>();
  private turn: Promise<unknown> = Promise.resolve();
  private pumpPending = false;
  /** Whether the last look for work failed (logged once until a look succeeds). */
  private pickFailing = false;
  private poll: NodeJS.Timeout | undefined;
  private state: 'idle' | 'started' | 'stopped' = 'idle';

  constructor(
    private readonly runtime: Runtime,
    options: JobQueueOptions = {},
  ) {
    const { config } = runtime.deps;
    // Absolute: the job records it, and a worker elsewhere (another cwd, another node) writes there.
    this.libraryDir = path.resolve(config.dataDir, 'library');
    this.maxJobs = options.maxConcurrentJobs ?? config.maxConcurrentJobs;
    this.pollIntervalMs = options.pollIntervalMs ?? config.queuePollIntervalMs;
  }

  /**
   * Validates the input (TRAWL_BAD_INPUT naming the field; nothing is stored then), records the job
   * `queued` and resolves with it; it starts as soon as a slot is free.
   */
  async submit(input: ApiJobInput): Promise<Job> {
    for (const field of SERVER_FIELDS) {
      if (field in input) throw new TrawlError('TRAWL_BAD_INPUT', `${field}: is chosen by the server and cannot be set`, { context: { field } });
    }
    const { config, sources } = this.runtime.deps;
    const request = buildJobRequest({ ...input, outDir: this.libraryDir }, config, sources);
    const job = await submitJob(this.runtime, request);
    this.pump();
    return job;
  }

  /**
   * Cancels a job: a queued one ends `cancelled` at once (its sources too); one running here is
   * aborted and ends `cancelled` within moments; one running in another process is flagged and
   * ends at its worker's next heartbeat. `changed` is false when the job had already ended.
   * @throws TrawlError TRAWL_NOT_FOUND for an unknown id.
   */
  cancel(id: string): Promise<{ job: Job; changed: boolean }> {
    return this.takeTurn(async () => {
      const job = await this.requireJob(id);
      if (TERMINAL_JOB_STATUSES.includes(job.status)) return { job, changed: false };
      const active = this.active.get(id);
      if (active !== undefined) {
        active.controller.abort(new TrawlError(CANCELLED_BY_API.code, CANCELLED_BY_API.message, { context: { jobId: id } }));
        return { job, changed: true };
      }
      // Queued here, or running in another process (`trawl fetch`, another server): the store ends
      // a queued job at once, or flags a running one, whose worker sees it at its next heartbeat.
      const { outcome, job: after } = await this.runtime.deps.store.requestCancel(id, CANCELLED_BY_API, new Date().toISOString());
      // Streams of this job end on job.finished, whether it ran or not.
      if (outcome === 'cancelled') this.runtime.deps.bus.emit('job.finished', { jobId: id, job: after });
      return { job: after, changed: outcome !== 'ended' };
    });
  }

  /** Queued and running jobs as the store has them (each counted up to 1000). */
  async counts(): Promise<JobCounts> {
    const { store } = this.runtime.deps;
    const [running, queued] = await Promise.all([
      store.listJobs({ status: ['running'], limit: QUEUE_WINDOW }),
      store.listJobs({ status: ['queued'], limit: QUEUE_WINDOW }),
    ]);
    return { running: running.length, queued: queued.length };
  }

  /** Starts running queued jobs: those already in the store, those submitted here, and those other processes queue. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'started';
    // Not unref'd: a started queue is work in itself and keeps a `trawl worker` process alive until stop().
    this.poll = setInterval(() => this.pump(), this.pollIntervalMs);
    this.pump();
  }

  /** Starts no more jobs, cancels the running ones and resolves once they have ended and their events are stored. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    clearInterval(this.poll);
    // A pick in progress may still launch jobs; let it finish so they are cancelled below.
    await this.turn;
    const reason = new TrawlError('TRAWL_CANCELLED', 'cancelled: the server is shutting down');
    const running = [...this.active.values()];
    for (const job of running) job.controller.abort(reason);
    await Promise.all(running.map((job) => job.done));
    await this.runtime.flush();
  }

  /** Fills free slots with the oldest queued jobs, in its turn; at most one fill waits for its turn. */
  private pump(): void {
    if (this.pumpPending) return;
    this.pumpPending = true;
    this.takeTurn(async () => {
      this.pumpPending = false;
      await this.fill();
      if (this.pickFailing) this.runtime.logger.info({}, 'JOB QUEUE PICK RECOVERED');
      this.pickFailing = false;
    }).catch((err: unknown) => {
      // Once per outage, not once per poll: a database that is down for minutes must not flood the log.
      if (!this.pickFailing) this.runtime.logger.error({ err }, 'JOB QUEUE PICK FAILED');
      this.pickFailing = true;
    });
  }

  /** Claims queued jobs (atomically in the store: another process never gets the same one) until the slots are full. */
  private async fill(): Promise<void> {
    const { store, workerId } = this.runtime.deps;
    while (this.state === 'started' && this.active.size < this.maxJobs) {
      const claim = await store.claimNextJob(workerId, new Date().toISOString());
      if (claim === undefined) return;
      const job = await this.requireJob(claim.jobId);
      this.launch(job, claim.lease);
    }
  }

  private launch(job: Job, lease: Lease): void {
    const controller = new AbortController();
    const { deps, logger } = this.runtime;
    // runLeasedJob settles every job it runs; a rejection is an internal failure after which the
    // job is left running without a heartbeat, and the reaper closes it.
    const done = runLeasedJob(deps, job, lease, requestFor(job, deps.config.maxConcurrentSources), controller.signal)
      .then(
        () => undefined,
        (err: unknown) => {
          logger.error({ err, jobId: job.id }, 'JOB RUN FAILED');
        },
      )
      .finally(() => {
        this.active.delete(job.id);
        this.pump();
      });
    this.active.set(job.id, { controller, done });
  }

  private async requireJob(id: string): Promise<Job> {
    const job = await this.runtime.deps.store.getJob(id);
    if (job === undefined) throw new TrawlError('TRAWL_NOT_FOUND', `job ${id} does not exist`, { context: { jobId: id } });
    return job;
  }

  /** Runs `work` after every earlier turn has settled. */
  private takeTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }
}

/** The request a stored job was made from (the server's concurrency, the job's own budgets). */
function requestFor(job: Job, maxConcurrentSources: number): JobRequest {
  return {
    query: job.query,
    sources: job.sources.map((run) => run.source),
    type: job.type,
    limit: job.limit,
    outDir: job.outDir,
    budgets: job.budgets,
    maxConcurrentSources,
    filters: job.filters,
  };
}

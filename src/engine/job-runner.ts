import path from 'node:path';
import type { ErrorInfo, Job, JobRequest, JobStatus, SourceRun } from '../domain.js';
import { TrawlError, toTrawlError } from '../errors.js';
import { Budget } from './budget.js';
import { abortReason } from '../signal.js';
import { alertNearDeadline } from './budget-alert.js';
import { withRequestTimeout } from '../net/http.js';
import { JobLease } from './job-lease.js';
import type { Lease } from '../store/store.js';
import type { EngineDeps, JobContext } from './job-context.js';
import { Limiter } from './limiter.js';
import { catchUpSourceBooks } from './source-health.js';
import { runSource, settleUnstarted } from './source-task.js';

/**
 * Claims a queued job for this worker and runs it to a terminal state under its budget: up to
 * `maxConcurrentSources` sources at once, every await under the job's signal (or a child of it).
 * Resolves with the final job; it never leaves the job `running`, whatever happens inside.
 *
 * While it runs, the job's lease is renewed every TRAWL_HEARTBEAT_INTERVAL and every write carries
 * it. `cancel`, or a cancel requested by another process (`trawl jobs cancel`, seen at the next
 * heartbeat), aborts the whole job (reason TRAWL_CANCELLED): sockets close, partial files are
 * deleted, and the job ends `cancelled`. When the lease is lost (the reaper closed the job while
 * this process was frozen) all work stops and nothing more is written: it resolves with the job
 * as the store has it. A job that is no longer queued (cancelled while it waited, or claimed by
 * another worker) is not run: it resolves with the job as it is.
 */
export async function runJob(deps: EngineDeps, jobId: string, request: JobRequest, cancel?: AbortSignal): Promise<Job> {
  const lease = await deps.store.claimJob(jobId, deps.workerId, new Date().toISOString());
  if (lease === undefined) return requireJob(deps, jobId);
  return runLeasedJob(deps, await requireJob(deps, jobId), lease, request, cancel);
}

/**
 * Runs a job this worker has already claimed (`store.claimNextJob`) exactly as `runJob` does after
 * its claim: heartbeats, fenced writes, and a terminal state whatever happens. `job` is the job as
 * the store has it since the claim.
 */
export async function runLeasedJob(deps: EngineDeps, job: Job, lease: Lease, request: JobRequest, cancel?: AbortSignal): Promise<Job> {
  const jobId = job.id;
  const budget = Budget.root('job', request.budgets.jobMs, 'TRAWL_JOB_TIMEOUT', cancel);
  const held = new JobLease(deps, jobId, lease, {
    onLost: (reason) => budget.abort(reason),
    onCancelRequested: () => budget.abort(new TrawlError('TRAWL_CANCELLED', 'cancelled by trawl jobs cancel', { context: { jobId } })),
  });
  held.startHeartbeat(deps.config.heartbeatIntervalMs);
  try {
    const http = withRequestTimeout(deps.http, request.budgets.requestMs);
    return await runClaimed({ ...deps, http, store: held.store, bus: held.bus }, job, request, budget, held);
  } catch (err) {
    // Another process owns the job's state now; report it as that process left it.
    if (held.lost) return requireJob(deps, jobId);
    throw err;
  } finally {
    await held.stopHeartbeat();
    budget.dispose();
  }
}

/** Runs a claimed job's sources and settles it; `deps` carries the lease-fenced store and bus. */
async function runClaimed(deps: EngineDeps, job: Job, request: JobRequest, budget: Budget, held: JobLease): Promise<Job> {
  const started = Date.now();
  const jobId = job.id;
  const ctx: JobContext = {
    deps,
    job,
    request,
    budget,
    downloads: new Limiter(deps.config.downloadConcurrency),
    savedHashes: new Set(),
    outDirAbsolute: path.resolve(request.outDir),
  };
  // Other workers on the database may have heard a quota or opened a breaker since the last job.
  await catchUpSourceBooks(deps);
  const disarm = alertNearDeadline(deps.bus, budget, { jobId, label: `job ${jobId}` });
  let internal: TrawlError | undefined;
  try {
    deps.bus.emit('job.started', { jobId, job });
    await runSources(ctx, job.sources);
  } catch (err) {
    internal = toTrawlError(err, { jobId });
  } finally {
    disarm();
    // The final writes below carry the lease; a beat racing them could only see it end.
    await held.stopHeartbeat();
  }
  if (held.lost) throw held.lost;
  const reason = budget.aborted ? abortReason(budget.signal) : undefined;
  if (internal) await closeOpenRuns(deps, jobId, job.sources, internal.toJSON());
  // The source tasks settled these very run objects and saved them: no need to read them back.
  const { status, error } = settle(job.sources, reason, internal);
  await deps.store.updateJob(jobId, {
    status,
    error,
    finishedAt: new Date().toISOString(),
    elapsedMs: Date.now() - started,
    heartbeatAt: new Date().toISOString(),
  });
  const final = await requireJob(deps, jobId);
  deps.bus.emit('job.finished', { jobId, job: final });
  return final;
}

/** Runs the job's sources through a pool of `maxConcurrentSources` lanes, in the order asked. */
async function runSources(ctx: JobContext, runs: SourceRun[]): Promise<void> {
  const queue = [...runs];
  const lane = async (): Promise<void> => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      const source = ctx.deps.sources.find((s) => s.id === run?.source);
      if (!source) throw new TrawlError('TRAWL_INTERNAL', `no adapter for source ${run.source}`);
      if (ctx.budget.aborted) await settleUnstarted(ctx, run);
      else await runSource(ctx, source, run);
    }
  };
  const lanes = Math.min(ctx.request.maxConcurrentSources, runs.length);
  // Every lane finishes before the job settles; an internal error stops the others through the budget.
  const results = await Promise.allSettled(
    Array.from({ length: lanes }, () =>
      lane().catch((err: unknown) => {
        const error = toTrawlError(err, { jobId: ctx.job.id });
        ctx.budget.abort(error);
        throw error;
      }),
    ),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/** Any run still open after an internal error is closed as failed with that error. */
async function closeOpenRuns(deps: EngineDeps, jobId: string, runs: SourceRun[], error: ErrorInfo): Promise<void> {
  for (const run of runs) {
    if (run.status !== 'pending' && run.status !== 'running') continue;
    Object.assign(run, { status: 'failed', error, finishedAt: new Date().toISOString() });
    await deps.store.saveSourceRun(jobId, run);
  }
}

/** The job's terminal state from its budget, its sources, and any internal error. */
function settle(runs: SourceRun[], reason: TrawlError | undefined, internal: TrawlError | undefined): { status: JobStatus; error: ErrorInfo | null } {
  if (internal) return { status: 'failed', error: internal.toJSON() };
  if (reason?.code === 'TRAWL_CANCELLED') return { status: 'cancelled', error: reason.toJSON() };
  if (reason?.code === 'TRAWL_JOB_TIMEOUT') return { status: 'timed_out', error: reason.toJSON() };
  // A source that timed out still counts when it saved something before its budget ended.
  const useful = runs.filter((r) => r.status === 'done' || (r.status === 'timed_out' && r.downloaded > 0));
  if (useful.length === 0) {
    const why = runs.map((r) => `${r.source}: ${r.error?.message ?? r.status}`).join('; ');
    return { status: 'failed', error: { code: 'TRAWL_NO_RESULTS', message: `every source failed or was skipped (${why || 'no sources'})` } };
  }
  return { status: 'completed', error: null };
}

async function requireJob(deps: EngineDeps, jobId: string): Promise<Job> {
  const job = await deps.store.getJob(jobId);
  if (!job) throw new TrawlError('TRAWL_NOT_FOUND', `job ${jobId} does not exist`);
  return job;
}

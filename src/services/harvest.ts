import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import { type Job, type JobRequest, pendingRun } from '../domain.js';
import type { EventBus } from '../engine/events.js';
import { runJob } from '../engine/job-runner.js';
import { reapAtStartup, sweepOrphans } from './reaper.js';
import { type JobReport, buildReport } from './report.js';
import { type Runtime, openRuntime } from './runtime.js';
import type { Source } from '../sources/source.js';

/** Records a new job (queued, its sources pending) and returns it. */
export async function submitJob(runtime: Runtime, request: JobRequest): Promise<Job> {
  return runtime.deps.store.createJob({
    id: randomUUID(),
    query: request.query,
    type: request.type,
    limit: request.limit,
    outDir: request.outDir,
    budgets: request.budgets,
    filters: request.filters,
    sources: request.sources.map(pendingRun),
    createdAt: new Date().toISOString(),
  });
}

/**
 * Runs one job in this process, start to finish (`trawl fetch`). First closes jobs whose workers
 * died (crash recovery, see reaper.ts). `onCreated` sees the job as soon as it is recorded; `cancel`
 * ends it cleanly. Resolves with the final job once its events are stored.
 */
export async function harvest(runtime: Runtime, request: JobRequest, options: { cancel?: AbortSignal; onCreated?: (job: Job) => void } = {}): Promise<Job> {
  await reapAtStartup(runtime);
  await sweepOrphans({ config: runtime.deps.config, logger: runtime.logger }, request.outDir, request.budgets.requestMs);
  const job = await submitJob(runtime, request);
  options.onCreated?.(job);
  const final = await runJob(runtime.deps, job.id, request, options.cancel);
  await runtime.flush();
  return final;
}


/**
 * Runs one job start to finish with a runtime of its own, opened here and closed before it
 * resolves: what `trawl fetch` and the library's `harvest()` share. `sources` is the registry the
 * request was built with. `watch` subscribes to the
 * job's events for the run and returns its unsubscribe; `signal` cancels the job, which then
 * ends `cancelled` (resolved, not rejected).
 */
export async function runOneJob(
  config: Config,
  request: JobRequest,
  options: { sources: readonly Source[]; signal?: AbortSignal; watch?: (bus: EventBus) => () => void; onCreated?: (job: Job, runtime: Runtime) => void },
): Promise<{ job: Job; report: JobReport }> {
  // The registry the request was validated against: plugins are imported and checked once.
  const runtime = await openRuntime(config, { sources: options.sources });
  const unwatch = options.watch?.(runtime.deps.bus);
  const { signal, onCreated } = options;
  try {
    const job = await harvest(runtime, request, {
      ...(signal === undefined ? {} : { cancel: signal }),
      ...(onCreated === undefined ? {} : { onCreated: (created: Job) => onCreated(created, runtime) }),
    });
    // Stopped before the report is read, so a progress display draws its last frame first.
    unwatch?.();
    return { job, report: await buildReport(runtime.deps.store, job) };
  } finally {
    unwatch?.();
    await runtime.close();
  }
}

import { randomUUID } from 'node:crypto';
import { type Job, type JobRequest, pendingRun } from '../domain.js';
import { runJob } from '../engine/job-runner.js';
import { reapAtStartup, sweepOrphans } from './reaper.js';
import type { Runtime } from './runtime.js';


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


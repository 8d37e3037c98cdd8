import { randomUUID } from 'node:crypto';
import type { Job, JobRequest, SourceRun } from '../domain.js';
import { runJob } from '../engine/job-runner.js';
import type { Runtime } from './runtime.js';

/** A source run as it starts: pending, nothing counted. */
export function pendingRun(source: SourceRun['source']): SourceRun {
  return { source, status: 'pending', found: 0, downloaded: 0, failed: 0, duplicates: 0, startedAt: null, finishedAt: null, elapsedMs: null, budgetMs: null, error: null };
}

/** Records a new job (queued, its sources pending) and returns it. */
export async function submitJob(runtime: Runtime, request: JobRequest): Promise<Job> {
  return runtime.deps.store.createJob({
    id: randomUUID(),
    query: request.query,
    type: request.type,
    limit: request.limit,
    outDir: request.outDir,
    budgets: request.budgets,
    sources: request.sources.map(pendingRun),
    createdAt: new Date().toISOString(),
  });
}

/**
 * Runs one job in this process, start to finish (`trawl fetch`). `onCreated` sees the job as soon
 * as it is recorded; `cancel` ends it cleanly. Resolves with the final job once its events are stored.
 */
export async function harvest(runtime: Runtime, request: JobRequest, options: { cancel?: AbortSignal; onCreated?: (job: Job) => void } = {}): Promise<Job> {
  const job = await submitJob(runtime, request);
  options.onCreated?.(job);
  const final = await runJob(runtime.deps, job.id, request, options.cancel);
  await runtime.flush();
  return final;
}

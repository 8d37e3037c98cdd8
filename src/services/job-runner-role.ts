import { JobQueue } from './job-queue.js';
import { reapAtStartup, reaperDeps, startReaper } from './reaper.js';
import type { Runtime } from './runtime.js';

/** The job-running side of a process: its queue, and the reaper every role keeps. */
export interface JobRunnerRole {
  readonly queue: JobQueue;
  /** Cancels this process's running jobs, waits for them to end and stops the reaper. */
  stop(): Promise<void>;
}

/**
 * Starts what `trawl serve` and `trawl worker` share: crash recovery first (jobs whose worker died
 * are closed, orphaned temp files swept), then the reaper twice per heartbeat interval, and a job queue
 * that runs queued jobs when `runJobs` (an API-only node records and cancels jobs, and leaves running
 * them to the workers). Reaping is safe from any number of processes: a job is closed only while
 * it is still stale, in one conditional write.
 */
export async function startJobRunner(runtime: Runtime, options: { runJobs: boolean }): Promise<JobRunnerRole> {
  await reapAtStartup(runtime);
  // Twice per heartbeat: a dead worker's job is closed at most half a beat after it turns stale.
  const watcher = startReaper(reaperDeps(runtime), Math.max(50, runtime.deps.config.heartbeatIntervalMs / 2));
  const queue = new JobQueue(runtime);
  if (options.runJobs) queue.start();
  return {
    queue,
    async stop() {
      await queue.stop();
      await watcher.stop();
    },
  };
}

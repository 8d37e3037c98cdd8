import { formatDuration } from '../config/units.js';
import type { ErrorInfo, Job } from '../domain.js';
import type { Runtime } from '../services/runtime.js';
import type { CliIo } from './io.js';

/**
 * The last words of a `trawl fetch` quit by a second Ctrl-C, run synchronously just before the
 * process exits: its job ends `cancelled` (open source runs too) where the database can be written
 * synchronously (SQLite). Elsewhere (PostgreSQL) the job stays `running` until a reaper closes it,
 * TRAWL_STUCK_AFTER after its last heartbeat, and the user is told so. `job` is undefined when the
 * quit came before the job was recorded.
 */
export function quitJob(runtime: Runtime, job: Job | undefined, io: CliIo): void {
  if (job === undefined) return;
  const { store, workerId, config } = runtime.deps;
  const now = new Date();
  const reason: ErrorInfo = { code: 'TRAWL_CANCELLED', message: 'cancelled by the user (Ctrl-C twice: quit at once)' };
  if (store.cancelOwnJobNow === undefined) {
    io.stderr.write(`quit: job ${job.id} stays running until a reaper closes it, ${formatDuration(config.stuckAfterMs)} after its last heartbeat (trawl jobs cleanup)\n`);
    return;
  }
  const elapsedMs = Math.max(0, now.getTime() - Date.parse(job.createdAt));
  const closed = store.cancelOwnJobNow(job.id, { owner: workerId, reason, now: now.toISOString(), elapsedMs });
  runtime.logger.warn({ jobId: job.id, closed, elapsedMs }, 'JOB QUIT');
  io.stderr.write(closed ? `quit: job ${job.id} cancelled\n` : `quit: job ${job.id} had already ended\n`);
}

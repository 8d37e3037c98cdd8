/**
 * Where the time of a job or source run went, against its budget, and when to raise the alert:
 * from 80% of the budget (amber), and red once it timed out.
 */
import type { Job, SourceRun } from '../../src/domain.js';

/** The share of its budget at which a job or source is flagged (matches the engine's `alert` event). */
export const ALERT_SHARE = 0.8;

/** `none`, `warning` (≥ 80% used) or `over` (timed out). */
export type AlertLevel = 'none' | 'warning' | 'over';

/** Elapsed time of something that runs: final when it has ended, else counted from `startedAt` to `now`. */
export function elapsedOf(
  run: Pick<SourceRun, 'startedAt' | 'finishedAt' | 'elapsedMs'> & { status: string },
  now: number,
): number {
  if (run.elapsedMs !== null) return run.elapsedMs;
  if (run.startedAt === null) return 0;
  const started = Date.parse(run.startedAt);
  if (Number.isNaN(started)) return 0;
  const end = run.finishedAt !== null ? Date.parse(run.finishedAt) : now;
  return Math.max(0, (Number.isNaN(end) ? now : end) - started);
}

/** The alert for `elapsedMs` of `budgetMs`; a timed-out run is `over` whatever its numbers. */
export function alertLevel(elapsedMs: number, budgetMs: number | null, timedOut: boolean): AlertLevel {
  if (timedOut) return 'over';
  if (budgetMs === null || budgetMs <= 0) return 'none';
  return elapsedMs >= budgetMs * ALERT_SHARE ? 'warning' : 'none';
}

/** Elapsed time, budget and alert of a whole job. */
export function jobBudget(job: Job, now: number): { elapsedMs: number; budgetMs: number; alert: AlertLevel } {
  const elapsedMs = elapsedOf(job, now);
  const budgetMs = job.budgets.jobMs;
  return { elapsedMs, budgetMs, alert: alertLevel(elapsedMs, budgetMs, job.status === 'timed_out') };
}

/** Elapsed time, budget (its own, else the job's per-source budget) and alert of one source run. */
export function sourceBudget(run: SourceRun, job: Job, now: number): { elapsedMs: number; budgetMs: number; alert: AlertLevel } {
  const elapsedMs = elapsedOf(run, now);
  const budgetMs = run.budgetMs ?? job.budgets.sourceMs;
  return { elapsedMs, budgetMs, alert: alertLevel(elapsedMs, budgetMs, run.status === 'timed_out') };
}

/**
 * One source inside a job: its state, a bar of elapsed time against its budget (ticking while it
 * runs), its counts and its last error. Flagged `over-budget` from 80% of the budget; red once timed out.
 */
import type { Job, SourceRun } from '../../../src/domain.js';
import { sourceBudget } from '../budget.js';
import { BudgetBar } from './budget-bar.js';
import { StatusBadge } from './status-badge.js';

/** Props of {@link SourceRow}. */
export interface SourceRowProps {
  run: SourceRun;
  job: Job;
  now: number;
}

/** A row of the job page's source table. */
export function SourceRow({ run, job, now }: SourceRowProps) {
  const budget = sourceBudget(run, job, now);
  const flagged = budget.alert !== 'none';
  return (
    <li class={`source-row${flagged ? ` over-budget alert-${budget.alert}` : ''}`} data-testid={`source-row-${run.source}`} data-status={run.status}>
      <span class="source-id">{run.source}</span>
      <StatusBadge status={run.status} />
      <BudgetBar elapsedMs={budget.elapsedMs} budgetMs={budget.budgetMs} alert={budget.alert} label={`${run.source} budget`} />
      <span class="counts">
        {run.found} found · {run.downloaded} downloaded · <span class={run.failed > 0 ? 'count-failed' : ''}>{run.failed} failed</span>
        {run.filtered > 0 && <> · <span data-testid="filtered-count">{run.filtered} filtered</span></>}
        {run.duplicates > 0 && <> · {run.duplicates} duplicates</>}
      </span>
      {run.error && (
        <span class="run-error" data-testid="source-error">
          <code>{run.error.code}</code> {run.error.message}
        </span>
      )}
    </li>
  );
}

/** A bar of elapsed time against a budget, amber from 80% and red once timed out. */
import type { AlertLevel } from '../budget.js';
import { formatDuration } from '../format.js';

/** Props of {@link BudgetBar}. */
export interface BudgetBarProps {
  elapsedMs: number;
  budgetMs: number;
  alert: AlertLevel;
  /** What the bar measures, for screen readers (e.g. "pexels budget"). */
  label: string;
}

/** Elapsed time as a filled bar (capped at full) with `elapsed / budget` beside it. */
export function BudgetBar({ elapsedMs, budgetMs, alert, label }: BudgetBarProps) {
  const share = budgetMs > 0 ? Math.min(1, elapsedMs / budgetMs) : 0;
  return (
    <div class={`budget budget-${alert}`}>
      <div
        class="budget-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={budgetMs}
        aria-valuenow={Math.min(elapsedMs, budgetMs)}
      >
        <div class="budget-fill" style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </div>
      <span class="budget-text">
        {formatDuration(elapsedMs)} / {formatDuration(budgetMs)}
      </span>
    </div>
  );
}

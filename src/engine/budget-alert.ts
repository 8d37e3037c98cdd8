import { formatDuration } from '../config/units.js';
import type { SourceId } from '../domain.js';
import type { Budget } from './budget.js';
import type { EventBus } from './events.js';

/** The share of a budget after which work still running raises an `alert` event. */
export const ALERT_SHARE = 0.8;

/**
 * Raises one `alert` event when `budget` is 80 % spent and the work is still going, so operators
 * see a job or source nearing its timeout before it hits it. Returns the function that disarms it
 * (call it when the work ends).
 */
export function alertNearDeadline(bus: EventBus, budget: Budget, what: { jobId: string; source?: SourceId; label: string }): () => void {
  const { total } = budget;
  const wait = budget.deadline - total * (1 - ALERT_SHARE) - Date.now();
  if (!Number.isFinite(total) || total <= 0 || budget.aborted) return () => {};
  const timer = setTimeout(() => {
    if (budget.aborted) return;
    const left = budget.remaining();
    const message = `${what.label} has used ${Math.round(ALERT_SHARE * 100)}% of its ${formatDuration(total)} budget; ${formatDuration(left)} left`;
    bus.emit('alert', { jobId: what.jobId, level: 'warning', message, ...(what.source ? { source: what.source } : {}) });
  }, Math.max(0, wait));
  timer.unref();
  return () => clearTimeout(timer);
}

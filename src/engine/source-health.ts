import type { SourceId, SourceRun } from '../domain.js';
import type { Store, StoredSourceOutcome } from '../store/store.js';
import { type BreakerSettings, type BreakerState, type BreakerTransition, CircuitBreaker } from './circuit-breaker.js';
import { HEALTH_WINDOW, type HealthWindow, summarizeWindow } from './health-window.js';
import type { QuotaBook } from './quota-book.js';

/** A source's recent record and its circuit breaker, as `trawl sources`, the API and metrics show it. */
export interface SourceHealth extends HealthWindow {
  breaker: {
    state: BreakerState;
    consecutiveFailures: number;
    /** When it last opened; null while closed. */
    openedAt: string | null;
    /** From when an open breaker lets one trial run through; null while closed. */
    retryAt: string | null;
  };
}

/** Whether a source may run now, and if not, the reason a skipped run reports. */
export type HealthAdmission = { allowed: true } | { allowed: false; reason: string };

/** An alert a recorded outcome raised (the breaker opened, or its trial run failed). */
export interface HealthAlert {
  level: 'warning' | 'error';
  message: string;
}

/**
 * How a finished run counts for health: `ok` (done), `failed`, or `timed_out` on its own budget.
 * Undefined when the run says nothing about the source: skipped, cancelled, or cut by the job's
 * budget or an internal error (the job ended, not the source).
 */
export function outcomeOf(jobId: string, run: SourceRun, at: string): StoredSourceOutcome | undefined {
  const base = { source: run.source, jobId, elapsedMs: run.elapsedMs ?? 0, saved: run.downloaded + run.duplicates, at };
  if (run.status === 'done') return { ...base, status: 'ok', error: null };
  if (run.status === 'timed_out' && run.error?.code === 'TRAWL_SOURCE_TIMEOUT') return { ...base, status: 'timed_out', error: run.error };
  if (run.status === 'failed' && run.error?.code !== 'TRAWL_INTERNAL') return { ...base, status: 'failed', error: run.error };
  return undefined;
}

/**
 * Whether an outcome counts against the breaker. A run that timed out after saving files is slow,
 * not down: it lowers the success rate but does not open the breaker (and closes an open one).
 */
function isBreakerFailure(outcome: StoredSourceOutcome): boolean {
  return outcome.status === 'failed' || (outcome.status === 'timed_out' && outcome.saved === 0);
}

/**
 * Every source's recent outcomes and circuit breaker, kept in memory and written through to the
 * store (the newest `HEALTH_WINDOW` per source) so the next process starts where this one ended:
 * `load()` replays the stored outcomes into the breakers, in order, and catches up with outcomes
 * other processes sharing the database recorded since (each outcome counts once).
 *
 * The single trial run of a half-open breaker is tracked per process; two processes sharing a data
 * dir may each send one.
 */
export class SourceHealthBook {
  private readonly outcomes = new Map<SourceId, StoredSourceOutcome[]>();
  private readonly breakers = new Map<SourceId, CircuitBreaker>();

  constructor(
    private readonly store: Pick<Store, 'addSourceOutcome' | 'listSourceOutcomes'>,
    private readonly settings: BreakerSettings,
    private readonly onError: (err: unknown) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Replays the outcomes other processes recorded that this book has not seen yet (all of them the first time). */
  async load(): Promise<void> {
    const stored = await this.store.listSourceOutcomes();
    // Stored outcomes this book already holds are matched off one for one; the rest are new.
    const held = new Map<string, number>();
    for (const list of this.outcomes.values()) for (const outcome of list) held.set(outcomeKey(outcome), (held.get(outcomeKey(outcome)) ?? 0) + 1);
    for (const outcome of stored) {
      const key = outcomeKey(outcome);
      const count = held.get(key) ?? 0;
      if (count > 0) held.set(key, count - 1);
      else this.remember(outcome);
    }
  }

  /** Asks the source's breaker for a run; a granted trial run must end in `record`. */
  admit(source: SourceId): HealthAdmission {
    const admission = this.breaker(source).admit();
    if (admission.allowed) return { allowed: true };
    const failures = `after ${admission.consecutiveFailures} failures in a row`;
    if (admission.state === 'half_open') return { allowed: false, reason: `${source}: circuit half-open ${failures}; another job's trial run is in progress` };
    return { allowed: false, reason: `${source}: circuit open ${failures}; next try after ${iso(admission.retryAt)}` };
  }

  /**
   * Records how an admitted run ended (written through; a failed write goes to `onError`) and
   * returns the alert to raise when it opened the breaker. A run that says nothing about the
   * source only gives back its trial slot.
   */
  record(jobId: string, run: SourceRun): HealthAlert | undefined {
    const outcome = outcomeOf(jobId, run, run.finishedAt ?? iso(this.clock()));
    if (!outcome) {
      this.breaker(run.source).release();
      return undefined;
    }
    const transition = this.remember(outcome);
    this.store.addSourceOutcome(outcome, HEALTH_WINDOW).catch(this.onError);
    return this.alertFor(run.source, transition);
  }

  /** The source's health now (an empty record for a source that never ran). */
  get(source: SourceId): SourceHealth {
    const breaker = this.breaker(source).snapshot();
    return {
      ...summarizeWindow(this.outcomes.get(source) ?? []),
      breaker: {
        state: breaker.state,
        consecutiveFailures: breaker.consecutiveFailures,
        openedAt: breaker.openedAt === null ? null : iso(breaker.openedAt),
        retryAt: breaker.retryAt === null ? null : iso(breaker.retryAt),
      },
    };
  }

  private remember(outcome: StoredSourceOutcome): BreakerTransition {
    const list = this.outcomes.get(outcome.source) ?? [];
    list.push(outcome);
    if (list.length > HEALTH_WINDOW) list.splice(0, list.length - HEALTH_WINDOW);
    this.outcomes.set(outcome.source, list);
    const breaker = this.breaker(outcome.source);
    if (!isBreakerFailure(outcome)) return breaker.recordSuccess();
    const at = Date.parse(outcome.at);
    return breaker.recordFailure(Number.isFinite(at) ? at : this.clock());
  }

  private alertFor(source: SourceId, transition: BreakerTransition): HealthAlert | undefined {
    const { consecutiveFailures, retryAt } = this.breaker(source).snapshot();
    const until = retryAt === null ? '' : iso(retryAt);
    if (transition === 'opened') return { level: 'error', message: `${source}: circuit open after ${consecutiveFailures} failures in a row; next try after ${until}` };
    if (transition === 'reopened') return { level: 'error', message: `${source}: trial run failed; circuit open again after ${consecutiveFailures} failures in a row; next try after ${until}` };
    return undefined;
  }

  private breaker(source: SourceId): CircuitBreaker {
    let breaker = this.breakers.get(source);
    if (!breaker) {
      breaker = new CircuitBreaker(this.settings, this.clock);
      this.breakers.set(source, breaker);
    }
    return breaker;
  }
}

/** What tells one recorded run from another (a job runs each source once, so this is unique in practice). */
function outcomeKey(outcome: StoredSourceOutcome): string {
  return `${outcome.source}|${outcome.jobId}|${outcome.status}|${outcome.at}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Catches this process's quota and health books up with what other processes on the database
 * recorded (workers sharing the queue, `trawl fetch`): before a job decides which sources to skip,
 * and before an API node shows or exports them.
 */
export async function catchUpSourceBooks(books: { quotas: Pick<QuotaBook, 'load'>; health: Pick<SourceHealthBook, 'load'> }): Promise<void> {
  await Promise.all([books.quotas.load(), books.health.load()]);
}

import { setMaxListeners } from 'node:events';
import { type ErrorCode, TrawlError } from '../errors.js';
import { formatDuration } from '../config/units.js';
import { abortReason, onAbort, recordDeadline } from '../signal.js';

/**
 * A budget is a deadline that really stops work: an AbortSignal that aborts with a typed
 * TrawlError reason when its time is up, when its parent ends, or when it is cancelled.
 *
 * Budgets form a tree (job → source → request). A child's deadline is the smaller of its own and
 * its parent's; when the parent's deadline is the binding one, the child ends with the *parent's*
 * reason, so a job timeout is reported as a job timeout at every level.
 *
 * Propagation is wired by hand (one listener on the parent, removed in `dispose()`), not with
 * `AbortSignal.any`, whose composites still pile up on a long-lived parent (nodejs/node#55351):
 * 200,000 children of one parent kept 65 B each on Node 20, 180 B on 22.19 (and took 1,004 s
 * against 3 s by hand) and 19 B on 26.12, by hand 0.1–1.2 B (`bench/abort-signal-any.mjs`).
 */
export class Budget {
  readonly signal: AbortSignal;
  /** Epoch ms at which this budget ends (Infinity for none). */
  readonly deadline: number;
  /** The time this budget was given when it was made, in ms (from then to its deadline). */
  readonly total: number;
  readonly label: string;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private detach: (() => void) | undefined;

  private constructor(label: string, now: number, deadline: number, parent: AbortSignal | undefined, expiry: (() => TrawlError) | undefined) {
    this.label = label;
    this.deadline = deadline;
    this.total = Math.max(0, deadline - now);
    this.signal = this.controller.signal;
    // Every in-flight request and download under a budget listens to its signal (up to
    // TRAWL_DOWNLOAD_CONCURRENCY, max 1024, plus searches): many listeners are normal here.
    setMaxListeners(MAX_LISTENERS, this.signal);
    recordDeadline(this.signal, deadline);
    if (parent?.aborted) {
      this.controller.abort(abortReason(parent));
      return;
    }
    // Without an expiry of its own, the budget ends only through its parent (and with its reason).
    if (expiry && Number.isFinite(deadline)) {
      this.timer = setTimeout(() => this.abort(expiry()), Math.max(0, deadline - now));
      this.timer.unref?.();
    }
    if (parent) this.detach = onAbort(parent, () => this.abort(abortReason(parent)));
  }

  /**
   * A root budget of `ms` (Infinity for none) that ends with `code`, following `parent` (e.g. a
   * cancel signal) if given.
   */
  static root(label: string, ms: number, code: ErrorCode, parent?: AbortSignal): Budget {
    const now = Date.now();
    return new Budget(label, now, now + ms, parent, () => expired(label, ms, code));
  }

  /**
   * A child budget: at most `ms` from now, never past this budget's deadline. When its own time
   * is the binding one it ends with `code`; otherwise it ends with this budget's reason.
   */
  child(label: string, ms: number, code: ErrorCode): Budget {
    const now = Date.now();
    const own = now + ms;
    if (own < this.deadline) return new Budget(label, now, own, this.signal, () => expired(label, ms, code));
    // The parent's deadline binds: no timer of our own, the parent's abort carries its reason.
    return new Budget(label, now, this.deadline, this.signal, undefined);
  }

  /** Milliseconds left (0 when over, Infinity when unbounded). */
  remaining(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /** Whether the budget has ended (time up, parent ended, or aborted). */
  get aborted(): boolean {
    return this.signal.aborted;
  }

  /** Ends the budget now with `reason` (e.g. a user cancel). Idempotent. */
  abort(reason: TrawlError): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
    this.dispose();
  }

  /** Releases the timer and the parent listener; call when the work under this budget is done. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.detach?.();
    this.detach = undefined;
  }
}

const MAX_LISTENERS = 4096;

function expired(label: string, ms: number, code: ErrorCode): TrawlError {
  return new TrawlError(code, `${label} budget of ${formatDuration(ms)} ran out`, { context: { budgetMs: ms } });
}

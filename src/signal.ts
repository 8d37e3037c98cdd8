/**
 * The bottom layer of cancellation: what every folder needs from an AbortSignal (its reason as a
 * TrawlError, the deadline a budget gave it, an abortable sleep, one abort listener that is
 * removed again). It imports nothing but the error catalogue, so net/, download/ and sources/ can
 * use it without depending on the engine that builds budgets.
 */
import { TrawlError } from './errors.js';

const deadlines = new WeakMap<AbortSignal, number>();

/**
 * Records that `signal` ends at `deadline` (epoch ms), for {@link deadlineOf}. Budgets call it on
 * their own signals; nothing else should.
 */
export function recordDeadline(signal: AbortSignal, deadline: number): void {
  deadlines.set(signal, deadline);
}

/**
 * The deadline (epoch ms) of the budget that owns `signal`, or undefined for a foreign signal.
 * Lets code that only holds a signal (retries, Retry-After) refuse to wait past the budget.
 */
export function deadlineOf(signal: AbortSignal): number | undefined {
  return deadlines.get(signal);
}

/** The reason an aborted signal carries, as a TrawlError (foreign reasons become TRAWL_CANCELLED). */
export function abortReason(signal: AbortSignal): TrawlError {
  const reason: unknown = signal.reason;
  if (reason instanceof TrawlError) return reason;
  return new TrawlError('TRAWL_CANCELLED', 'the operation was cancelled', { cause: reason });
}

/**
 * Calls `fn` once when `signal` aborts, and returns the function that stops listening: call it
 * in `finally` (or once the work settles) so a long-lived signal does not collect listeners.
 * A signal that has already aborted never fires again: check `signal.aborted` first.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

/**
 * Waits `ms`, or less if `signal` aborts first (then rejects with the abort reason).
 * The timer and the listener are always released.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const stop = onAbort(signal, () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    });
    const timer = setTimeout(() => {
      stop();
      resolve();
    }, ms);
  });
}

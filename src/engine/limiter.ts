import { abortReason, onAbort } from '../signal.js';

/**
 * A counting semaphore whose waits are abortable: a waiter whose signal aborts leaves the queue
 * at once (rejecting with the abort reason) and never takes a slot.
 */
export class Limiter {
  private active = 0;
  private readonly waiters: Array<{ grant: () => void }> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Limiter capacity must be a whole number ≥ 1, got ${capacity}`);
  }

  /** Waits for a slot; resolves with the function that gives it back (call it exactly once). */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw abortReason(signal);
    if (this.active < this.capacity) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          stop();
          resolve();
        },
      };
      const stop = onAbort(signal, () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(abortReason(signal));
      });
      this.waiters.push(waiter);
    });
    return this.releaser();
  }

  /** Runs `task` holding a slot. */
  async run<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  /** Slots in use. */
  get inUse(): number {
    return this.active;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // Hand the slot straight to the next waiter: `active` stays the same.
      if (next) next.grant();
      else this.active--;
    };
  }
}

/** One Limiter per key (e.g. per host), created on first use and shared across jobs. */
export class KeyedLimiter {
  private readonly limiters = new Map<string, Limiter>();

  constructor(private readonly capacity: number) {}

  /** Runs `task` holding a slot of `key`'s limiter; idle limiters are dropped so the map stays small. */
  async run<T>(key: string, signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new Limiter(this.capacity);
      this.limiters.set(key, limiter);
    }
    try {
      return await limiter.run(signal, task);
    } finally {
      if (limiter.inUse === 0 && this.limiters.get(key) === limiter) this.limiters.delete(key);
    }
  }
}

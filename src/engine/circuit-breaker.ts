/**
 * A circuit breaker for one source, as a pure state machine over a clock: no timers, no I/O. The
 * source health book feeds it every recorded outcome in order (also the persisted ones at start-up,
 * which is how the state survives a restart) and asks it before each run.
 *
 *   closed ──K failures in a row──▶ open ──cool-down over──▶ half-open
 *   half-open ──the one probe run succeeds──▶ closed
 *   half-open ──the probe fails──▶ open (the cool-down starts again)
 */
import type { Config } from '../config/config.js';

/** `half_open`: the cool-down is over and the next run is a probe. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** When a breaker opens and how long it stays open. */
export interface BreakerSettings {
  /** Failed runs in a row that open the breaker (TRAWL_BREAKER_FAILURES). */
  readonly failures: number;
  /** How long an open breaker refuses runs before it lets one probe through (TRAWL_BREAKER_COOLDOWN). */
  readonly cooldownMs: number;
}

/** The breaker settings from the config (TRAWL_BREAKER_FAILURES, TRAWL_BREAKER_COOLDOWN). */
export function breakerSettingsFrom(config: Pick<Config, 'breakerFailures' | 'breakerCooldownMs'>): BreakerSettings {
  return { failures: config.breakerFailures, cooldownMs: config.breakerCooldownMs };
}

/** The breaker as callers see it at one instant. */
export interface BreakerSnapshot {
  state: BreakerState;
  /** Failed runs since the last success. */
  consecutiveFailures: number;
  /** When it last opened (ms since the epoch), null while closed. */
  openedAt: number | null;
  /** When an open breaker lets a probe through, null while closed. */
  retryAt: number | null;
  /** Whether a probe run is in flight (half-open only). */
  probing: boolean;
}

/** The answer to "may this source run now?". */
export type Admission =
  | { allowed: true; probe: boolean }
  | { allowed: false; state: 'open' | 'half_open'; consecutiveFailures: number; retryAt: number };

/** What a recorded outcome did to the breaker; `opened` and `reopened` are worth an alert. */
export type BreakerTransition = 'opened' | 'reopened' | 'closed' | 'none';

/** One source's breaker; see the file comment for its states. */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The state now: an open breaker whose cool-down is over reads as half-open. */
  snapshot(): BreakerSnapshot {
    const retryAt = this.openedAt === null ? null : this.openedAt + this.settings.cooldownMs;
    const state: BreakerState = retryAt === null ? 'closed' : this.clock() >= retryAt ? 'half_open' : 'open';
    return { state, consecutiveFailures: this.failures, openedAt: this.openedAt, retryAt, probing: this.probing };
  }

  /**
   * Asks to run the source now. Closed: yes. Open: no, until the cool-down is over. Half-open: the
   * first caller gets the one probe run; everyone else is refused until that probe is recorded or
   * released.
   */
  admit(): Admission {
    const now = this.snapshot();
    if (now.state === 'closed') return { allowed: true, probe: false };
    if (now.state === 'half_open' && !this.probing) {
      this.probing = true;
      return { allowed: true, probe: true };
    }
    return { allowed: false, state: now.state, consecutiveFailures: this.failures, retryAt: now.retryAt ?? this.clock() };
  }

  /** A run of the source worked: whatever the state, the source is back and the breaker closes. */
  recordSuccess(): BreakerTransition {
    const wasOpen = this.openedAt !== null;
    this.failures = 0;
    this.openedAt = null;
    this.probing = false;
    return wasOpen ? 'closed' : 'none';
  }

  /**
   * A run of the source failed at `at` (default now). The K-th failure in a row opens the breaker.
   * A failure once it is open starts the cool-down again from `at`: `reopened` when it was
   * half-open (the probe failed), silently when still open (a run admitted before it opened).
   */
  recordFailure(at: number = this.clock()): BreakerTransition {
    const before = this.snapshot().state;
    this.failures++;
    this.probing = false;
    if (this.openedAt !== null) {
      this.openedAt = Math.max(this.openedAt, at);
      return before === 'half_open' ? 'reopened' : 'none';
    }
    if (this.failures < this.settings.failures) return 'none';
    this.openedAt = at;
    return 'opened';
  }

  /** Gives back a probe whose run ended without a verdict (cancelled, or cut by the job's budget). */
  release(): void {
    this.probing = false;
  }
}

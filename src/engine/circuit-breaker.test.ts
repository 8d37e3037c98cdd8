import { describe, expect, it } from 'vitest';
import { CircuitBreaker, breakerSettingsFrom } from './circuit-breaker.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');

/** A breaker (3 failures, 60 s cool-down) on a clock the test moves by hand. */
function setup() {
  const clock = { now: T0 };
  const breaker = new CircuitBreaker({ failures: 3, cooldownMs: 60_000 }, () => clock.now);
  const fail = (times: number): void => {
    for (let n = 0; n < times; n++) breaker.recordFailure();
  };
  return { clock, breaker, fail };
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold, and a success resets the count', () => {
    const { breaker, fail } = setup();
    fail(2);
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
    expect(breaker.recordSuccess()).toBe('none');
    fail(2);
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
    expect(breaker.admit()).toEqual({ allowed: true, probe: false });
  });

  it('opens on the K-th failure in a row and refuses runs until the cool-down is over', () => {
    const { clock, breaker } = setup();
    expect([breaker.recordFailure(), breaker.recordFailure(), breaker.recordFailure()]).toEqual(['none', 'none', 'opened']);
    expect(breaker.snapshot()).toMatchObject({ state: 'open', openedAt: T0, retryAt: T0 + 60_000 });
    expect(breaker.admit()).toEqual({ allowed: false, state: 'open', consecutiveFailures: 3, retryAt: T0 + 60_000 });
    clock.now = T0 + 59_999;
    expect(breaker.admit().allowed).toBe(false);
    clock.now = T0 + 60_000;
    expect(breaker.snapshot().state).toBe('half_open');
  });

  it('lets exactly one probe through when half-open; its success closes the breaker', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    clock.now = T0 + 60_000;
    expect(breaker.admit()).toEqual({ allowed: true, probe: true });
    expect(breaker.admit()).toEqual({ allowed: false, state: 'half_open', consecutiveFailures: 3, retryAt: T0 + 60_000 });
    expect(breaker.snapshot().probing).toBe(true);
    expect(breaker.recordSuccess()).toBe('closed');
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0, openedAt: null, retryAt: null, probing: false });
    expect(breaker.admit()).toEqual({ allowed: true, probe: false });
  });

  it('reopens when the probe fails, the cool-down starting again from that failure', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    clock.now = T0 + 90_000;
    expect(breaker.admit().allowed).toBe(true);
    expect(breaker.recordFailure()).toBe('reopened');
    expect(breaker.snapshot()).toMatchObject({ state: 'open', consecutiveFailures: 4, openedAt: T0 + 90_000, retryAt: T0 + 150_000, probing: false });
    clock.now = T0 + 149_000;
    expect(breaker.admit().allowed).toBe(false);
    clock.now = T0 + 150_000;
    expect(breaker.admit()).toEqual({ allowed: true, probe: true });
  });

  it('gives a released probe slot to the next caller', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    clock.now = T0 + 60_000;
    expect(breaker.admit().allowed).toBe(true);
    breaker.release();
    expect(breaker.snapshot().state).toBe('half_open');
    expect(breaker.admit()).toEqual({ allowed: true, probe: true });
  });

  it('restarts the cool-down silently for a late failure while still open', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    clock.now = T0 + 30_000;
    expect(breaker.recordFailure()).toBe('none');
    expect(breaker.snapshot()).toMatchObject({ state: 'open', retryAt: T0 + 90_000 });
  });

  it('replays outcomes at their own times: an old opening is half-open now, a recent one still open', () => {
    const clock = { now: T0 };
    const replay = (failedAt: number[]): CircuitBreaker => {
      const breaker = new CircuitBreaker({ failures: 2, cooldownMs: 60_000 }, () => clock.now);
      for (const at of failedAt) breaker.recordFailure(at);
      return breaker;
    };
    expect(replay([T0 - 200_000, T0 - 120_000]).snapshot()).toMatchObject({ state: 'half_open', openedAt: T0 - 120_000 });
    expect(replay([T0 - 20_000, T0 - 10_000]).snapshot()).toMatchObject({ state: 'open', retryAt: T0 + 50_000 });
  });

  it('reads its settings from the config', () => {
    expect(breakerSettingsFrom({ breakerFailures: 5, breakerCooldownMs: 60_000 })).toEqual({ failures: 5, cooldownMs: 60_000 });
  });
});

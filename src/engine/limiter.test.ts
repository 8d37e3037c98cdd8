import { setMaxListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { TrawlError } from '../errors.js';
import { KeyedLimiter, Limiter } from './limiter.js';

const never = new AbortController().signal;
// Every waiting task listens on it, as job signals (Budget) allow; 20 waiters are expected here.
setMaxListeners(64, never);

describe('Limiter', () => {
  it('never runs more than its capacity at once', async () => {
    const limiter = new Limiter(3);
    let running = 0;
    let peak = 0;
    const task = async (): Promise<void> => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    };
    await Promise.all(Array.from({ length: 20 }, () => limiter.run(never, task)));
    expect(peak).toBe(3);
    expect(limiter.inUse).toBe(0);
  });

  it('drops an aborted waiter without taking its slot', async () => {
    const limiter = new Limiter(1);
    const release = await limiter.acquire(never);
    const cancel = new AbortController();
    const waiting = limiter.acquire(cancel.signal);
    cancel.abort(new TrawlError('TRAWL_CANCELLED', 'stop'));
    await expect(waiting).rejects.toMatchObject({ code: 'TRAWL_CANCELLED' });
    release();
    expect(limiter.inUse).toBe(0);
    const again = await limiter.acquire(never);
    expect(limiter.inUse).toBe(1);
    again();
  });

  it('rejects a bad capacity', () => {
    expect(() => new Limiter(0)).toThrow(/capacity/);
  });
});

describe('KeyedLimiter', () => {
  it('limits each key on its own', async () => {
    const limiter = new KeyedLimiter(1);
    const order: string[] = [];
    const slow = (label: string) => async (): Promise<void> => {
      order.push(`${label}+`);
      await new Promise((r) => setTimeout(r, 10));
      order.push(`${label}-`);
    };
    await Promise.all([limiter.run('a', never, slow('a1')), limiter.run('a', never, slow('a2')), limiter.run('b', never, slow('b1'))]);
    expect(order.indexOf('a2+')).toBeGreaterThan(order.indexOf('a1-'));
    expect(order.indexOf('b1+')).toBeLessThan(order.indexOf('a1-'));
  });
});

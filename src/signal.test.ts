import { describe, expect, it } from 'vitest';
import { TrawlError } from './errors.js';
import { abortReason, deadlineOf, onAbort, recordDeadline, sleep } from './signal.js';

describe('abortReason', () => {
  it('keeps a TrawlError reason and turns any other reason into TRAWL_CANCELLED', () => {
    const typed = new AbortController();
    const reason = new TrawlError('TRAWL_SOURCE_TIMEOUT', 'over');
    typed.abort(reason);
    expect(abortReason(typed.signal)).toBe(reason);
    const foreign = new AbortController();
    const stop = new Error('user pressed stop');
    foreign.abort(stop);
    expect(abortReason(foreign.signal)).toMatchObject({ code: 'TRAWL_CANCELLED', cause: stop });
  });
});

describe('deadlineOf', () => {
  it('knows the deadline recorded for a signal and nothing for any other', () => {
    const owned = new AbortController().signal;
    recordDeadline(owned, 1_700_000_000_000);
    expect(deadlineOf(owned)).toBe(1_700_000_000_000);
    expect(deadlineOf(new AbortController().signal)).toBeUndefined();
  });
});

describe('onAbort', () => {
  it('calls back once on abort, and never after the listener was removed', () => {
    const heard: string[] = [];
    const first = new AbortController();
    onAbort(first.signal, () => heard.push('first'));
    first.abort();
    first.abort();
    const second = new AbortController();
    const stop = onAbort(second.signal, () => heard.push('second'));
    stop();
    second.abort();
    expect(heard).toEqual(['first']);
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const start = Date.now();
    await sleep(30, new AbortController().signal);
    expect(Date.now() - start).toBeGreaterThanOrEqual(25);
  });

  it('rejects at once with the abort reason, before and during the wait', async () => {
    const late = new AbortController();
    const start = Date.now();
    setTimeout(() => late.abort(new TrawlError('TRAWL_JOB_TIMEOUT', 'job over')), 20);
    await expect(sleep(10_000, late.signal)).rejects.toMatchObject({ code: 'TRAWL_JOB_TIMEOUT' });
    expect(Date.now() - start).toBeLessThan(2_000);
    await expect(sleep(10, late.signal)).rejects.toMatchObject({ code: 'TRAWL_JOB_TIMEOUT' });
  });
});

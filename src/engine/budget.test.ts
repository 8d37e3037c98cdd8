import { describe, expect, it } from 'vitest';
import { TrawlError } from '../errors.js';
import { abortReason, deadlineOf } from '../signal.js';
import { Budget } from './budget.js';

const waitFor = (signal: AbortSignal): Promise<number> =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve(Date.now()), { once: true }));

describe('Budget', () => {
  it('aborts with its own typed reason when its time is up', async () => {
    const job = Budget.root('job', 5_000, 'TRAWL_JOB_TIMEOUT');
    const source = job.child('source pexels', 50, 'TRAWL_SOURCE_TIMEOUT');
    const start = Date.now();
    const at = await waitFor(source.signal);
    expect(at - start).toBeGreaterThanOrEqual(40);
    expect(abortReason(source.signal).code).toBe('TRAWL_SOURCE_TIMEOUT');
    expect(abortReason(source.signal).message).toContain('source pexels budget of 50ms');
    expect(job.aborted).toBe(false);
    job.dispose();
  });

  it("ends a child with the parent's reason when the parent's deadline binds", async () => {
    const job = Budget.root('job', 60, 'TRAWL_JOB_TIMEOUT');
    const source = job.child('source', 10_000, 'TRAWL_SOURCE_TIMEOUT');
    expect(source.deadline).toBe(job.deadline);
    await waitFor(source.signal);
    expect(abortReason(source.signal).code).toBe('TRAWL_JOB_TIMEOUT');
  });

  it('propagates a cancel down the tree', () => {
    const cancel = new AbortController();
    const job = Budget.root('job', 10_000, 'TRAWL_JOB_TIMEOUT', cancel.signal);
    const source = job.child('source', 10_000, 'TRAWL_SOURCE_TIMEOUT');
    const request = source.child('request', 10_000, 'TRAWL_REQUEST_TIMEOUT');
    cancel.abort(new TrawlError('TRAWL_CANCELLED', 'user'));
    expect(request.aborted).toBe(true);
    expect(abortReason(request.signal).code).toBe('TRAWL_CANCELLED');
  });

  it('knows the time it was given, exactly (alerts and messages quote it)', () => {
    const job = Budget.root('job', 1_000, 'TRAWL_JOB_TIMEOUT');
    expect(job.total).toBe(1_000);
    expect(job.child('source', 30_000, 'TRAWL_SOURCE_TIMEOUT').total).toBeLessThanOrEqual(1_000);
    expect(job.child('source', 200, 'TRAWL_SOURCE_TIMEOUT').total).toBe(200);
    job.dispose();
  });

  it('is born aborted under an aborted parent and remembers its deadline', () => {
    const job = Budget.root('job', 1_000, 'TRAWL_JOB_TIMEOUT');
    job.abort(new TrawlError('TRAWL_CANCELLED', 'stop'));
    const late = job.child('source', 1_000, 'TRAWL_SOURCE_TIMEOUT');
    expect(late.aborted).toBe(true);
    expect(deadlineOf(late.signal)).toBe(late.deadline);
    expect(deadlineOf(new AbortController().signal)).toBeUndefined();
  });

  it('releases its listener on the parent when disposed', () => {
    const parent = Budget.root('job', 10_000, 'TRAWL_JOB_TIMEOUT');
    const child = parent.child('source', 10_000, 'TRAWL_SOURCE_TIMEOUT');
    child.dispose();
    parent.abort(new TrawlError('TRAWL_CANCELLED', 'stop'));
    expect(child.aborted).toBe(false);
  });
});

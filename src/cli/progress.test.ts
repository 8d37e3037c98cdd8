import { describe, expect, it } from 'vitest';
import { type Job, NO_FILTERS, type SourceRun } from '../domain.js';
import { EventBus } from '../engine/events.js';
import { showProgress } from './progress.js';

const run = (patch: Partial<SourceRun> = {}): SourceRun => ({
  source: 'openverse', status: 'pending', found: 0, downloaded: 0, failed: 0, duplicates: 0, filtered: 0,
  startedAt: null, finishedAt: null, elapsedMs: null, budgetMs: null, error: null, ...patch,
});
const job = (patch: Partial<Job> = {}): Job => ({
  id: 'j1', query: 'cats', type: 'image', limit: 5, outDir: 'downloads', status: 'running',
  budgets: { requestMs: 10_000, sourceMs: 30_000, jobMs: 300_000 }, filters: NO_FILTERS, sources: [run()],
  downloaded: 0, images: 0, videos: 0, failed: 0, createdAt: '', startedAt: null, finishedAt: null,
  elapsedMs: null, error: null, worker: null, heartbeatAt: null, ...patch,
});

function capture(isTTY: boolean): { out: string[]; stream: { isTTY: boolean; columns: number; write(t: string): boolean } } {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 120, write: (t: string) => out.push(t) > 0 } };
}

describe('showProgress', () => {
  it('writes plain lines when stderr is not a terminal', () => {
    const bus = new EventBus();
    const { out, stream } = capture(false);
    const stop = showProgress(bus, stream);
    bus.emit('job.started', { jobId: 'j1', job: job() });
    bus.emit('source.finished', { jobId: 'j1', source: 'openverse', run: run({ status: 'timed_out', found: 3, downloaded: 1, elapsedMs: 30_000, error: { code: 'TRAWL_SOURCE_TIMEOUT', message: 'source openverse budget of 30s ran out' } }) });
    stop();
    const text = out.join('');
    expect(text).toMatch(/job j1 started: "cats" from openverse/);
    expect(text).toMatch(/openverse: timed_out: 3 found, 1 saved, 0 failed in 30s — TRAWL_SOURCE_TIMEOUT/);
    expect(text).not.toContain('\x1b[');
  });

  it('draws bars on a terminal and its last frame only once', () => {
    const bus = new EventBus();
    const { out, stream } = capture(true);
    const stop = showProgress(bus, stream);
    bus.emit('job.started', { jobId: 'j1', job: job() });
    bus.emit('source.progress', { jobId: 'j1', source: 'openverse', run: run({ status: 'running', startedAt: new Date().toISOString(), budgetMs: 30_000, found: 2 }) });
    stop();
    const frames = out.length;
    stop();
    expect(out.length).toBe(frames);
    expect(out.at(-1)).toMatch(/openverse .*[█░]{20} .*running .*found 2/);
  });
});

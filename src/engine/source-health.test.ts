import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceRun } from '../domain.js';
import { openSqliteStore } from '../store/sqlite/sqlite.store.js';
import type { StoredSourceOutcome } from '../store/store.js';
import { HEALTH_WINDOW } from './health-window.js';
import { SourceHealthBook, outcomeOf } from './source-health.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const SETTINGS = { failures: 3, cooldownMs: 60_000 };

/** A finished run of pexels, ended at the clock's time. */
function run(status: SourceRun['status'], patch: Partial<SourceRun> = {}): SourceRun {
  const failed = status !== 'done';
  return {
    source: 'pexels',
    status,
    found: 4,
    downloaded: failed ? 0 : 4,
    failed: 0,
    duplicates: 0,
    filtered: 0,
    startedAt: new Date(T0).toISOString(),
    finishedAt: null,
    elapsedMs: 1200,
    budgetMs: 30_000,
    error: failed ? { code: 'TRAWL_HTTP_TRANSIENT', message: 'pexels: HTTP 503' } : null,
    ...patch,
  };
}

function memoryStore() {
  const saved: StoredSourceOutcome[] = [];
  return {
    saved,
    addSourceOutcome: (o: StoredSourceOutcome) => {
      saved.push(o);
      return Promise.resolve();
    },
    listSourceOutcomes: () => Promise.resolve([...saved]),
  };
}

function setup() {
  const clock = { now: T0 };
  const store = memoryStore();
  const book = new SourceHealthBook(store, SETTINGS, () => {}, () => clock.now);
  const at = (): string => new Date(clock.now).toISOString();
  return { clock, store, book, at };
}

describe('outcomeOf', () => {
  it('counts done, failed and the source’s own timeout; nothing else says anything about the source', () => {
    const at = new Date(T0).toISOString();
    expect(outcomeOf('j', run('done'), at)).toMatchObject({ status: 'ok', saved: 4, elapsedMs: 1200, error: null, at });
    expect(outcomeOf('j', run('failed'), at)).toMatchObject({ status: 'failed', error: { code: 'TRAWL_HTTP_TRANSIENT' } });
    expect(outcomeOf('j', run('timed_out', { error: { code: 'TRAWL_SOURCE_TIMEOUT', message: 'x' } }), at)?.status).toBe('timed_out');
    expect(outcomeOf('j', run('timed_out', { error: { code: 'TRAWL_JOB_TIMEOUT', message: 'x' } }), at)).toBeUndefined();
    expect(outcomeOf('j', run('cancelled', { error: { code: 'TRAWL_CANCELLED', message: 'x' } }), at)).toBeUndefined();
    expect(outcomeOf('j', run('skipped', { error: { code: 'TRAWL_NOT_CONFIGURED', message: 'x' } }), at)).toBeUndefined();
    expect(outcomeOf('j', run('failed', { error: { code: 'TRAWL_INTERNAL', message: 'bug' } }), at)).toBeUndefined();
  });
});

describe('SourceHealthBook', () => {
  it('opens the breaker on the K-th failed run, with an alert, and refuses runs with the reason', () => {
    const { book, clock, at } = setup();
    for (let n = 0; n < 2; n++) {
      clock.now += 1000;
      expect(book.record('j', run('failed', { finishedAt: at() }))).toBeUndefined();
    }
    clock.now += 1000;
    const opened = book.record('j', run('failed', { finishedAt: at() }));
    expect(opened).toEqual({ level: 'error', message: 'pexels: circuit open after 3 failures in a row; next try after 2030-01-01T00:01:03.000Z' });
    expect(book.admit('pexels')).toEqual({ allowed: false, reason: 'pexels: circuit open after 3 failures in a row; next try after 2030-01-01T00:01:03.000Z' });
    expect(book.admit('openverse')).toEqual({ allowed: true });
    expect(book.get('pexels')).toMatchObject({
      runs: 3,
      successRate: 0,
      lastError: { code: 'TRAWL_HTTP_TRANSIENT', message: 'pexels: HTTP 503', at: '2030-01-01T00:00:03.000Z' },
      breaker: { state: 'open', consecutiveFailures: 3, openedAt: '2030-01-01T00:00:03.000Z', retryAt: '2030-01-01T00:01:03.000Z' },
    });
  });

  it('after the cool-down lets one job through; its success closes the breaker', () => {
    const { book, clock, at } = setup();
    for (let n = 0; n < 3; n++) book.record('j', run('failed', { finishedAt: at() }));
    clock.now += 60_000;
    expect(book.get('pexels').breaker.state).toBe('half_open');
    expect(book.admit('pexels')).toEqual({ allowed: true });
    expect(book.admit('pexels')).toEqual({ allowed: false, reason: "pexels: circuit half-open after 3 failures in a row; another job's trial run is in progress" });
    expect(book.record('trial', run('done', { finishedAt: at() }))).toBeUndefined();
    expect(book.get('pexels')).toMatchObject({ runs: 4, ok: 1, breaker: { state: 'closed', consecutiveFailures: 0, retryAt: null } });
  });

  it('reopens with an alert when the trial run fails', () => {
    const { book, clock, at } = setup();
    for (let n = 0; n < 3; n++) book.record('j', run('failed', { finishedAt: at() }));
    clock.now += 61_000;
    book.admit('pexels');
    expect(book.record('trial', run('failed', { finishedAt: at() }))).toEqual({
      level: 'error',
      message: 'pexels: trial run failed; circuit open again after 4 failures in a row; next try after 2030-01-01T00:02:01.000Z',
    });
    expect(book.admit('pexels').allowed).toBe(false);
  });

  it('gives the trial slot back when the trial run is cancelled, without recording it', () => {
    const { book, clock, store, at } = setup();
    for (let n = 0; n < 3; n++) book.record('j', run('failed', { finishedAt: at() }));
    clock.now += 60_000;
    expect(book.admit('pexels').allowed).toBe(true);
    book.record('trial', run('cancelled', { error: { code: 'TRAWL_CANCELLED', message: 'cancelled' } }));
    expect(store.saved).toHaveLength(3);
    expect(book.admit('pexels').allowed).toBe(true);
  });

  it('treats a timeout after saving files as slow, not down: the rate drops, the breaker stays closed', () => {
    const { book } = setup();
    const slow = run('timed_out', { downloaded: 2, error: { code: 'TRAWL_SOURCE_TIMEOUT', message: 'budget over' } });
    for (let n = 0; n < 5; n++) book.record('j', slow);
    expect(book.get('pexels')).toMatchObject({ runs: 5, timedOut: 5, successRate: 0, breaker: { state: 'closed', consecutiveFailures: 0 } });
  });

  it('keeps only the newest HEALTH_WINDOW runs of a source', () => {
    const { book, store } = setup();
    for (let n = 0; n < HEALTH_WINDOW + 5; n++) book.record('j', run('done', { elapsedMs: n }));
    expect(book.get('pexels')).toMatchObject({ runs: HEALTH_WINDOW, latencyMs: { p50: 14, p95: 23 } });
    expect(store.saved).toHaveLength(HEALTH_WINDOW + 5);
  });
});

describe('SourceHealthBook on SQLite', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trawl-health-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('survives a restart: a new process sees the same health and an open breaker', async () => {
    const file = path.join(dir, 'trawl.db');
    const clock = { now: Date.now() };
    const first = openSqliteStore(file);
    await first.migrate();
    const book = new SourceHealthBook(first, SETTINGS, (err) => { throw err; }, () => clock.now);
    for (let n = 0; n < HEALTH_WINDOW + 2; n++) book.record('j', run('done', { elapsedMs: 100 + n, finishedAt: new Date(clock.now - 60_000).toISOString() }));
    for (let n = 0; n < 3; n++) book.record('j', run('failed', { finishedAt: new Date(clock.now).toISOString() }));
    const before = book.get('pexels');
    await first.close();

    const second = openSqliteStore(file);
    await second.migrate();
    const reopened = new SourceHealthBook(second, SETTINGS, () => {}, () => clock.now);
    await reopened.load();
    expect(reopened.get('pexels')).toEqual(before);
    expect(before).toMatchObject({ runs: HEALTH_WINDOW, failed: 3, breaker: { state: 'open' } });
    expect(reopened.admit('pexels').allowed).toBe(false);
    expect((await second.listSourceOutcomes()).filter((o) => o.source === 'pexels')).toHaveLength(HEALTH_WINDOW);
    await second.close();
  });

  it('catches up with outcomes another process records on the same database, counting each once', async () => {
    const file = path.join(dir, 'shared.db');
    const clock = { now: Date.now() };
    const storeA = openSqliteStore(file);
    await storeA.migrate();
    const storeB = openSqliteStore(file);
    const a = new SourceHealthBook(storeA, SETTINGS, (err) => { throw err; }, () => clock.now);
    const b = new SourceHealthBook(storeB, SETTINGS, (err) => { throw err; }, () => clock.now);
    const at = new Date(clock.now).toISOString();
    a.record('job-a1', run('done', { elapsedMs: 10, finishedAt: at }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const id of ['b1', 'b2', 'b3']) b.record(`job-${id}`, run('failed', { finishedAt: at }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(a.admit('pexels').allowed).toBe(true);
    await a.load();
    await a.load();
    expect(a.get('pexels')).toMatchObject({ runs: 4, failed: 3, breaker: { state: 'open', consecutiveFailures: 3 } });
    expect(a.admit('pexels').allowed).toBe(false);
    await storeA.close();
    await storeB.close();
  });
});

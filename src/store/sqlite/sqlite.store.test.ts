import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NO_FILTERS, pendingRun } from '../../domain.js';
import { describeStoreConformance } from '../store.conformance.js';
import type { NewJob } from '../store.js';
import { MIGRATIONS, pendingMigrations } from './migrations.js';
import { SqliteExecutor } from './sqlite-executor.js';
import { openSqliteStore, type SqliteStore } from './sqlite.store.js';

let conformanceDir: string | undefined;
describeStoreConformance(
  'SqliteStore (conformance)',
  async () => {
    conformanceDir ??= await mkdtemp(path.join(os.tmpdir(), 'trawl-store-'));
    return openSqliteStore(path.join(conformanceDir, 'trawl.db'));
  },
  async () => {
    if (conformanceDir !== undefined) await rm(conformanceDir, { recursive: true, force: true });
  },
);

const newJob = (id: string): NewJob => ({
  id,
  query: 'fox',
  type: 'image',
  limit: 1,
  outDir: 'out',
  budgets: { requestMs: 1000, sourceMs: 2000, jobMs: 3000 },
  sources: [],
  createdAt: '2030-01-01T00:00:00.000Z',
});

// A second connection on its own thread: it takes the write lock, writes a row, holds the lock for
// `holdMs` and commits. It must be another thread, since a busy wait blocks the thread it runs on.
const LOCK_HOLDER = `
  const { parentPort, workerData } = require('node:worker_threads');
  const Database = require(workerData.driver);
  const db = new Database(workerData.file, { timeout: 5000 });
  db.exec('BEGIN IMMEDIATE');
  db.prepare("INSERT INTO job_events (job_id, name, data, at) VALUES (?, 'held', 'null', ?)").run(workerData.jobId, new Date().toISOString());
  parentPort.postMessage('locked');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
  db.exec('COMMIT');
  db.close();
`;

async function holdWriteLock(file: string, jobId: string, holdMs: number): Promise<Worker> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(LOCK_HOLDER, { eval: true, workerData: { driver, file, jobId, holdMs } });
  await once(worker, 'message');
  return worker;
}

describe('SqliteStore (SQLite specifics)', () => {
  let dir: string;
  let file: string;
  const opened: { close(): unknown }[] = [];
  const track = <T extends SqliteStore | Database.Database>(handle: T): T => {
    opened.push(handle);
    return handle;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'trawl-sqlite-'));
  });
  afterEach(async () => {
    for (const handle of opened.splice(0)) await Promise.resolve(handle.close());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  let fileCounter = 0;
  const freshFile = (): string => path.join(dir, `case-${++fileCounter}`, 'nested', 'trawl.db');

  it('creates the parent directory and puts the file in WAL mode', async () => {
    file = freshFile();
    const store = track(openSqliteStore(file));
    await store.migrate();
    expect(existsSync(file)).toBe(true);
    const raw = track(new Database(file));
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('makes a write wait for another connection holding the write lock, then succeed', async () => {
    file = freshFile();
    const store = track(openSqliteStore(file));
    await store.migrate();
    await store.createJob(newJob('job-1'));
    const worker = await holdWriteLock(file, 'job-1', 1500);
    const started = performance.now();
    const id = await store.appendEvent('job-1', 'waited', { ok: true });
    const waitedMs = performance.now() - started;
    await once(worker, 'exit');
    expect(waitedMs).toBeGreaterThan(500);
    expect(waitedMs).toBeLessThan(5000);
    const events = await store.listEvents('job-1');
    expect(events.map((event) => [event.name, event.data])).toEqual([
      ['held', null],
      ['waited', { ok: true }],
    ]);
    expect(events[1]?.id).toBe(id);
  });

  it('gives up with SQLITE_BUSY once busy_timeout is spent', async () => {
    file = freshFile();
    const store = track(openSqliteStore(file, { busyTimeoutMs: 100 }));
    await store.migrate();
    await store.createJob(newJob('job-1'));
    const worker = await holdWriteLock(file, 'job-1', 1500);
    await expect(store.appendEvent('job-1', 'too-late', {})).rejects.toMatchObject({ code: 'TRAWL_INTERNAL', cause: { code: 'SQLITE_BUSY' } });
    await once(worker, 'exit');
    expect((await store.listEvents('job-1')).map((event) => event.name)).toEqual(['held']);
  });

  it('takes the write lock when a write transaction begins (BEGIN IMMEDIATE), not at its first write', () => {
    const db = track(new Database(path.join(dir, 'immediate.db')));
    const executor = new SqliteExecutor(db);
    const other = track(new Database(db.name, { timeout: 0 }));
    const tryLock = (): string => {
      try {
        other.exec('BEGIN IMMEDIATE');
        other.exec('ROLLBACK');
        return 'free';
      } catch (err) {
        return (err as { code?: string }).code ?? 'unknown';
      }
    };
    expect(tryLock()).toBe('free');
    expect(executor.write(() => tryLock())).toBe('SQLITE_BUSY');
    expect(executor.read(() => tryLock())).toBe('free');
  });

  it('reports pending migrations and applies each once', async () => {
    file = freshFile();
    const store = track(openSqliteStore(file));
    expect(await store.pendingMigrations()).toEqual(MIGRATIONS);
    await store.migrate();
    await store.migrate();
    expect(await store.pendingMigrations()).toEqual([]);
    const raw = track(new Database(file));
    expect(pendingMigrations(raw)).toEqual([]);
    expect(raw.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
  });

  it('reads a job recorded before migration 5 (filters) with no filters and nothing filtered', async () => {
    file = freshFile();
    const old = openSqliteStore(file);
    await old.migrate();
    await old.createJob({ ...newJob('old-job'), sources: [pendingRun('nasa')] });
    await old.close();
    // Back to the version-4 schema, as a database written by the previous release has it.
    const raw = track(new Database(file));
    raw.exec('ALTER TABLE jobs DROP COLUMN filters; ALTER TABLE source_runs DROP COLUMN filtered; ALTER TABLE items DROP COLUMN license_code; DELETE FROM schema_migrations WHERE version = 5');
    const upgraded = track(openSqliteStore(file));
    expect((await upgraded.pendingMigrations()).map((m) => m.version)).toEqual([5]);
    await upgraded.migrate();
    expect(await upgraded.getJob('old-job')).toMatchObject({ filters: NO_FILTERS, sources: [{ source: 'nasa', filtered: 0 }] });
  });

  it('opens read-only: reads work, writes fail with TRAWL_DISK', async () => {
    file = freshFile();
    const writer = track(openSqliteStore(file));
    await writer.migrate();
    await writer.createJob(newJob('job-1'));
    const reader = track(openSqliteStore(file, { readonly: true }));
    expect((await reader.getJob('job-1'))?.id).toBe('job-1');
    expect(await reader.pendingMigrations()).toEqual([]);
    await expect(reader.createJob(newJob('job-2'))).rejects.toMatchObject({ code: 'TRAWL_DISK' });
    expect(() => openSqliteStore(path.join(dir, 'absent', 'x.db'), { readonly: true })).toThrow(expect.objectContaining({ code: 'TRAWL_DISK' }));
  });
});

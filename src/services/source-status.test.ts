import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../config/config.js';
import { QuotaBook } from '../engine/quota-book.js';
import { SourceHealthBook } from '../engine/source-health.js';
import { SOURCE_LIST } from '../sources/registry.js';
import { sqlitePath } from '../store/open-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite.store.js';
import type { StoredSourceOutcome } from '../store/store.js';
import { createTestDatabase, postgresUnavailable } from '../../test/support/postgres.js';
import { openStore } from '../store/open-store.js';
import { listSourceStatus } from './source-status.js';

let dir: string;
let config: Config;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trawl-status-'));
  config = loadConfig({ env: { TRAWL_DATA_DIR: path.join(dir, 'data'), TRAWL_BREAKER_FAILURES: '2' }, cwd: dir });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const failure = (n: number): StoredSourceOutcome => ({
  source: 'nasa',
  jobId: `job-${n}`,
  status: 'failed',
  elapsedMs: 500 * n,
  saved: 0,
  error: { code: 'TRAWL_PARSER_OUTDATED', message: `nasa: collection shape changed (${n})` },
  at: new Date(Date.now() - 1000 + n).toISOString(),
});

async function seed(): Promise<void> {
  const store = openSqliteStore(sqlitePath(config));
  await store.migrate();
  await store.addSourceOutcome(failure(1), 20);
  await store.addSourceOutcome(failure(2), 20);
  await store.saveQuota({ source: 'nasa', remaining: 7, limit: 1000, resetAt: null, updatedAt: new Date().toISOString() });
  await store.close();
}

describe('listSourceStatus', () => {
  it('shows empty health without a database, and creates none', async () => {
    const nasa = (await listSourceStatus(config, SOURCE_LIST)).find((s) => s.id === 'nasa');
    expect(nasa?.health).toMatchObject({ runs: 0, successRate: null, lastError: null, breaker: { state: 'closed' } });
    expect(existsSync(config.dataDir)).toBe(false);
  });

  it('replays the stored runs of earlier processes: rate, latency, last error and an open breaker', async () => {
    await seed();
    const nasa = (await listSourceStatus(config, SOURCE_LIST)).find((s) => s.id === 'nasa');
    expect(nasa?.quota).toMatchObject({ remaining: 7, limit: 1000 });
    expect(nasa?.health).toMatchObject({
      runs: 2,
      failed: 2,
      successRate: 0,
      latencyMs: { p50: 500, p95: 1000 },
      lastError: { code: 'TRAWL_PARSER_OUTDATED', message: 'nasa: collection shape changed (2)' },
      breaker: { state: 'open', consecutiveFailures: 2 },
    });
  });

  it('still shows quotas from a database a job has not migrated to the outcomes table yet', async () => {
    await seed();
    const raw = new Database(sqlitePath(config));
    raw.exec('DROP TABLE source_outcomes; DELETE FROM schema_migrations WHERE version = 4;');
    raw.close();
    const nasa = (await listSourceStatus(config, SOURCE_LIST)).find((s) => s.id === 'nasa');
    expect(nasa?.quota).toMatchObject({ remaining: 7 });
    expect(nasa?.health.runs).toBe(0);
  });

  it("uses a running process's own books when given", async () => {
    await seed();
    const live = {
      quotas: new QuotaBook({ saveQuota: () => Promise.resolve(), listQuotas: () => Promise.resolve([]) }, () => {}),
      health: new SourceHealthBook({ addSourceOutcome: () => Promise.resolve(), listSourceOutcomes: () => Promise.resolve([]) }, { failures: 2, cooldownMs: 1000 }, () => {}),
    };
    const nasa = (await listSourceStatus(config, SOURCE_LIST, live)).find((s) => s.id === 'nasa');
    expect(nasa?.quota).toBeNull();
    expect(nasa?.health.runs).toBe(0);
  });
});

const noPostgres = await postgresUnavailable();
describe.skipIf(noPostgres !== undefined)('on PostgreSQL (TRAWL_DATABASE_URL)', () => {
  it('reads the health and quotas the workers recorded in the shared database', async () => {
    const db = await createTestDatabase();
    try {
      const shared = loadConfig({ env: { TRAWL_DATA_DIR: path.join(dir, 'data'), TRAWL_BREAKER_FAILURES: '2', TRAWL_DATABASE_URL: db.url }, cwd: dir });
      const store = await openStore(shared);
      await store.addSourceOutcome(failure(1), 20);
      await store.addSourceOutcome(failure(2), 20);
      await store.saveQuota({ source: 'nasa', remaining: 3, limit: 1000, resetAt: null, updatedAt: new Date().toISOString() });
      await store.close();
      const nasa = (await listSourceStatus(shared, SOURCE_LIST)).find((status) => status.id === 'nasa');
      expect(nasa).toMatchObject({ quota: { remaining: 3, limit: 1000 }, health: { runs: 2, failed: 2, breaker: { state: 'open' } } });
      // Nothing of it lands in the data dir: the database is elsewhere.
      expect(existsSync(path.join(dir, 'data', 'trawl.db'))).toBe(false);
    } finally {
      await db.drop();
    }
  });
});

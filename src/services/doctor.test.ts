import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { SOURCE_LIST } from '../sources/registry.js';
import { MIGRATIONS } from '../store/sqlite/migrations.js';
import { openSqliteStore } from '../store/sqlite/sqlite.store.js';
import { runDoctor } from './doctor.js';
import { variableName } from './doctor-settings.js';

describe('runDoctor', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'trawl-doctor-'));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  // The data dir of a checkout (./data) unless a test names another.
  const doctor = (env: Record<string, string> = {}) => {
    const config = loadConfig({ env: { TRAWL_DATA_DIR: 'data', ...env }, cwd });
    return runDoctor(config, { env, registry: SOURCE_LIST });
  };

  it('says where the data is and which rule chose it: the per-user data directory when TRAWL_DATA_DIR is not set', async () => {
    const home = path.join(cwd, 'home');
    const config = loadConfig({ env: {}, cwd, platform: 'linux', homedir: home });
    const report = await runDoctor(config, { env: {}, registry: SOURCE_LIST });
    expect(report.checks.find((c) => c.name === 'data dir')?.detail).toBe(
      `${path.join(home, '.local', 'share', 'trawl')} does not exist yet; Trawl can create it (TRAWL_DATA_DIR is not set, so the per-user data directory ~/.local/share/trawl (XDG_DATA_HOME is not set))`,
    );
    expect(report.settings).toContainEqual({ name: 'TRAWL_DATA_DIR', value: path.join(home, '.local', 'share', 'trawl'), origin: 'default' });
    expect((await doctor()).checks.find((c) => c.name === 'data dir')?.detail).toBe(`${path.join(cwd, 'data')} does not exist yet; Trawl can create it (TRAWL_DATA_DIR is set in the environment)`);
    expect(existsSync(home)).toBe(false);
  });

  it('passes a fresh setup without creating anything, and says where each value came from', async () => {
    await writeFile(path.join(cwd, '.env'), 'TRAWL_JOB_TIMEOUT=2m\n');
    const report = await doctor({ TRAWL_REQUEST_TIMEOUT: '3s', PEXELS_API_KEY: 'secret-value' });
    expect(report.problems).toEqual([]);
    expect(report.settings).toEqual(
      expect.arrayContaining([
        { name: 'TRAWL_REQUEST_TIMEOUT', value: '3.0s', origin: 'env' },
        { name: 'TRAWL_JOB_TIMEOUT', value: '2m', origin: '.env' },
        { name: 'TRAWL_SOURCE_TIMEOUT', value: '30s', origin: 'default' },
        { name: 'PEXELS_API_KEY', value: 'set', origin: 'env' },
        { name: 'TRAWL_SERVER_NAMES', value: '(none)', origin: 'default' },
      ]),
    );
    expect(JSON.stringify(report)).not.toContain('secret-value');
    expect(report.checks.find((c) => c.name === 'data dir')?.detail).toMatch(/does not exist yet; Trawl can create it/);
    expect(report.checks.find((c) => c.name === 'sources')?.detail).toMatch(/^9 of 11 sources ready; skipped for want of a key: pixabay \(PIXABAY_API_KEY is not set\)/);
    expect(await readdir(cwd)).toEqual(['.env']);
  });

  it('reports a data dir that is a file', async () => {
    await writeFile(path.join(cwd, 'data'), 'not a dir');
    const report = await doctor();
    expect(report.problems).toEqual([`TRAWL_DATA_DIR ${path.join(cwd, 'data')} is not a directory (a file is in the way); point TRAWL_DATA_DIR at a directory`]);
  });

  it('reports a data dir that cannot be created (below a file)', async () => {
    await writeFile(path.join(cwd, 'blocker'), 'x');
    const report = await doctor({ TRAWL_DATA_DIR: 'blocker/data' });
    expect(report.problems).toEqual([`TRAWL_DATA_DIR ${path.join(cwd, 'blocker', 'data')} cannot be used: ENOTDIR: not a directory, stat '${path.join(cwd, 'blocker', 'data')}'`]);
  });

  it.skipIf(process.platform !== 'linux')('reports a data dir that cannot be written (under /proc, which even root cannot write)', async () => {
    const report = await doctor({ TRAWL_DATA_DIR: '/proc/trawl-doctor-test' });
    expect(report.problems).toEqual([
      expect.stringMatching(/^TRAWL_DATA_DIR \/proc\/trawl-doctor-test does not exist and cannot be created: E[A-Z]+/) as string,
      expect.stringMatching(/^only 0 B free on the disk of \/proc\/trawl-doctor-test/) as string,
    ]);
    expect(existsSync('/proc/trawl-doctor-test')).toBe(false);
  });

  it('reports a database that lacks migrations, naming them', async () => {
    await mkdir(path.join(cwd, 'data'));
    const db = new Database(path.join(cwd, 'data', 'trawl.db'));
    db.exec(MIGRATIONS[0]?.up ?? '');
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    db.prepare('INSERT INTO schema_migrations VALUES (1, ?, ?)').run(MIGRATIONS[0]?.name, new Date().toISOString());
    db.close();
    const missing = MIGRATIONS.slice(1).map((m) => `${m.version} (${m.name})`).join(', ');
    expect((await doctor()).problems).toEqual([
      `database ${path.join(cwd, 'data', 'trawl.db')} is not migrated: missing migrations ${missing}; any command that opens it for writing (e.g. trawl jobs cleanup) migrates it`,
    ]);
  });

  it('reports an empty database file as not migrated, and a file that is no database as unreadable', async () => {
    await mkdir(path.join(cwd, 'data'));
    const file = path.join(cwd, 'data', 'trawl.db');
    await writeFile(file, '');
    expect((await doctor()).problems).toEqual([expect.stringContaining(`database ${file} is not migrated: missing migrations 1 (initial), 2`) as string]);
    await writeFile(file, 'this is not SQLite, just text that is long enough to be a header of sorts......');
    expect((await doctor()).problems).toEqual([expect.stringMatching(new RegExp(`^database ${file} cannot be read: .*not a database`)) as string]);
  });

  it('reports a PostgreSQL database that cannot be reached, naming it with its password masked', async () => {
    const report = await doctor({ TRAWL_DATABASE_URL: 'postgres://trawl:doctor-secret@127.0.0.1:1/trawl' });
    expect(report.problems).toEqual([expect.stringMatching(/^PostgreSQL database postgres:\/\/trawl:\*\*\*@127\.0\.0\.1:1\/trawl cannot be read: .*ECONNREFUSED/) as string]);
    expect(JSON.stringify(report)).not.toContain('doctor-secret');
    expect(existsSync(path.join(cwd, 'data', 'trawl.db'))).toBe(false);
  });

  it('reports stuck jobs with their worker and silence, and a stuck-after shorter than two heartbeats', async () => {
    const store = openSqliteStore(path.join(cwd, 'data', 'trawl.db'));
    await store.migrate();
    const old = new Date(Date.now() - 120_000).toISOString();
    await store.createJob({ id: 'stuck-1', query: 'q', type: 'image', limit: 1, outDir: cwd, budgets: { requestMs: 1, sourceMs: 1, jobMs: 1 }, sources: [], createdAt: old });
    await store.claimJob('stuck-1', 'host:1:aa', old);
    await store.close();
    const report = await doctor({ TRAWL_HEARTBEAT_INTERVAL: '20s', TRAWL_STUCK_AFTER: '30s' });
    expect(report.problems).toEqual([
      'TRAWL_STUCK_AFTER (30s) must be at least twice TRAWL_HEARTBEAT_INTERVAL (20s), or live jobs that miss one heartbeat are reaped as dead',
      expect.stringMatching(/^1 stuck job, running with no heartbeat for longer than TRAWL_STUCK_AFTER \(30s\): stuck-1 \(worker host:1:aa, silent for 2m\); run trawl jobs cleanup$/) as string,
    ]);
  });

  it('names the variable of every config key', () => {
    expect(['requestTimeoutMs', 'maxConcurrentSources', 'heartbeatIntervalMs', 'stuckAfterMs', 'PEXELS_API_KEY', 'TRAWL_ORIGIN_NASA'].map(variableName)).toEqual([
      'TRAWL_REQUEST_TIMEOUT',
      'TRAWL_MAX_CONCURRENT_SOURCES',
      'TRAWL_HEARTBEAT_INTERVAL',
      'TRAWL_STUCK_AFTER',
      'PEXELS_API_KEY',
      'TRAWL_ORIGIN_NASA',
    ]);
  });
});

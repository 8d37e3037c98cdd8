/**
 * Process faults (docs/reliability.md, table 4) against the real `trawl fetch` binary: a disk that
 * fills up mid-download (RLIMIT_FSIZE via `ulimit -f` in the child's shell: writes past the limit
 * fail with EFBIG, and Node ignores SIGXFSZ), and the SQLite file held by another writer for 2 s.
 * kill -9 mid-download and SIGSTOP/SIGCONT past the lease are proven in test/process-faults.test.ts
 * and by bench/soak.ts (see docs/reliability.md). Only the PIDs spawned here are ever signalled.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobReport } from '../../src/services/report.js';
import { type CliResult, type Harness, ROOT, leftoverTempFiles, runCli, startHarness } from '../support/harness.js';
import { expectItemsIntact, failureCodes, waitUntil } from './support/fault-kit.js';

const CATS = (n: number): string => `/media/openverse/cats-${n}.png`;
const FETCH = ['fetch', 'cats', '--sources', 'openverse', '--limit', '4', '--out', 'downloads', '--json'];

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ itemsPerQuery: 4 }, { TRAWL_REQUEST_TIMEOUT: '5s', TRAWL_SOURCE_TIMEOUT: '30s' });
});
afterEach(async () => {
  await h.close();
});

const dbFile = (): string => path.join(h.cwd, 'data', 'trawl.db');

/** Runs `trawl fetch` under a shell whose file-size limit is `kib` KiB. */
function fetchWithFileLimit(kib: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const child = spawn('/bin/sh', ['-c', `ulimit -f ${kib} && exec "$0" "$@"`, process.execPath, path.join(ROOT, 'bin/trawl.js'), ...FETCH], {
      cwd: h.cwd,
      env: { PATH: process.env.PATH ?? '', ...h.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - start }));
  });
}

/** The database as the next process sees it: intact, and what it holds for the one job. */
function inspectDatabase(): { integrity: unknown; jobs: { status: string }[]; items: number; failures: { code: string }[] } {
  const db = new Database(dbFile(), { readonly: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      jobs: db.prepare('SELECT status FROM jobs').all() as { status: string }[],
      items: (db.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n,
      failures: db.prepare('SELECT code FROM failures').all() as { code: string }[],
    };
  } finally {
    db.close();
  }
}

describe.skipIf(process.platform === 'win32')('process faults', () => {
  it('disk full during a write (ulimit -f): the item fails with TRAWL_DISK, the job continues, the database stays consistent', async () => {
    // One 6 MB file against a 4 MiB file-size limit; the others (~24 KB) fit.
    h.sim.setFaults([{ target: CATS(2), fault: 'oversized', size: 6_000_000 }]);
    const result = await fetchWithFileLimit(4096);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as JobReport;
    expect(report.status).toBe('completed');
    expect(failureCodes(report)).toEqual({ [CATS(2)]: 'TRAWL_DISK' });
    expect(report.failures[0]?.message).toMatch(/EFBIG/);
    expect(report.downloaded).toBe(3);
    await expectItemsIntact(h, report);
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
    expect(inspectDatabase()).toEqual({ integrity: 'ok', jobs: [{ status: 'completed' }], items: 3, failures: [{ code: 'TRAWL_DISK' }] });
    expect(result.elapsedMs).toBeLessThan(30_000);
  });

  it('the SQLite file held by another writer for 2 s: writes wait and succeed', async () => {
    // Each file takes ~1.5 s, so the items are written while the other writer holds the database.
    h.sim.setFaults([{ target: 'openverse:media', fault: 'slow', bytesPerSecond: 16 * 1024 }]);
    const fetch = runCli(FETCH, h);
    await waitUntil('the job to be running', () => existsSync(dbFile()) && jobRunning(), 20_000);
    const holder = new Database(dbFile());
    holder.pragma('busy_timeout = 5000');
    holder.exec('BEGIN IMMEDIATE');
    const heldFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    holder.exec('COMMIT');
    const heldUntil = Date.now();
    holder.close();

    const result = await fetch;
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/SQLITE_BUSY|database is locked/i);
    const report = JSON.parse(result.stdout) as JobReport;
    expect(report.status).toBe('completed');
    expect(report.downloaded).toBe(4);
    await expectItemsIntact(h, report);
    // At least one item was ready to be written while the lock was held, and it was written.
    // The fetch was mid-job when the lock was taken, stood still while it was held (a write was
    // waiting: nothing it stamped falls inside the hold), and went on to finish after it.
    const stamps = timeline();
    expect(stamps.started).toBeLessThan(heldFrom);
    expect(stamps.events.filter((t) => t > heldFrom + 100 && t < heldUntil - 100)).toEqual([]);
    expect(stamps.events.filter((t) => t >= heldUntil - 100).length).toBeGreaterThan(4);
    expect(inspectDatabase()).toMatchObject({ integrity: 'ok', jobs: [{ status: 'completed' }], items: 4, failures: [] });
  });
});

function jobRunning(): boolean {
  try {
    const db = new Database(dbFile(), { readonly: true });
    try {
      return (db.prepare("SELECT count(*) AS n FROM jobs WHERE status = 'running'").get() as { n: number }).n > 0;
    } finally {
      db.close();
    }
  } catch {
    return false; // the schema may not exist yet
  }
}

/** When the job was claimed, and when each of its events was stamped (epoch ms). */
function timeline(): { started: number; events: number[] } {
  const db = new Database(dbFile(), { readonly: true });
  try {
    const job = db.prepare('SELECT started_at FROM jobs').get() as { started_at: string };
    const events = (db.prepare('SELECT at FROM job_events ORDER BY id').all() as { at: string }[]).map((r) => Date.parse(r.at));
    return { started: Date.parse(job.started_at), events };
  } finally {
    db.close();
  }
}

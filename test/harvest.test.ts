/**
 * The real engine against the simulator: a normal job saves valid, verified files; budgets end
 * work for real (sockets closed, no partial files) and each ends in the contract's states.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Source } from '../src/sources/source.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite.store.js';
import { type Harness, leftoverTempFiles, listFiles, runEngine, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ itemsPerQuery: 12 });
});
afterEach(async () => {
  await h.close();
});

const outDir = (): string => path.join(h.cwd, 'downloads');

describe('a normal job', () => {
  it('saves every item as a valid file whose bytes and sha256 match the report', async () => {
    const { job, report } = await runEngine(h, { query: 'cats', sources: 'pexels,openverse,wikimedia_commons', limit: 5 });
    expect(job.status).toBe('completed');
    expect(report.sources.map((s) => [s.source, s.status, s.found, s.downloaded])).toEqual([
      ['pexels', 'done', 5, 5],
      ['openverse', 'done', 5, 5],
      ['wikimedia_commons', 'done', 5, 5],
    ]);
    expect(report.downloaded).toBe(15);
    expect(report.images).toBe(15);
    for (const item of report.items) {
      const bytes = await readFile(path.resolve(h.cwd, item.path));
      expect(bytes.length).toBe(item.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(item.sha256);
      expect((await fileTypeFromBuffer(bytes))?.mime).toBe(item.contentType);
      expect(item.path).toContain(item.sha256);
      expect(item.pageUrl).toMatch(/^https?:\/\//);
      expect(item.license).toBeTruthy();
    }
    // Nothing but the items and the manifest in --out.
    const files = await listFiles(outDir());
    expect(files.filter((f) => f !== 'manifest.jsonl').length).toBe(15);
    const manifest = (await readFile(path.join(outDir(), 'manifest.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { sha256: string });
    expect(manifest.map((m) => m.sha256).sort()).toEqual(report.items.map((i) => i.sha256).sort());
  });

  it('harvests videos with --type all from the video sources', async () => {
    const { job, report } = await runEngine(h, { query: 'waves', sources: 'pexels,wikimedia_commons', type: 'all', limit: 3 });
    expect(job.status).toBe('completed');
    expect(report.images).toBe(6);
    expect(report.videos).toBe(6);
    const videoTypes = new Set(report.items.filter((i) => i.kind === 'video').map((i) => i.contentType));
    expect([...videoTypes].every((t) => t.startsWith('video/'))).toBe(true);
    expect(report.items.some((i) => i.url.includes('.m3u8'))).toBe(false);
  });

  it('skips a source whose key is missing, with the reason', async () => {
    const { job, report } = await runEngine(h, { query: 'cats', sources: 'pexels,openverse', limit: 2 }, { env: { PEXELS_API_KEY: '' } });
    expect(job.status).toBe('completed');
    const pexels = report.sources.find((s) => s.source === 'pexels');
    expect(pexels?.status).toBe('skipped');
    expect(pexels?.error?.message).toMatch(/PEXELS_API_KEY/);
  });
});

describe('duplicate content', () => {
  it('stores the same bytes once per job and counts the second as a duplicate', async () => {
    const { openverseSource } = await import('../src/sources/openverse.source.js');
    const twice: Source = {
      ...openverseSource,
      // The same file offered twice (two result pages pointing at one image, as mirrors do).
      async *search(request, context) {
        for await (const page of openverseSource.search(request, context)) yield [...page.slice(0, 1), ...page];
      },
    };
    const { report } = await runEngine(h, { query: 'cats', sources: 'openverse', limit: 3 }, { sources: [twice] });
    expect(report.sources[0]).toMatchObject({ status: 'done', found: 3, downloaded: 2, duplicates: 1, failed: 0 });
    expect(new Set(report.items.map((i) => i.sha256)).size).toBe(2);
    expect((await listFiles(outDir())).filter((f) => f !== 'manifest.jsonl')).toHaveLength(2);
  });
});

describe('rate-limit quotas', () => {
  it('skips a source whose recorded quota is used up until a future reset', async () => {
    const store = openSqliteStore(path.join(h.cwd, 'data', 'trawl.db'));
    await store.migrate();
    const resetAt = new Date(Date.now() + 3_600_000).toISOString();
    await store.saveQuota({ source: 'openverse', remaining: 0, limit: 20, resetAt, updatedAt: new Date().toISOString() });
    await store.close();
    const { job, report } = await runEngine(h, { query: 'cats', sources: 'openverse,wikimedia_commons', limit: 2 });
    expect(job.status).toBe('completed');
    expect(report.sources[0]).toMatchObject({ source: 'openverse', status: 'skipped', error: { code: 'TRAWL_RATE_LIMITED', message: `openverse: quota exhausted until ${resetAt}` } });
    expect(h.sim.requests().some((r) => r.source === 'openverse')).toBe(false);
  });
});

describe('crash leftovers', () => {
  it('sweeps temp files an earlier crash left in the output directory, keeping fresh ones', async () => {
    const { mkdir, utimes, writeFile } = await import('node:fs/promises');
    await mkdir(outDir(), { recursive: true });
    const stale = path.join(outDir(), '.trawl-crashed.part');
    const fresh = path.join(outDir(), '.trawl-other-writer.part');
    await writeFile(stale, 'half a file');
    await writeFile(fresh, 'being written right now');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(stale, hourAgo, hourAgo);
    await runEngine(h, { query: 'cats', sources: 'openverse', limit: 1 });
    const files = await listFiles(outDir());
    expect(files).not.toContain('.trawl-crashed.part');
    expect(files).toContain('.trawl-other-writer.part');
  });
});

describe('budgets are real cancellations', () => {
  it('ends a hanging source timed_out at its budget while the others finish, and closes its socket', async () => {
    h.sim.setFaults([{ target: 'pexels', fault: 'hang' }]);
    const { job, report, elapsedMs } = await runEngine(h, {
      query: 'cats',
      sources: 'pexels,openverse',
      limit: 3,
      timeouts: { request: '20s', source: '1s', job: '30s' },
    });
    expect(job.status).toBe('completed');
    const pexels = report.sources.find((s) => s.source === 'pexels');
    expect(pexels?.status).toBe('timed_out');
    expect(pexels?.error?.code).toBe('TRAWL_SOURCE_TIMEOUT');
    expect(pexels?.elapsedMs).toBeGreaterThanOrEqual(900);
    expect(pexels?.elapsedMs).toBeLessThan(3_000);
    expect(report.sources.find((s) => s.source === 'openverse')?.status).toBe('done');
    expect(elapsedMs).toBeLessThan(10_000);
    await h.sim.waitForClosed((r) => r.fault === 'hang', 1_000);
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
  });

  it("applies the job's own request timeout, not only the configured one (timeouts.request of the API)", async () => {
    h.sim.setFaults([{ target: 'openverse', fault: 'hang' }]);
    const { report, elapsedMs } = await runEngine(
      h,
      { query: 'cats', sources: 'openverse', limit: 2, timeouts: { request: '500ms', source: '20s', job: '30s' } },
      { env: { TRAWL_REQUEST_TIMEOUT: '30s' } },
    );
    // Three tries of 500 ms each (and their backoff), far inside the 20 s source budget.
    expect(report.sources[0]).toMatchObject({ source: 'openverse', status: 'failed', error: { code: 'TRAWL_REQUEST_TIMEOUT' } });
    expect(elapsedMs).toBeLessThan(10_000);
    await h.sim.waitForClosed((r) => r.fault === 'hang', 1_000);
  });

  it('cuts a trickling body with the speed guard and deletes the partial file', async () => {
    h.sim.setFaults([{ target: 'openverse:media', fault: 'trickle', times: 1 }]);
    const { job, report } = await runEngine(
      h,
      { query: 'cats', sources: 'openverse', limit: 3, timeouts: { request: '10s', source: '20s' } },
      { env: { TRAWL_MIN_SPEED: '4KiB/1s' } },
    );
    expect(job.status).toBe('completed');
    expect(report.failures).toEqual([expect.objectContaining({ code: 'TRAWL_TOO_SLOW', source: 'openverse' })]);
    expect(report.downloaded).toBe(2);
    await h.sim.waitForClosed((r) => r.fault === 'trickle', 1_000);
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
  });

  it('ends the job timed_out when the job budget runs out, mid-download', async () => {
    h.sim.setFaults([{ target: '*:media', fault: 'stall' }]);
    const { job, report, elapsedMs } = await runEngine(h, {
      query: 'cats',
      sources: 'openverse,wikimedia_commons',
      limit: 2,
      timeouts: { request: '20s', source: '20s', job: '1s' },
    });
    expect(job.status).toBe('timed_out');
    expect(job.error?.code).toBe('TRAWL_JOB_TIMEOUT');
    expect(report.sources.every((s) => s.status === 'timed_out')).toBe(true);
    expect(elapsedMs).toBeLessThan(5_000);
    await h.sim.waitForClosed((r) => r.fault === 'stall', 1_000);
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
  });

  it('cancels a running job: cancelled, sockets closed, nothing partial left', async () => {
    h.sim.setFaults([{ target: '*:media', fault: 'stall' }]);
    const { job, report } = await runEngine(h, { query: 'cats', sources: 'openverse,wikimedia_commons', limit: 2 }, { cancelAfterMs: 700 });
    expect(job.status).toBe('cancelled');
    expect(report.sources.every((s) => s.status === 'cancelled')).toBe(true);
    await h.sim.waitForClosed((r) => r.fault === 'stall', 1_000);
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
  });

  it('records item faults with their codes and keeps the rest of the job', async () => {
    h.sim.setFaults([
      { target: '/media/openverse/cats-1.png', fault: 'html-as-image' },
      { target: '/media/openverse/cats-2.png', fault: 'truncate' },
      { target: '/media/openverse/cats-3.png', fault: 'redirect-private' },
    ]);
    const { job, report } = await runEngine(h, { query: 'cats', sources: 'openverse', limit: 6 });
    expect(job.status).toBe('completed');
    const codes = report.failures.map((f) => f.code).sort();
    expect(codes).toEqual(['TRAWL_NOT_MEDIA', 'TRAWL_SSRF_BLOCKED', 'TRAWL_TRUNCATED']);
    expect(report.downloaded).toBe(3);
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
  });
});

/**
 * Content faults (docs/reliability.md, table 2), against the real engine and the simulator: lying
 * content types, cut files, pixel bombs, bodies with no end, compression bombs and hostile names.
 * Each ends with the item's code, the rest of the job saved intact, nothing partial on disk, the
 * sockets closed, and memory flat where the row is about size.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, listFiles, startHarness } from '../support/harness.js';
import { expectItemsIntact, expectRow, rewrittenSource, runRow } from './support/fault-kit.js';

const ENV = { TRAWL_REQUEST_TIMEOUT: '2s', TRAWL_SOURCE_TIMEOUT: '20s', TRAWL_JOB_TIMEOUT: '30s' };
const CATS = (n: number): string => `/media/openverse/cats-${n}.png`;
const JOB = { query: 'cats', sources: 'openverse', limit: 4 };
const MiB = 1024 * 1024;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ itemsPerQuery: 4 }, ENV);
});
afterEach(async () => {
  await h.close();
});


const sent = (p: string): number => h.sim.requests().filter((r) => r.path === p).reduce((sum, r) => sum + r.bytesSent, 0);

describe('content faults', () => {
  it('an HTML error page served as an image: TRAWL_NOT_MEDIA', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'html-as-image' }]);
    await expectRow(h, await runRow(h, JOB), { [CATS(1)]: 'TRAWL_NOT_MEDIA' }, 10_000);
  });

  it('an image cut short at its origin, with a matching Content-Length: TRAWL_NOT_MEDIA (no end marker)', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'truncated-image' }]);
    const run = await runRow(h, JOB);
    await expectRow(h, run, { [CATS(1)]: 'TRAWL_NOT_MEDIA' }, 10_000);
    expect(run.report.failures[0]?.message).toMatch(/truncated png image \(no IEND chunk at its end\)/);
  });

  it('an image whose header claims 50,000 × 50,000 pixels: TRAWL_PIXEL_LIMIT, never decoded', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'huge-dimensions' }]);
    const run = await runRow(h, JOB);
    await expectRow(h, run, { [CATS(1)]: 'TRAWL_PIXEL_LIMIT' }, 10_000);
    expect(run.heapGrowth).toBeLessThan(64 * MiB);
  });

  it('an endless chunked body: cut at TRAWL_MAX_FILE_SIZE with TRAWL_TOO_LARGE, memory flat', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'endless' }]);
    const run = await runRow(h, JOB, { env: { TRAWL_MAX_FILE_SIZE: '128MiB' } });
    await expectRow(h, run, { [CATS(1)]: 'TRAWL_TOO_LARGE' }, 20_000);
    // The cap was reached (so this is the size guard, not a timeout) and the sender was stopped soon after.
    expect(sent(CATS(1))).toBeGreaterThanOrEqual(128 * MiB);
    expect(sent(CATS(1))).toBeLessThan(160 * MiB);
    // 128 MiB went through; far less was ever held.
    expect(run.heapGrowth).toBeLessThan(64 * MiB);
  });

  it('a 10 GiB Content-Length: refused from the headers with TRAWL_TOO_LARGE, almost nothing read', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'oversized' }]);
    const run = await runRow(h, JOB);
    await expectRow(h, run, { [CATS(1)]: 'TRAWL_TOO_LARGE' }, 10_000);
    expect(sent(CATS(1))).toBeLessThan(16 * MiB);
    expect(run.heapGrowth).toBeLessThan(64 * MiB);
  });

  it('a gzip bomb although identity was asked: TRAWL_BAD_RESPONSE, nothing inflated', async () => {
    h.sim.setFaults([{ target: CATS(1), fault: 'gzip-bomb' }]);
    const run = await runRow(h, JOB);
    await expectRow(h, run, { [CATS(1)]: 'TRAWL_BAD_RESPONSE' }, 10_000);
    expect(h.sim.requests().find((r) => r.path === CATS(1))?.headers['accept-encoding']).toBe('identity');
    expect(run.heapGrowth).toBeLessThan(64 * MiB);
  });
});

describe('hostile file names', () => {
  const HOSTILE = ['..%2F..%2F..%2Fescaped', '..%5C..%5Cwindows', 'nul%00byte', 'n'.repeat(4_000), 'CON', 'aux.txt', 'LPT1'];

  it('`../`, NUL, 4,000 characters and reserved device names: stored under generated names inside the library only', async () => {
    await h.close();
    h = await startHarness({ itemsPerQuery: HOSTILE.length }, ENV);
    const source = rewrittenSource((url, i) => {
      const name = HOSTILE[i];
      return name === undefined ? null : `${url.origin}/media/openverse/${name}.png`;
    });
    const run = await runRow(h, { query: 'cats', sources: 'openverse', limit: HOSTILE.length }, { sources: [source] });
    expect(run.job.status).toBe('completed');
    expect(run.report.failures).toEqual([]);
    expect(run.report.downloaded).toBe(HOSTILE.length);
    await expectItemsIntact(h, run.report);
    const stored = run.report.items.map((i) => path.relative(h.cwd, i.path).split(path.sep).join('/'));
    expect(stored.sort()).toEqual(run.report.items.map((i) => `downloads/${i.sha256.slice(0, 2)}/${i.sha256}.png`).sort());
    // Nothing anywhere in the working directory but the library, its manifest, and the data dir.
    const files = await listFiles(h.cwd);
    expect(files.filter((f) => !f.startsWith('data/')).sort()).toEqual([...stored, 'downloads/manifest.jsonl'].sort());
  });
});

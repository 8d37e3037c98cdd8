/**
 * Filters against the real engine and the simulator: what a candidate declares is checked before
 * any request for its media, the real file is checked from its header (a lying source's files are
 * downloaded, dropped and counted `filtered`, never left behind), and a licence filter skips the
 * sources that state no licences.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Candidate } from '../src/domain.js';
import { orientationOf } from '../src/filters/filters.js';
import type { JobReport } from '../src/services/report.js';
import { SOURCES } from '../src/sources/registry.js';
import type { Source } from '../src/sources/source.js';
import { type Harness, leftoverTempFiles, listFiles, runCli, runEngine, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ itemsPerQuery: 12 });
});
afterEach(async () => {
  await h.close();
});

const outDir = (): string => path.join(h.cwd, 'downloads');
const mediaRequests = (source: string): string[] => h.sim.requests().filter((r) => r.target === 'media' && r.source === source).map((r) => r.path);

/** CONTRACT.md: for a run that ends `done`, every candidate is counted once. */
function expectAccounted(run: JobReport['sources'][number] | undefined): void {
  expect(run?.status).toBe('done');
  expect(run?.found).toBe((run?.downloaded ?? 0) + (run?.failed ?? 0) + (run?.filtered ?? 0) + (run?.duplicates ?? 0));
}

/** The files in --out besides the manifest, and the manifest's lines. */
async function library(): Promise<{ files: string[]; manifest: string[] }> {
  const files = (await listFiles(outDir())).filter((f) => f !== 'manifest.jsonl');
  const text = await readFile(path.join(outDir(), 'manifest.jsonl'), 'utf8').catch(() => '');
  return { files, manifest: text.split('\n').filter(Boolean) };
}

describe('checked before download', () => {
  it('never requests a candidate that declares too small a size: the source is done, everything filtered', async () => {
    const { job, report } = await runEngine(h, { query: 'cats', sources: 'pexels,openverse', limit: 4, filters: { minWidth: 5000 } });
    expect(job.status).toBe('completed');
    expect(report.filters).toMatchObject({ minWidth: 5000, minHeight: null, safeSearch: true });
    expect(report.sources.map((s) => [s.source, s.status, s.found, s.downloaded, s.failed, s.filtered])).toEqual([
      ['pexels', 'done', 4, 0, 0, 4],
      ['openverse', 'done', 4, 0, 0, 4],
    ]);
    expect(mediaRequests('pexels')).toEqual([]);
    expect(mediaRequests('openverse')).toEqual([]);
    expect(report.items).toEqual([]);
    expect(report.failures).toEqual([]);
    expect(await library()).toEqual({ files: [], manifest: [] });
  });

  it('keeps only the orientation asked for, judging by what each candidate declares', async () => {
    const { report } = await runEngine(h, { query: 'cats', sources: 'openverse', limit: 12, filters: { orientation: 'portrait' } });
    const run = report.sources[0];
    expectAccounted(run);
    expect(run?.downloaded).toBeGreaterThan(0);
    expect(run?.filtered).toBeGreaterThan(0);
    for (const item of report.items) expect(orientationOf(item.width ?? 0, item.height ?? 0)).toBe('portrait');
    // What declares its size is judged before its download; the rest (Openverse leaves some sizes out) on the file.
    const requested = mediaRequests('openverse').length;
    expect(requested).toBeGreaterThanOrEqual(run?.downloaded ?? 0);
    expect(requested).toBeLessThan(run?.found ?? 0);
  });
});

describe('checked on the real file', () => {
  it('downloads a lying source\'s files, drops the ones whose header is too small, and counts them filtered', async () => {
    // Every candidate declares 73 px or more; the first three files served are really a tenth of that.
    h.sim.setFaults([{ target: 'pexels:media', fault: 'lie-size', times: 3 }]);
    const { job, report } = await runEngine(h, { query: 'cats', sources: 'pexels', limit: 6, filters: { minWidth: 50, minHeight: 50 } });
    expect(job.status).toBe('completed');
    const run = report.sources[0];
    expectAccounted(run);
    expect(run).toMatchObject({ found: 6, downloaded: 3, failed: 0, filtered: 3, duplicates: 0 });
    const lied = h.sim.requests().filter((r) => r.fault === 'lie-size');
    expect(lied).toHaveLength(3);
    expect(mediaRequests('pexels')).toHaveLength(6);
    expect(report.failures).toEqual([]);
    for (const item of report.items) expect(item.width).toBeGreaterThanOrEqual(50);
    const saved = new Set(report.items.map((item) => item.url));
    for (const request of lied) expect(saved.has(`${h.sim.url}${request.path}`)).toBe(false);
    // Nothing of the dropped files: no temp file, no library file, no manifest line.
    const { files, manifest } = await library();
    expect(files).toHaveLength(3);
    expect(manifest).toHaveLength(3);
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
  });

  it('a filter no file meets ends the source done with nothing downloaded, not failed: --format jpeg on PNGs', async () => {
    const { job, report } = await runEngine(h, { query: 'cats', sources: 'openverse', limit: 3, filters: { format: 'jpeg' } });
    expect(job.status).toBe('completed');
    expect(report.sources[0]).toMatchObject({ status: 'done', found: 3, downloaded: 0, failed: 0, filtered: 3, error: null });
    expect(mediaRequests('openverse')).toHaveLength(3);
    expect(await library()).toEqual({ files: [], manifest: [] });
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
  });
});

describe('a large file that fails a filter', () => {
  it('is dropped from its first bytes: a 190 MiB body is not read to its end', async () => {
    const size = 190 * 1024 * 1024;
    h.sim.setFaults([{ target: 'openverse:media', fault: 'oversized', size }]);
    const { report } = await runEngine(h, { query: 'cats', sources: 'openverse', limit: 2, filters: { format: 'webp' } });
    expect(report.sources[0]).toMatchObject({ status: 'done', found: 2, downloaded: 0, failed: 0, filtered: 2 });
    await h.sim.waitForClosed((r) => r.fault === 'oversized', 10_000);
    const sent = h.sim.requests().filter((r) => r.fault === 'oversized').map((r) => r.bytesSent);
    expect(sent).toHaveLength(2);
    for (const bytes of sent) expect(bytes).toBeLessThan(size / 8);
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
  });
});

describe('licences', () => {
  it('skips the sources that state no licences, with the reason, without searching them', async () => {
    const { report } = await runEngine(h, { query: 'cats', sources: 'google_images,bing_images,duckduckgo_images,openverse', limit: 3, filters: { license: 'commercial' } });
    for (const id of ['google_images', 'bing_images', 'duckduckgo_images']) {
      const run = report.sources.find((s) => s.source === id);
      expect(run).toMatchObject({ status: 'skipped', error: { code: 'TRAWL_FILTERED', message: `${id} states no licences; a licence filter is set` } });
      expect(h.sim.requests().filter((r) => r.source === id)).toEqual([]);
    }
    const openverse = report.sources.find((s) => s.source === 'openverse');
    expectAccounted(openverse);
    for (const item of report.items) expect(['cc0', 'pdm', 'cc-by', 'cc-by-sa', 'cc-by-nd']).toContain(item.licenseCode);
  });

  it('keeps the candidates whose licence code is in the list; one with another code or none is never requested', async () => {
    const codes = ['cc0', 'cc-by-nc', null, 'cc-by-sa'] as const;
    const page = codes.map((licenseCode, i): Candidate => ({
      source: 'nasa', kind: 'image', url: `${h.sim.url}/media/nasa/licensed-${i + 1}.png`, pageUrl: null, title: `licensed ${i + 1}`,
      author: null, authorUrl: null, license: licenseCode, licenseUrl: null, licenseCode, width: null, height: null,
    }));
    const stating: Source = {
      ...SOURCES.nasa,
      statesLicenses: true,
      // One page, as a source whose service states a licence per item would give it.
      async *search() {
        yield await Promise.resolve(page);
      },
    };
    const { report } = await runEngine(h, { query: 'cats', sources: 'nasa', filters: { license: 'commercial' } }, { sources: [stating] });
    expect(report.sources[0]).toMatchObject({ status: 'done', found: 4, downloaded: 2, filtered: 2 });
    expect(report.items.map((item) => item.licenseCode).sort()).toEqual(['cc-by-sa', 'cc0']);
    expect(mediaRequests('nasa').sort()).toEqual(['/media/nasa/licensed-1.png', '/media/nasa/licensed-4.png']);
  });
});

describe('trawl fetch', () => {
  it('takes the filter flags, shows filtered counts, and reports the filters in --json', async () => {
    h.sim.setFaults([{ target: 'pexels:media', fault: 'lie-size', width: 20, height: 20, times: 2 }]);
    const args = ['fetch', 'cats', '--sources', 'pexels', '--limit', '4', '--min-width', '60', '--license', 'pexels,cc0', '--format', 'png', '--safe-search', 'off', '--json'];
    const result = await runCli(args, h);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as JobReport;
    expect(report.filters).toEqual({ minWidth: 60, minHeight: null, orientation: null, license: ['cc0', 'pexels'], safeSearch: false, format: ['png'] });
    expectAccounted(report.sources[0]);
    expect(report.sources[0]?.filtered).toBeGreaterThanOrEqual(2);
    const plain = await runCli(['fetch', 'dogs', '--sources', 'pexels', '--limit', '2', '--min-width', '5000'], h);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/pexels +done: 2 found, 0 saved, 0 failed, 2 filtered/);
  });
});

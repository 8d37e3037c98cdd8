/**
 * The keyed open-licence sources (Flickr, Europeana) through the real engine and HTTP client
 * against the simulator: only works marked free to reuse are saved, each with its licence code,
 * and a missing key ends the source `skipped` naming the variable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, runEngine, startHarness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ itemsPerQuery: 20 });
});
afterAll(async () => {
  await h.close();
});

describe('flickr', () => {
  it('saves open-licensed photos with their licence, author and page, asking Flickr for the open licence ids only', async () => {
    const { job, report } = await runEngine(h, { query: 'aurora', sources: 'flickr', limit: 6 });
    expect(job.status).toBe('completed');
    expect(report.sources.map((s) => [s.source, s.status, s.downloaded])).toEqual([['flickr', 'done', 6]]);
    for (const item of report.items) {
      expect(['cc-by', 'cc-by-sa', 'cc-by-nc', 'cc-by-nc-sa', 'cc0', 'pdm']).toContain(item.licenseCode);
      expect(item.license).toBeTruthy();
      expect(item.author).toBeTruthy();
      expect(item.pageUrl).toMatch(/^https:\/\/www\.flickr\.com\/photos\/[^/]+\/\d+\/$/);
      expect(item.width).toBeGreaterThan(0);
    }
    const searches = h.sim.requests().filter((r) => r.source === 'flickr' && r.target === 'api');
    expect(searches.length).toBeGreaterThan(0);
    for (const r of searches) expect(new URL(r.path, h.sim.url).searchParams.get('license')).toBe('1,2,3,4,5,6,9,10,11,12,13,14,15,16');
  });

  it('narrows the search to the licence filter', async () => {
    const { report } = await runEngine(h, { query: 'fjord', sources: 'flickr', limit: 3, filters: { license: 'cc0,pdm' } });
    expect(report.items.length).toBe(3);
    expect(new Set(report.items.map((i) => i.licenseCode))).toEqual(new Set(['cc0', 'pdm']));
  });

  it('is skipped, naming FLICKR_API_KEY, when the key is missing', async () => {
    const { job, report } = await runEngine(h, { query: 'aurora', sources: 'flickr,openverse', limit: 2 }, { env: { FLICKR_API_KEY: '' } });
    expect(job.status).toBe('completed');
    const flickr = report.sources.find((s) => s.source === 'flickr');
    expect(flickr?.status).toBe('skipped');
    expect(flickr?.error?.message).toMatch(/FLICKR_API_KEY/);
  });
});

describe('europeana', () => {
  it('saves open items only, with their rights, author and item page, and never keeps the key', async () => {
    const { job, report } = await runEngine(h, { query: 'vermeer', sources: 'europeana', limit: 6 });
    expect(job.status).toBe('completed');
    expect(report.sources.map((s) => [s.source, s.status, s.downloaded])).toEqual([['europeana', 'done', 6]]);
    for (const item of report.items) {
      expect(['pdm', 'cc0', 'cc-by', 'cc-by-sa']).toContain(item.licenseCode);
      expect(item.licenseUrl).toMatch(/^http:\/\/creativecommons\.org\//);
      expect(item.author).toBeTruthy();
      expect(item.pageUrl).toMatch(/\/item\/9200\d\/\d+$/);
      expect(item.width).toBeGreaterThan(0);
    }
    expect(JSON.stringify(report)).not.toContain('sim-europeana-key');
    const searches = h.sim.requests().filter((r) => r.source === 'europeana' && r.target === 'api');
    expect(searches.length).toBeGreaterThan(0);
    for (const r of searches) expect(r.path).not.toContain('sim-europeana-key');
  });

  it('is skipped, naming EUROPEANA_API_KEY, when the key is missing', async () => {
    const { report } = await runEngine(h, { query: 'vermeer', sources: 'europeana,openverse', limit: 2 }, { env: { EUROPEANA_API_KEY: '' } });
    const europeana = report.sources.find((s) => s.source === 'europeana');
    expect(europeana?.status).toBe('skipped');
    expect(europeana?.error?.message).toMatch(/EUROPEANA_API_KEY/);
  });
});

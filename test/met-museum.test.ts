/**
 * The Met's open-access collection through the real engine and HTTP client, against the
 * simulator: only public-domain works are downloaded, each CC0 with its record's page, title and
 * credit; the object reads stay within their bound; a licence filter without cc0 asks nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, leftoverTempFiles, runEngine, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ itemsPerQuery: 20 });
});
afterEach(async () => {
  await h.close();
});

const metRequests = (target: 'api' | 'media'): string[] => h.sim.requests().filter((r) => r.source === 'met_museum' && r.target === target).map((r) => r.path);

describe('met_museum harvest', () => {
  it('downloads public-domain works only, each CC0 with its page, title, credit and size', async () => {
    const { report } = await runEngine(h, { query: 'sunflowers', sources: 'met_museum', limit: 4 });

    expect(report.sources.map((s) => [s.source, s.status, s.downloaded])).toEqual([['met_museum', 'done', 4]]);
    for (const item of report.items) {
      expect(item).toMatchObject({ source: 'met_museum', kind: 'image', licenseCode: 'cc0', contentType: 'image/png' });
      expect(item.license).toMatch(/^CC0 1\.0/);
      expect(item.pageUrl).toMatch(/\/art\/collection\/search\/\d+$/);
      expect(item.title).toBeTruthy();
      expect(item.author).toBeTruthy();
      expect(item.width).toBeGreaterThan(0);
    }
    // Index 2 of the simulated results is in copyright: read, never downloaded, and one read beyond need.
    const api = metRequests('api');
    expect(api[0]).toMatch(/^\/public\/collection\/v1\.1\/search\?q=sunflowers&hasImages=true&isPublicDomain=true&offset=0&limit=8$/);
    expect(api.filter((p) => p.startsWith('/public/collection/v1/objects/'))).toHaveLength(5);
    expect(metRequests('media').map((p) => p.replace(/\?.*$/, '')).sort()).toEqual(report.items.map((i) => new URL(i.url).pathname).sort());
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
  });

  it('asks nothing when the licence filter leaves out cc0', async () => {
    const { report } = await runEngine(h, { query: 'sunflowers', sources: 'met_museum', limit: 4, filters: { license: 'cc-by' } });
    expect(report.items).toEqual([]);
    expect(report.sources[0]?.status).toBe('done');
    expect(metRequests('api')).toEqual([]);
  });
});

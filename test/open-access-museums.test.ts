/**
 * The open-access museum sources through the real engine and HTTP client against the simulator:
 * only works the museum marks free to reuse are downloaded, each saved with its CC0 code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, runEngine, startHarness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ itemsPerQuery: 12 });
});
afterAll(async () => {
  await h.close();
});

describe('art_institute_chicago', () => {
  it('saves public-domain works as 843 px IIIF images with their CC0 code, and downloads nothing else', async () => {
    const { job, report } = await runEngine(h, { query: 'lilies', sources: 'art_institute_chicago', limit: 5 });
    expect(job.status).toBe('completed');
    expect(report.sources.map((s) => [s.source, s.status, s.downloaded])).toEqual([['art_institute_chicago', 'done', 5]]);
    for (const item of report.items) {
      expect(item).toMatchObject({ source: 'art_institute_chicago', kind: 'image', licenseCode: 'cc0', width: 843 });
      expect(item.pageUrl).toMatch(/\/artworks\/\d+$/);
      expect(item.author).toBeTruthy();
    }
    const images = h.sim.requests().filter((r) => r.source === 'art_institute_chicago' && r.path.startsWith('/iiif/'));
    expect(images).toHaveLength(5);
    expect(new Set(images.map((r) => r.path)).size).toBe(5);
  });

  it('asks nothing when the licence filter leaves out CC0', async () => {
    const before = h.sim.requests().length;
    const { report } = await runEngine(h, { query: 'lilies', sources: 'art_institute_chicago', limit: 2, filters: { license: 'cc-by' } });
    expect(report.items).toEqual([]);
    expect(h.sim.requests().slice(before).filter((r) => r.source === 'art_institute_chicago')).toEqual([]);
  });
});

describe('cleveland_museum', () => {
  it('saves CC0 works with their code, and downloads no other image', async () => {
    const { job, report } = await runEngine(h, { query: 'lilies', sources: 'cleveland_museum', limit: 5 });
    expect(job.status).toBe('completed');
    expect(report.sources.map((s) => [s.source, s.status, s.downloaded])).toEqual([['cleveland_museum', 'done', 5]]);
    for (const item of report.items) {
      expect(item).toMatchObject({ source: 'cleveland_museum', kind: 'image', licenseCode: 'cc0', contentType: 'image/png' });
      expect(item.pageUrl).toMatch(/\/art\/\d+\.\d+$/);
    }
    const media = h.sim.requests().filter((r) => r.source === 'cleveland_museum' && r.target === 'media');
    expect(media).toHaveLength(5);
    expect(media.every((r) => /-(print|web)\.png$/.test(r.path))).toBe(true);
  });

  it('asks nothing when the licence filter leaves out CC0', async () => {
    const before = h.sim.requests().length;
    const { report } = await runEngine(h, { query: 'lilies', sources: 'cleveland_museum', limit: 2, filters: { license: 'cc-by' } });
    expect(report.items).toEqual([]);
    expect(h.sim.requests().slice(before).filter((r) => r.source === 'cleveland_museum')).toEqual([]);
  });
});

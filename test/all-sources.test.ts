/**
 * Every source at once, through the real engine and HTTP client, against the simulator: each
 * answers in its real shape, and every item carries its attribution where the source gives one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_IDS } from '../src/domain.js';
import type { JobReport } from '../src/services/report.js';
import { type Harness, leftoverTempFiles, runEngine, startHarness } from './support/harness.js';

const VIDEO_SOURCES = ['pexels', 'pixabay', 'wikimedia_commons', 'nasa'];
/** Sources whose service names a licence for every item (scrapers do not know one). */
const LICENSED = ['pexels', 'pixabay', 'unsplash', 'openverse', 'wikimedia_commons', 'nasa', 'flickr', 'europeana', 'met_museum', 'art_institute_chicago', 'cleveland_museum'];
/** Sources whose service names the author for every item in the simulator's data. */
const AUTHORED = ['pexels', 'pixabay', 'unsplash', 'wikimedia_commons', 'flickr', 'europeana', 'met_museum', 'art_institute_chicago'];

let h: Harness;
let report: JobReport;
beforeAll(async () => {
  h = await startHarness({ itemsPerQuery: 10 });
  ({ report } = await runEngine(h, { query: 'aurora', sources: SOURCE_IDS.join(','), type: 'all', limit: 3 }));
});
afterAll(async () => {
  await h.close();
});

describe('a job across all sources, images and videos', () => {
  it('completes with every source done', () => {
    expect(report.status).toBe('completed');
    expect(report.sources.map((s) => [s.source, s.status])).toEqual(SOURCE_IDS.map((id) => [id, 'done']));
    expect(report.failures).toEqual([]);
  });

  it('gets images from every source and videos from the four video sources', () => {
    for (const id of SOURCE_IDS) {
      const items = report.items.filter((i) => i.source === id);
      expect(items.filter((i) => i.kind === 'image').length, `${id} images`).toBe(3);
      expect(items.filter((i) => i.kind === 'video').length, `${id} videos`).toBe(VIDEO_SOURCES.includes(id) ? 3 : 0);
    }
    expect(report.videos).toBe(12);
    expect(report.items.filter((i) => i.kind === 'video').every((i) => /^video\/(mp4|webm)$/.test(i.contentType))).toBe(true);
  });

  it('carries the source page on every item, and licence and author where the source gives them', () => {
    for (const item of report.items) {
      expect(item.pageUrl, `${item.source} pageUrl`).toMatch(/^https?:\/\//);
      if (LICENSED.includes(item.source)) expect(item.license, `${item.source} license`).toBeTruthy();
      if (AUTHORED.includes(item.source)) expect(item.author, `${item.source} author`).toBeTruthy();
      // Image sizes are read from the file itself; video sizes only where the source states them.
      if (item.kind === 'image') expect(item.width, `${item.source} width`).toBeGreaterThan(0);
    }
  });

  it('reports each Unsplash photo it downloaded to Unsplash, and leaves nothing partial', async () => {
    const tracked = h.sim.requests().filter((r) => r.source === 'unsplash' && r.path.includes('/download'));
    expect(tracked.length).toBe(report.items.filter((i) => i.source === 'unsplash').length);
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
  });
});

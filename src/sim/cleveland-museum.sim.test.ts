import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clevelandMuseumSource } from '../sources/cleveland-museum.source.js';
import type { SourceContext } from '../sources/source.js';
import { fetchMedia, type LiveSim, searchAll, startLiveSim } from './live-source.test-helper.js';

// The real Cleveland Museum of Art adapter, through the real HTTP client, against the simulated API.

let live: LiveSim;
let context: SourceContext;
beforeAll(async () => {
  live = await startLiveSim({ itemsPerQuery: 30 });
  context = live.context();
});
afterAll(() => live.close());

describe('cleveland_museum against the simulator', () => {
  it('finds CC0 works only, each a downloadable print (or web) image of the size it declared', async () => {
    const candidates = (await searchAll(clevelandMuseumSource, context, { query: 'water lilies', kind: 'image', limit: 12 })).flat();
    expect(candidates).toHaveLength(12);
    for (const c of candidates) {
      expect(c).toMatchObject({ source: 'cleveland_museum', kind: 'image', licenseCode: 'cc0', licenseUrl: 'https://creativecommons.org/publicdomain/zero/1.0/' });
      expect(c.url).toMatch(new RegExp(`^${live.sim.url}/media/cleveland_museum/water-lilies-\\d+-(print|web)\\.png$`));
      expect(c.pageUrl).toMatch(new RegExp(`^${live.sim.url}/art/\\d+\\.\\d+$`));
      expect(c.title).toMatch(/^Water lilies \d+$/);
    }
    // The simulated museum holds every third work in copyright (the 2nd, 5th, …): none is given.
    const numbers = candidates.map((c) => Number(/-(\d+)-(?:print|web)\.png$/.exec(c.url)?.[1]) - 1);
    expect(numbers.filter((i) => i % 3 === 1)).toEqual([]);
    // Works without a print image fall back to the web one.
    expect(candidates.filter((c) => c.url.endsWith('-web.png')).length).toBeGreaterThan(0);
    for (const c of candidates.slice(0, 4)) {
      const file = await fetchMedia(context, c.url);
      expect(file.status).toBe(200);
      expect(imageSize(file.bytes)).toMatchObject({ width: c.width, height: c.height });
    }
  });

  it('pages by skip through every CC0 work with an image, then stops', async () => {
    const before = live.sim.requests().length;
    const candidates = (await searchAll(clevelandMuseumSource, context, { query: 'wave', kind: 'image', limit: 500 })).flat();
    const api = live.sim.requests().slice(before).filter((r) => r.source === 'cleveland_museum');
    // 30 works, 20 of them CC0, 18 of those with an image: all of them, in one page of 100.
    expect(candidates).toHaveLength(18);
    expect(api.map((r) => new URL(r.path, live.sim.url).searchParams.toString())).toEqual(['q=wave&has_image=1&cc0=1&limit=100&skip=0']);
  });
});

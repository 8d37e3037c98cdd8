import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candidate } from '../domain.js';
import { isTrawlError } from '../errors.js';
import { bingImagesSource } from '../sources/bing-images.source.js';
import type { SourceContext } from '../sources/source.js';
import { expectPngAsReported, type LiveSim, searchAll, startLiveSim } from './live-source.test-helper.js';

// The real Bing adapter, through the real HTTP client, against the simulated /images/async markup.

let live: LiveSim;
let context: SourceContext;
beforeAll(async () => {
  live = await startLiveSim({ itemsPerQuery: 50 });
  context = live.context();
});
afterAll(() => live.close());

const harvest = (query: string, limit: number): Promise<Candidate[][]> => searchAll(bingImagesSource, context, { query, kind: 'image', limit });

describe('bing_images against the simulator', () => {
  it('pages with first/count to the limit, every tile read, sized and downloadable', async () => {
    const before = live.sim.requests().length;
    const pages = await harvest('red fox', 40);
    const candidates = pages.flat();
    expect(candidates).toHaveLength(40);
    expect(new Set(candidates.map((c) => c.url)).size).toBe(40);
    const searches = live.sim.requests().slice(before).filter((r) => r.path.startsWith('/images/async?'));
    expect(searches.map((r) => new URLSearchParams(r.path.split('?')[1]).get('first'))).toEqual(['1', '36']);
    for (const [i, c] of candidates.entries()) {
      expect(c).toMatchObject({ source: 'bing_images', kind: 'image', url: `${live.sim.url}/media/bing_images/red-fox-${i + 1}.png`, license: null });
      expect(c.pageUrl?.startsWith(`${live.sim.url}/pages/red-fox/`)).toBe(true);
      expect(c.title).toMatch(/^Red fox( & "friends")? (picture )?\d+$/);
      expect(c.width).not.toBeNull();
    }
    for (const c of candidates.slice(0, 4)) await expectPngAsReported(context, c);
  });

  it('ends at the empty body past the last result, and finds nothing for "nothing"', async () => {
    expect((await harvest('owls', 80)).flat()).toHaveLength(50);
    expect(await harvest('nothing', 10)).toEqual([]);
  });

  it('reports a 429 from Bing as TRAWL_RATE_LIMITED', async () => {
    live.sim.setFaults([{ target: 'bing_images', fault: 'rate-limit', retryAfter: '3600' }]);
    try {
      const error = await harvest('cats', 5).catch((err: unknown) => err);
      expect(isTrawlError(error, 'TRAWL_RATE_LIMITED') && error.message).toMatch(/^bing_images: the service is rate-limiting/);
    } finally {
      live.sim.clearFaults();
    }
  });
});

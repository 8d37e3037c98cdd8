import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArtInstituteChicagoSource } from '../sources/art-institute-chicago.source.js';
import type { SourceContext } from '../sources/source.js';
import { fetchMedia, type LiveSim, searchAll, startLiveSim } from './live-source.test-helper.js';

// The real Art Institute of Chicago adapter, through the real HTTP client, against the simulated API
// and its IIIF image server.

const source = createArtInstituteChicagoSource({ pageDelay: { minMs: 0, maxMs: 0 } });
let live: LiveSim;
let context: SourceContext;
beforeAll(async () => {
  live = await startLiveSim({ itemsPerQuery: 30 });
  context = live.context({ TRAWL_USER_AGENT: 'Trawl-sim-test (ops@example.org)' });
});
afterAll(() => live.close());

describe('art_institute_chicago against the simulator', () => {
  it('finds public-domain works only, each a downloadable 843 px IIIF image of the size it declared', async () => {
    const candidates = (await searchAll(source, context, { query: 'water lilies', kind: 'image', limit: 12 })).flat();
    expect(candidates).toHaveLength(12);
    for (const c of candidates) {
      expect(c).toMatchObject({ source: 'art_institute_chicago', kind: 'image', licenseCode: 'cc0', licenseUrl: 'https://creativecommons.org/publicdomain/zero/1.0/' });
      expect(c.url).toMatch(new RegExp(`^${live.sim.url}/iiif/2/[0-9a-f-]{36}/full/843,/0/default\\.jpg$`));
      expect(c.pageUrl).toMatch(new RegExp(`^${live.sim.url}/artworks/\\d+$`));
      expect(c.title).toMatch(/^Water lilies \d+$/);
      expect(c.author).not.toBeNull();
    }
    // The simulated museum holds every third work in copyright (ids 100001, 100004, …): none is given.
    const ids = candidates.map((c) => Number(c.pageUrl?.split('/').pop()) - 100_000);
    expect(ids.filter((i) => i % 3 === 1)).toEqual([]);
    // Works without an image (every tenth, from the 7th) are left out too.
    expect(ids).not.toContain(6);
    const sized = candidates.filter((c) => c.width !== null);
    expect(sized.length).toBeGreaterThan(0);
    for (const c of [...sized.slice(0, 2), ...candidates.filter((c) => c.width === null).slice(0, 1)]) {
      const file = await fetchMedia(context, c.url);
      expect(file.status).toBe(200);
      const size = imageSize(file.bytes);
      expect(size.width).toBe(843);
      if (c.height !== null) expect(size.height).toBe(c.height);
    }
  });

  it('asks with the AIC-User-Agent header the museum wants, within its page limits', async () => {
    const before = live.sim.requests().length;
    const candidates = (await searchAll(source, context, { query: 'wave', kind: 'image', limit: 150 })).flat();
    const api = live.sim.requests().slice(before).filter((r) => r.source === 'art_institute_chicago' && r.path.startsWith('/api/'));
    // 30 works, 20 of them public domain, 18 with an image: all of them, in one page of 100.
    expect(candidates).toHaveLength(18);
    expect(api).toHaveLength(1);
    expect(api[0]?.headers['aic-user-agent']).toBe('Trawl-sim-test (ops@example.org)');
    expect(new URL(api[0]?.path ?? '', live.sim.url).searchParams.get('limit')).toBe('100');
  });
});

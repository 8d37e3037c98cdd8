import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candidate, MediaKind } from '../domain.js';
import { nasaSource } from '../sources/nasa.source.js';
import type { SourceContext } from '../sources/source.js';
import { fetchMedia, type LiveSim, searchAll, startLiveSim } from './live-source.test-helper.js';

// The real NASA adapter, through the real HTTP client, against the simulated library.

let live: LiveSim;
let context: SourceContext;
beforeAll(async () => {
  live = await startLiveSim({ itemsPerQuery: 30 });
  context = live.context();
});
afterAll(() => live.close());

const harvest = (query: string, kind: MediaKind, limit: number): Promise<Candidate[][]> => searchAll(nasaSource, context, { query, kind, limit });

/** Downloads a media URL that must answer 200; returns its content type and bytes. */
async function download(url: string): Promise<{ type: string; bytes: Buffer }> {
  const file = await fetchMedia(context, url);
  expect(file.status).toBe(200);
  return { type: file.type ?? '', bytes: file.bytes };
}

describe('nasa against the simulator', () => {
  it('finds images with every field filled, each the best rendition of its manifest and downloadable', async () => {
    const candidates = (await harvest('moon landing', 'image', 12)).flat();
    expect(candidates).toHaveLength(12);
    for (const c of candidates) {
      expect(c).toMatchObject({ source: 'nasa', kind: 'image' });
      expect(c.licenseUrl).toMatch(/^https:\/\/www\.nasa\.gov\//);
      expect(c.url.startsWith(`${live.sim.url}/media/nasa/`)).toBe(true);
      expect(c.url).toMatch(/~(orig|large)\.png$/);
      expect(c.pageUrl).toMatch(/^https:\/\/images\.nasa\.gov\/details\//);
      expect(c.title).toMatch(/^Moon landing mission image/);
      expect(c.author).not.toBeNull();
      expect(c.license).not.toBeNull();
    }
    // Every fourth item has no ~orig, and an id with a space arrives percent-encoded.
    expect(candidates.filter((c) => c.url.endsWith('~large.png')).length).toBeGreaterThan(0);
    expect(candidates.some((c) => c.url.includes('%20'))).toBe(true);
    expect(candidates.some((c) => /third-party/i.test(c.license ?? ''))).toBe(true);
    const sized = candidates.filter((c) => c.width !== null);
    expect(sized.length).toBeGreaterThan(0);
    for (const c of [...sized.slice(0, 2), candidates[5] as Candidate]) {
      const { type, bytes } = await download(c.url);
      expect(type).toBe('image/png');
      if (c.width !== null) expect(imageSize(bytes)).toMatchObject({ width: c.width, height: c.height });
    }
  });

  it('finds videos as the ~orig MP4, never a playlist or captions', async () => {
    const candidates = (await harvest('launch', 'video', 3)).flat();
    expect(candidates).toHaveLength(3);
    for (const c of candidates) expect(c.url).toMatch(new RegExp(`^${live.sim.url}/media/nasa/launch-video-\\d+~orig\\.mp4$`));
    const { type, bytes } = await download(candidates[0]?.url ?? '');
    expect(type).toBe('video/mp4');
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
  });

  it('skips an item whose manifest fails and pages on to reach the limit; finds nothing for "nothing"', async () => {
    live.sim.setFaults([{ target: '/image/mars-3/collection.json', fault: 'server-error', status: 404 }]);
    const before = live.sim.requests().length;
    try {
      const candidates = (await harvest('mars', 'image', 25)).flat();
      expect(candidates).toHaveLength(25);
      expect(candidates.some((c) => c.url.includes('/mars-3~'))).toBe(false);
      const searches = live.sim.requests().slice(before).filter((r) => r.path.startsWith('/search?'));
      expect(searches.map((r) => new URLSearchParams(r.path.split('?')[1]).get('page'))).toEqual(['1', '2']);
    } finally {
      live.sim.clearFaults();
    }
    expect(await harvest('nothing', 'image', 5)).toEqual([]);
  });
});

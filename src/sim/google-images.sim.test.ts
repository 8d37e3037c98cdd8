import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candidate } from '../domain.js';
import { TrawlError } from '../errors.js';
import { googleImagesSource } from '../sources/google-images.source.js';
import type { SourceContext } from '../sources/source.js';
import { expectPngAsReported, type LiveSim, searchAll, startLiveSim } from './live-source.test-helper.js';
import { MediaLibrary } from './media.js';
import { googleImagesRoute } from './routes/google-images.sim.js';
import { resolveSettings } from './settings.js';

// The real Google Images adapter, through the real HTTP client, against the simulated results page.

let live: LiveSim;
beforeAll(async () => (live = await startLiveSim()));
afterAll(() => live.close());

const harvest = (ctx: SourceContext, query: string, limit: number): Promise<Candidate[][]> => searchAll(googleImagesSource, ctx, { query, kind: 'image', limit });

describe('google_images against the simulator', () => {
  it('pages by start to the limit, every result with its page, title and real size, its file downloadable', async () => {
    const ctx = live.context();
    const pages = await harvest(ctx, 'big cats', 30);
    expect(pages.map((p) => p.length)).toEqual([20, 10]);
    const found = pages.flat();
    const searches = live.sim.requests().filter((r) => r.source === 'google_images' && r.target === 'api');
    expect(searches.map((r) => new URL(r.path, live.sim.url).searchParams.get('start'))).toEqual([null, '20']);

    // The page escapes = and & as \u003d and \u0026; what comes back is the plain URL.
    expect(found[0]?.url).toBe(`${live.sim.url}/media/google_images/big-cats-1.png?size=full&n=1`);
    expect(found[1]?.title).toMatch(/^Big cats & "friends" 2 \| \S/);
    expect(found[6]?.title).toBeNull();
    for (const c of found) {
      expect(c).toMatchObject({ source: 'google_images', kind: 'image', license: null, author: null });
      expect(c.pageUrl).toMatch(new RegExp(`^${live.sim.url}/pages/[a-z0-9]+/big-cats-\\d+\\.html\\?ref=images&n=\\d+$`));
      expect(c.width).toBeGreaterThan(0);
      expect(c.height).toBeGreaterThan(0);
    }
    expect(found.filter((c) => c.title === null)).toHaveLength(3);

    for (const c of [found[0], found[25]]) await expectPngAsReported(ctx, c);
  });

  it('gives nothing, without error, for a query Google has no images for', async () => {
    expect(await harvest(live.context(), 'nothing', 10)).toEqual([]);
  });

  it('reports a 429 that asks to wait an hour as TRAWL_RATE_LIMITED, with the quota exhausted until then', async () => {
    live.sim.addFault({ target: 'google_images', fault: 'rate-limit', retryAfter: '3600', times: 1 });
    const ctx = live.context();
    const error = await harvest(ctx, 'cats', 5).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TrawlError);
    expect((error as TrawlError).code).toBe('TRAWL_RATE_LIMITED');
    expect((error as TrawlError).message).toContain('google_images: the service is rate-limiting requests (HTTP 429) and asked to wait 1h');
    expect(Date.parse(ctx.quotas[0]?.resetAt ?? '') - Date.now()).toBeGreaterThan(3_500_000);
  });

  it("answers only image searches at /search, leaving NASA's /search alone", () => {
    const route = googleImagesRoute.create({ settings: resolveSettings({}), media: new MediaLibrary({ imageBytes: 24_000, videoBytes: 200_000 }) });
    expect(route.matches(new URL(`${live.sim.url}/search?q=cats&tbm=isch`))).toBe(true);
    expect(route.matches(new URL(`${live.sim.url}/search?q=cats&udm=2`))).toBe(true);
    expect(route.matches(new URL(`${live.sim.url}/search?q=moon&media_type=image`))).toBe(false);
  });
});

import { fileTypeFromBuffer } from 'file-type';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candidate } from '../domain.js';
import { isTrawlError } from '../errors.js';
import { pixabaySource } from '../sources/pixabay.source.js';
import type { SourceContext } from '../sources/source.js';
import { expectPngAsReported, fetchMedia, type LiveSim, searchAll, startLiveSim } from './live-source.test-helper.js';

// The real Pixabay adapter, through the real HTTP client, against the simulated Pixabay API.

let live: LiveSim;
beforeAll(async () => (live = await startLiveSim({ itemsPerQuery: 300 })));
afterAll(() => live.close());

const harvest = (ctx: SourceContext, query: string, kind: 'image' | 'video', limit: number): Promise<Candidate[][]> => searchAll(pixabaySource, ctx, { query, kind, limit });

const apiRequests = (query: string) => live.sim.requests().filter((r) => r.source === 'pixabay' && r.target === 'api' && r.path.includes(`q=${query}`));

describe('pixabay against the simulator', () => {
  it('finds images with page, title, author and licence, downloadable at the size it reports', async () => {
    const ctx = live.context();
    const candidates = (await harvest(ctx, 'apples', 'image', 4)).flat();
    expect(candidates).toHaveLength(4);
    expect(candidates[0]?.url).toBe(`${live.sim.url}/media/pixabay/apples-1.png`);
    for (const candidate of candidates) {
      expect(candidate).toMatchObject({ source: 'pixabay', kind: 'image', license: 'Pixabay Content License', licenseUrl: 'https://pixabay.com/service/license-summary/' });
      expect(candidate.pageUrl).toMatch(new RegExp(`^${live.sim.url}/photos/apples-[a-z-]+-\\d+/$`));
      expect(candidate.title).toMatch(/^apples, /);
      expect(candidate.author).toMatch(/^[A-Za-z0-9]+$/);
      expect(candidate.authorUrl).toMatch(new RegExp(`^https://pixabay\\.com/users/${candidate.author ?? ''}-\\d+/$`));
      await expectPngAsReported(ctx, candidate);
    }
    // The key travels as a parameter, never as a header; per_page is at least 3 even for 4 wanted.
    const [request] = apiRequests('apples');
    expect(request?.path).toMatch(/^\/api\/\?key=sim-pixabay-key&q=apples&page=1&per_page=4&safesearch=true$/);
    expect(request?.headers.authorization).toBeUndefined();
    expect(ctx.quotas[0]).toMatchObject({ limit: 100 });
  });

  it('pages 200 at a time until the limit, reporting the shrinking quota', async () => {
    const ctx = live.context();
    const pages = await harvest(ctx, 'forest', 'image', 250);
    expect(pages.map((p) => p.length)).toEqual([200, 50]);
    expect(new Set(pages.flat().map((c) => c.url)).size).toBe(250);
    expect(apiRequests('forest').map((r) => new URL(r.path, live.sim.url).searchParams.get('page'))).toEqual(['1', '2']);
    const [first, second] = ctx.quotas;
    expect(second?.remaining).toBe((first?.remaining ?? 0) - 1);
    expect(Date.parse(second?.resetAt ?? '') - Date.now()).toBeLessThanOrEqual(61_000);
  });

  it('picks the largest MP4 of each video, old format and missing "large" included, and the files are real videos', async () => {
    const ctx = live.context();
    const videos = (await harvest(ctx, 'waves', 'video', 4)).flat();
    expect(videos.map((v) => [v.width, v.height])).toEqual([
      [3840, 2160],
      [3840, 2160],
      [2560, 1440], // the third video has no large rendition
      [3840, 2160],
    ]);
    expect(videos[3]?.url).toMatch(/-large-3840x2160\.mp4\?width=3840&hash=[0-9a-f]+$/); // the old format
    for (const video of videos) {
      expect(video).toMatchObject({ kind: 'video', license: 'Pixabay Content License' });
      expect(video.pageUrl).toMatch(new RegExp(`^${live.sim.url}/videos/`));
      const file = await fetchMedia(ctx, video.url);
      expect(file.type).toBe('video/mp4');
      expect(await fileTypeFromBuffer(file.bytes)).toEqual({ ext: 'mp4', mime: 'video/mp4' });
    }
  });

  it('yields nothing for a query without results', async () => {
    expect(await harvest(live.context(), 'nothing', 'image', 10)).toEqual([]);
  });

  it('reports a wrong key (Pixabay answers 400) as TRAWL_AUTH without echoing the key', async () => {
    const error = await harvest(live.context({ PIXABAY_API_KEY: 'wrong-key-123' }), 'cats', 'image', 5).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_AUTH')).toBe(true);
    expect((error as Error).message).not.toContain('wrong-key-123');
  });

  it('ends as TRAWL_RATE_LIMITED when the service keeps answering 429, or asks to wait beyond the budget', async () => {
    for (const retryAfter of ['0', '3600']) {
      live.sim.setFaults([{ target: 'pixabay', fault: 'rate-limit', retryAfter }]);
      try {
        const ctx = live.context();
        const error = await harvest(ctx, 'cats', 'image', 5).catch((err: unknown) => err);
        expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
        expect((error as Error).message).toMatch(/^pixabay: the service is rate-limiting requests \(HTTP 429\)/);
        expect((error as Error).message).not.toContain('sim-pixabay-key');
        expect(ctx.quotas.at(-1)?.remaining).toBe(0);
      } finally {
        live.sim.clearFaults();
      }
    }
  });

  it('refuses out-of-range per_page and pages like the real API, with a plain-text error', async () => {
    const base = `${live.sim.url}/api/?key=sim-pixabay-key&q=cats`;
    for (const query of ['&per_page=2', '&per_page=201', '&per_page=200&page=3']) {
      const res = await fetch(`${base}${query}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/^\[ERROR 400\] "(per_page|page)" is out of valid range\.$/);
    }
    const ok = await fetch(`${base}&per_page=200&page=2`);
    expect(((await ok.json()) as { hits: unknown[] }).hits).toHaveLength(100);
  });
});

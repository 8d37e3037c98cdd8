import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candidate } from '../domain.js';
import { isTrawlError } from '../errors.js';
import type { SourceContext } from '../sources/source.js';
import { unsplashSource } from '../sources/unsplash.source.js';
import { expectPngAsReported, fetchMedia, type LiveSim, searchAll, startLiveSim } from './live-source.test-helper.js';

// The real Unsplash adapter, through the real HTTP client, against the simulated Unsplash API.

let live: LiveSim;
beforeAll(async () => (live = await startLiveSim()));
afterAll(() => live.close());

const harvest = (ctx: SourceContext, query: string, limit: number): Promise<Candidate[][]> => searchAll(unsplashSource, ctx, { query, kind: 'image', limit });

const pathOf = (url: string): string => {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
};

describe('unsplash against the simulator', () => {
  it('pages 30 at a time to the limit with the Client-ID header, every photo credited and licensed', async () => {
    const ctx = live.context();
    const pages = await harvest(ctx, 'mountains', 45);
    expect(pages.map((p) => p.length)).toEqual([30, 15]);
    const searches = live.sim.requests().filter((r) => r.path.startsWith('/search/photos?query=mountains'));
    expect(searches.map((r) => new URL(r.path, live.sim.url).searchParams.get('page'))).toEqual(['1', '2']);
    expect(searches.every((r) => r.headers.authorization === 'Client-ID sim-unsplash-key' && r.headers['accept-version'] === 'v1')).toBe(true);

    const photos = pages.flat();
    expect(new Set(photos.map((p) => p.url)).size).toBe(45);
    expect(photos[1]?.url).toMatch(new RegExp(`^${live.sim.url}/media/unsplash/mountains-2\\.png\\?`));
    for (const photo of photos) {
      expect(photo).toMatchObject({ source: 'unsplash', kind: 'image', license: 'Unsplash License', licenseUrl: 'https://unsplash.com/license' });
      expect(photo.pageUrl).toMatch(new RegExp(`^${live.sim.url}/photos/`));
      expect(photo.title).toMatch(/^Mountains/);
      expect(photo.author).toMatch(/^\S+ \S+/);
      expect(photo.authorUrl).toMatch(new RegExp(`^${live.sim.url}/@\\w+\\?utm_source=trawl&utm_medium=referral$`));
      expect(photo.sourceData?.downloadLocation).toMatch(new RegExp(`^${live.sim.url}/photos/[\\w-]{11}/download\\?ixid=`));
    }
    expect(ctx.quotas[0]).toMatchObject({ limit: 5000, resetAt: null });
  });

  it('makes the tracking call for exactly the photos downloaded, and each call succeeds', async () => {
    const ctx = live.context();
    const photos = (await harvest(ctx, 'lakes', 5)).flat();
    const downloaded = photos.slice(0, 3);
    for (const photo of downloaded) {
      await expectPngAsReported(ctx, photo);
      await unsplashSource.notifyDownloaded?.(photo, ctx);
    }
    const tracked = live.sim.requests().filter((r) => /^\/photos\/[\w-]{11}\/download\?/.test(r.path));
    const expected = downloaded.map((p) => pathOf(p.sourceData?.downloadLocation ?? ''));
    expect(tracked.filter((r) => expected.includes(r.path)).map((r) => r.path).sort()).toEqual([...expected].sort());
    for (const call of tracked.filter((r) => expected.includes(r.path))) {
      expect(call).toMatchObject({ method: 'GET', status: 200, source: 'unsplash' });
      expect(call.headers.authorization).toBe('Client-ID sim-unsplash-key');
    }
    const notDownloaded = photos.slice(3).map((p) => pathOf(p.sourceData?.downloadLocation ?? ''));
    expect(tracked.some((r) => notDownloaded.includes(r.path))).toBe(false);
  });

  it('answers the tracking call with the photo URL, and refuses it without the key (401) or for an unknown photo (404)', async () => {
    const ctx = live.context();
    const [photo] = (await harvest(ctx, 'rivers', 1)).flat();
    const location = photo?.sourceData?.downloadLocation ?? '';
    const tracked = await fetch(location, { headers: { authorization: 'Client-ID sim-unsplash-key' } });
    expect(tracked.status).toBe(200);
    const { url } = (await tracked.json()) as { url: string };
    expect((await fetchMedia(ctx, url)).type).toBe('image/png');
    expect((await fetch(location)).status).toBe(401);
    const unknown = location.replace(/\/photos\/[\w-]{11}\//, '/photos/AAAAAAAAAAA/');
    expect((await fetch(unknown, { headers: { authorization: 'Client-ID sim-unsplash-key' } })).status).toBe(404);
  });

  it('reports a wrong key (401) as TRAWL_AUTH', async () => {
    const error = await harvest(live.context({ UNSPLASH_ACCESS_KEY: 'wrong' }), 'cats', 5).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_AUTH')).toBe(true);
  });

  it('ends as TRAWL_RATE_LIMITED on a 403 "Rate Limit Exceeded" and on a 429 beyond the budget', async () => {
    for (const rule of [
      { target: 'unsplash', fault: 'server-error', status: 403 } as const,
      { target: 'unsplash', fault: 'rate-limit', retryAfter: '3600' } as const,
    ]) {
      live.sim.setFaults([rule]);
      try {
        const ctx = live.context();
        const error = await harvest(ctx, 'cats', 5).catch((err: unknown) => err);
        expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
        expect((error as Error).message).toMatch(/^unsplash: the service is rate-limiting requests \(HTTP (403|429)\)/);
        expect(ctx.quotas.at(-1)?.remaining).toBe(0);
      } finally {
        live.sim.clearFaults();
      }
    }
  });

  it('yields nothing for a query without results', async () => {
    expect(await harvest(live.context(), 'nothing', 10)).toEqual([]);
  });
});

import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTrawlError } from '../errors.js';
import { createMetMuseumSource } from '../sources/met-museum.source.js';
import type { SourceContext } from '../sources/source.js';
import { fetchMedia, type LiveSim, searchAll, startLiveSim } from './live-source.test-helper.js';

// The real Met adapter, through the real HTTP client, against the simulated collection.

const source = createMetMuseumSource({ pageDelay: { minMs: 0, maxMs: 0 } });
let live: LiveSim;
let context: SourceContext;
beforeAll(async () => {
  live = await startLiveSim({ itemsPerQuery: 30 });
  context = live.context();
});
afterAll(() => live.close());

const apiRequests = (): string[] => live.sim.requests().filter((r) => r.source === 'met_museum' && r.target === 'api').map((r) => r.path);

describe('met_museum against the simulator', () => {
  it('gives public-domain works only, CC0, each with its page, title and credit, and a downloadable image', async () => {
    const before = apiRequests().length;
    const candidates = (await searchAll(source, context, { query: 'sunflowers', kind: 'image', limit: 12 })).flat();
    expect(candidates).toHaveLength(12);
    for (const c of candidates) {
      expect(c).toMatchObject({ source: 'met_museum', kind: 'image', licenseCode: 'cc0', licenseUrl: 'https://creativecommons.org/publicdomain/zero/1.0/' });
      expect(c.url).toMatch(new RegExp(`^${live.sim.url}/media/met_museum/CRDImages/[a-z]+/original/DT\\d+\\.png$`));
      expect(c.pageUrl).toMatch(/\/art\/collection\/search\/\d+$/);
      expect(c.title).not.toBeNull();
      expect(c.author).not.toBeNull();
    }
    const file = await fetchMedia(context, candidates[0]?.url ?? '');
    expect(file.status).toBe(200);
    expect(imageSize(file.bytes).width).toBeGreaterThan(0);

    const sent = apiRequests().slice(before);
    expect(sent[0]).toMatch(/^\/public\/collection\/v1\.1\/search\?q=sunflowers&hasImages=true&isPublicDomain=true&offset=0&limit=24$/);
    // The simulated search lists in-copyright and withdrawn works too: they are read, never given.
    const reads = sent.filter((p) => p.startsWith('/public/collection/v1/objects/'));
    expect(reads.length).toBeGreaterThan(12);
    expect(reads.length).toBeLessThanOrEqual(24);
  });

  it('drops every work the simulated search lists that is in copyright or withdrawn', async () => {
    const before = apiRequests().length;
    const given = (await searchAll(source, context, { query: 'harbor', kind: 'image', limit: 8 })).flat();
    const reads = apiRequests().slice(before).filter((p) => p.includes('/objects/'));
    const records = await Promise.all(
      reads.map(async (p) => {
        const answer = await context.http.getJson<{ objectID: number; isPublicDomain: boolean }>(`${live.sim.url}${p}`, { signal: context.signal }).catch(() => null);
        return answer?.data ?? null;
      }),
    );
    expect(records.some((r) => r === null)).toBe(true);
    expect(records.some((r) => r?.isPublicDomain === false)).toBe(true);
    const free = records.filter((r) => r?.isPublicDomain === true).map((r) => String(r?.objectID));
    expect(given.map((c) => /\/search\/(\d+)$/.exec(c.pageUrl ?? '')?.[1])).toEqual(free);
  });

  it('reads a query with no match as no ids and ends without reading any object', async () => {
    const before = apiRequests().length;
    expect(await searchAll(source, context, { query: 'nothing', kind: 'image', limit: 5 })).toEqual([]);
    expect(apiRequests().slice(before)).toHaveLength(1);
  });

  it('ends with TRAWL_RATE_LIMITED when the firewall answers 403', async () => {
    live.sim.setFaults([{ target: 'met_museum', fault: 'server-error', status: 403 }]);
    try {
      const error = await searchAll(source, context, { query: 'sunflowers', kind: 'image', limit: 3 }).catch((e: unknown) => e);
      expect(isTrawlError(error, 'TRAWL_RATE_LIMITED') && error.message).toMatch(/^met_museum: the service is rate-limiting requests \(HTTP 403\)/);
    } finally {
      live.sim.setFaults([]);
    }
  });
});

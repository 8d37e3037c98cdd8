import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candidate } from '../domain.js';
import { TrawlError } from '../errors.js';
import { duckduckgoImagesSource } from '../sources/duckduckgo-images.source.js';
import type { SourceContext } from '../sources/source.js';
import { expectPngAsReported, type LiveSim, searchAll, startLiveSim } from './live-source.test-helper.js';

// The real DuckDuckGo Images adapter, through the real HTTP client, against the simulated site.

let live: LiveSim;
// More results than one 100-result page, so paging by `next` is exercised.
beforeAll(async () => (live = await startLiveSim({ itemsPerQuery: 150 })));
afterAll(() => live.close());

const harvest = (ctx: SourceContext, query: string, limit: number): Promise<Candidate[][]> => searchAll(duckduckgoImagesSource, ctx, { query, kind: 'image', limit });

const ddgRequests = (): URL[] => live.sim.requests().filter((r) => r.source === 'duckduckgo_images' && r.target === 'api').map((r) => new URL(r.path, live.sim.url));

describe('duckduckgo_images against the simulator', () => {
  it('takes the token, follows next to the limit, every result with its page, title and real size, its file downloadable', async () => {
    const before = ddgRequests().length;
    const ctx = live.context();
    const pages = await harvest(ctx, 'red pandas', 130);
    expect(pages.map((p) => p.length)).toEqual([100, 30]);
    const made = ddgRequests().slice(before);
    expect(made.map((u) => `${u.pathname}${u.searchParams.has('s') ? `?s=${u.searchParams.get('s') ?? ''}` : ''}`)).toEqual(['/', '/i.js', '/i.js?s=100']);

    const found = pages.flat();
    expect(new Set(found.map((c) => c.url)).size).toBe(130);
    expect(found[0]?.url).toBe(`${live.sim.url}/media/duckduckgo_images/red-pandas-1.png`);
    for (const c of found) {
      expect(c).toMatchObject({ source: 'duckduckgo_images', kind: 'image', license: null, author: null });
      expect(c.pageUrl).toMatch(new RegExp(`^${live.sim.url}/pages/[a-z]+/red-pandas-\\d+\\.htm$`));
      expect(c.title).toMatch(/^Red pandas (wallpaper|photo) \d+ \| \w+/);
    }
    for (const c of [found[0], found[120]]) await expectPngAsReported(ctx, c);
  });

  it('reads the token in each form the search page writes it', async () => {
    const forms = new Set<string>();
    // The form depends on the query; a handful of queries covers all three.
    for (let i = 1; i <= 30 && forms.size < 3; i++) {
      const query = `sample ${i}`;
      const html = await (await fetch(`${live.sim.url}/?q=${encodeURIComponent(query)}`)).text();
      forms.add(/vqd=[\d-]+&/.test(html) ? 'ampersand' : /vqd="/.test(html) ? 'double' : /vqd='/.test(html) ? 'single' : 'none');
      expect((await harvest(live.context(), query, 1)).flat()).toHaveLength(1);
    }
    expect([...forms].sort()).toEqual(['ampersand', 'double', 'single']);
  });

  it('gives nothing, without error, for a query with no images', async () => {
    expect(await harvest(live.context(), 'nothing', 10)).toEqual([]);
  });

  it('refuses /i.js without the query token or the Referer with 403, as the real service does', async () => {
    const html = await (await fetch(`${live.sim.url}/?q=cats`)).text();
    const vqd = /vqd[=:]["']?([\d-]+)/.exec(html)?.[1] ?? '';
    const referer = { referer: `${live.sim.url}/` };
    expect((await fetch(`${live.sim.url}/i.js?o=json&q=cats&vqd=${vqd}`, { headers: referer })).status).toBe(200);
    expect((await fetch(`${live.sim.url}/i.js?o=json&q=cats&vqd=${vqd}`)).status).toBe(403);
    expect((await fetch(`${live.sim.url}/i.js?o=json&q=dogs&vqd=${vqd}`, { headers: referer })).status).toBe(403);
    expect((await fetch(`${live.sim.url}/i.js?o=json&q=cats`, { headers: referer })).status).toBe(403);
  });

  it('reports a 429 on the search page as TRAWL_RATE_LIMITED', async () => {
    live.sim.addFault({ target: 'duckduckgo_images', fault: 'rate-limit', retryAfter: '3600', times: 1 });
    const error = await harvest(live.context(), 'cats', 5).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TrawlError);
    expect((error as TrawlError).code).toBe('TRAWL_RATE_LIMITED');
    expect((error as TrawlError).message).toContain('duckduckgo_images: the service is rate-limiting requests (HTTP 429)');
  });
});

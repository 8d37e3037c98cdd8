import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import type { Candidate } from '../domain.js';
import { TrawlError } from '../errors.js';
import type { HttpClient } from '../net/http.js';
import { createHttpClient, httpClientOptionsFrom } from '../net/undici-http-client.js';
import { duckduckgoImagesSource } from '../sources/duckduckgo-images.source.js';
import type { SourceContext } from '../sources/source.js';
import { type Simulator, startSimulator } from './simulator.js';

// The real DuckDuckGo Images adapter, through the real HTTP client, against the simulated site.

let sim: Simulator;
let cwd: string;
const clients: HttpClient[] = [];

beforeAll(async () => {
  // More results than one 100-result page, so paging by `next` is exercised.
  sim = await startSimulator({ itemsPerQuery: 150 });
  cwd = await mkdtemp(path.join(tmpdir(), 'trawl-ddg-sim-'));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sim.close();
  await rm(cwd, { recursive: true, force: true });
});

function context(): SourceContext {
  const config = loadConfig({ env: sim.env(), cwd });
  const http = createHttpClient(httpClientOptionsFrom(config));
  clients.push(http);
  return { signal: new AbortController().signal, http, config, reportQuota: () => undefined };
}

async function harvest(ctx: SourceContext, query: string, limit: number): Promise<Candidate[][]> {
  const pages: Candidate[][] = [];
  for await (const page of duckduckgoImagesSource.search({ query, kind: 'image', limit }, ctx)) pages.push(page);
  return pages;
}

async function download(ctx: SourceContext, url: string): Promise<{ status: number; type: string | undefined; bytes: Buffer }> {
  const response = await ctx.http.open(url, { signal: ctx.signal, purpose: 'media' });
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return { status: response.status, type: response.headers['content-type'], bytes: Buffer.concat(chunks) };
}

const ddgRequests = (): URL[] => sim.requests().filter((r) => r.source === 'duckduckgo_images' && r.target === 'api').map((r) => new URL(r.path, sim.url));

describe('duckduckgo_images against the simulator', () => {
  it('takes the token, follows next to the limit, every result with its page, title and real size, its file downloadable', async () => {
    const before = ddgRequests().length;
    const ctx = context();
    const pages = await harvest(ctx, 'red pandas', 130);
    expect(pages.map((p) => p.length)).toEqual([100, 30]);
    const made = ddgRequests().slice(before);
    expect(made.map((u) => `${u.pathname}${u.searchParams.has('s') ? `?s=${u.searchParams.get('s') ?? ''}` : ''}`)).toEqual(['/', '/i.js', '/i.js?s=100']);

    const found = pages.flat();
    expect(new Set(found.map((c) => c.url)).size).toBe(130);
    expect(found[0]?.url).toBe(`${sim.url}/media/duckduckgo_images/red-pandas-1.png`);
    for (const c of found) {
      expect(c).toMatchObject({ source: 'duckduckgo_images', kind: 'image', license: null, author: null });
      expect(c.pageUrl).toMatch(new RegExp(`^${sim.url}/pages/[a-z]+/red-pandas-\\d+\\.htm$`));
      expect(c.title).toMatch(/^Red pandas (wallpaper|photo) \d+ \| \w+/);
    }
    for (const c of [found[0], found[120]]) {
      const file = await download(ctx, c?.url ?? '');
      expect(file.status).toBe(200);
      expect(file.type).toBe('image/png');
      expect(imageSize(file.bytes)).toMatchObject({ width: c?.width, height: c?.height });
    }
  });

  it('reads the token in each form the search page writes it', async () => {
    const forms = new Set<string>();
    // The form depends on the query; a handful of queries covers all three.
    for (let i = 1; i <= 30 && forms.size < 3; i++) {
      const query = `sample ${i}`;
      const html = await (await fetch(`${sim.url}/?q=${encodeURIComponent(query)}`)).text();
      forms.add(/vqd=[\d-]+&/.test(html) ? 'ampersand' : /vqd="/.test(html) ? 'double' : /vqd='/.test(html) ? 'single' : 'none');
      expect((await harvest(context(), query, 1)).flat()).toHaveLength(1);
    }
    expect([...forms].sort()).toEqual(['ampersand', 'double', 'single']);
  });

  it('gives nothing, without error, for a query with no images', async () => {
    expect(await harvest(context(), 'nothing', 10)).toEqual([]);
  });

  it('refuses /i.js without the query token or the Referer with 403, as the real service does', async () => {
    const html = await (await fetch(`${sim.url}/?q=cats`)).text();
    const vqd = /vqd[=:]["']?([\d-]+)/.exec(html)?.[1] ?? '';
    const referer = { referer: `${sim.url}/` };
    expect((await fetch(`${sim.url}/i.js?o=json&q=cats&vqd=${vqd}`, { headers: referer })).status).toBe(200);
    expect((await fetch(`${sim.url}/i.js?o=json&q=cats&vqd=${vqd}`)).status).toBe(403);
    expect((await fetch(`${sim.url}/i.js?o=json&q=dogs&vqd=${vqd}`, { headers: referer })).status).toBe(403);
    expect((await fetch(`${sim.url}/i.js?o=json&q=cats`, { headers: referer })).status).toBe(403);
  });

  it('reports a 429 on the search page as TRAWL_RATE_LIMITED', async () => {
    sim.addFault({ target: 'duckduckgo_images', fault: 'rate-limit', retryAfter: '3600', times: 1 });
    const error = await harvest(context(), 'cats', 5).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TrawlError);
    expect((error as TrawlError).code).toBe('TRAWL_RATE_LIMITED');
    expect((error as TrawlError).message).toContain('duckduckgo_images: the service is rate-limiting requests (HTTP 429)');
  });
});

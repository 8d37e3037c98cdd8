import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import type { Candidate } from '../domain.js';
import { isTrawlError } from '../errors.js';
import type { HttpClient } from '../net/http.js';
import { createHttpClient, httpClientOptionsFrom } from '../net/undici-http-client.js';
import { pixabaySource } from '../sources/pixabay.source.js';
import type { QuotaInfo, SourceContext } from '../sources/source.js';
import { type Simulator, startSimulator } from './simulator.js';

// The real Pixabay adapter, through the real HTTP client, against the simulated Pixabay API.

let sim: Simulator;
let cwd: string;
const clients: HttpClient[] = [];

beforeAll(async () => {
  sim = await startSimulator({ itemsPerQuery: 300 });
  cwd = await mkdtemp(path.join(tmpdir(), 'trawl-pixabay-sim-'));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sim.close();
  await rm(cwd, { recursive: true, force: true });
});

function context(env: Record<string, string> = {}): SourceContext & { quotas: QuotaInfo[] } {
  const config = loadConfig({ env: { ...sim.env(), ...env }, cwd });
  const http = createHttpClient(httpClientOptionsFrom(config));
  clients.push(http);
  const quotas: QuotaInfo[] = [];
  return { signal: new AbortController().signal, http, config, quotas, reportQuota: (q) => quotas.push(q) };
}

async function harvest(ctx: SourceContext, query: string, kind: 'image' | 'video', limit: number): Promise<Candidate[][]> {
  const pages: Candidate[][] = [];
  for await (const page of pixabaySource.search({ query, kind, limit }, ctx)) pages.push(page);
  return pages;
}

/** Downloads a media URL as the engine would; returns its content type and bytes. */
async function download(ctx: SourceContext, url: string): Promise<{ status: number; type: string | undefined; bytes: Buffer }> {
  const response = await ctx.http.open(url, { signal: ctx.signal, purpose: 'media' });
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return { status: response.status, type: response.headers['content-type'], bytes: Buffer.concat(chunks) };
}

const apiRequests = (query: string) => sim.requests().filter((r) => r.source === 'pixabay' && r.target === 'api' && r.path.includes(`q=${query}`));

describe('pixabay against the simulator', () => {
  it('finds images with page, title, author and licence, downloadable at the size it reports', async () => {
    const ctx = context();
    const candidates = (await harvest(ctx, 'apples', 'image', 4)).flat();
    expect(candidates).toHaveLength(4);
    expect(candidates[0]?.url).toBe(`${sim.url}/media/pixabay/apples-1.png`);
    for (const candidate of candidates) {
      expect(candidate).toMatchObject({ source: 'pixabay', kind: 'image', license: 'Pixabay Content License', licenseUrl: 'https://pixabay.com/service/license-summary/' });
      expect(candidate.pageUrl).toMatch(new RegExp(`^${sim.url}/photos/apples-[a-z-]+-\\d+/$`));
      expect(candidate.title).toMatch(/^apples, /);
      expect(candidate.author).toMatch(/^[A-Za-z0-9]+$/);
      expect(candidate.authorUrl).toMatch(new RegExp(`^https://pixabay\\.com/users/${candidate.author ?? ''}-\\d+/$`));
      const file = await download(ctx, candidate.url);
      expect(file.status).toBe(200);
      expect(file.type).toBe('image/png');
      expect(imageSize(file.bytes)).toMatchObject({ width: candidate.width, height: candidate.height });
    }
    // The key travels as a parameter, never as a header; per_page is at least 3 even for 4 wanted.
    const [request] = apiRequests('apples');
    expect(request?.path).toMatch(/^\/api\/\?key=sim-pixabay-key&q=apples&page=1&per_page=4$/);
    expect(request?.headers.authorization).toBeUndefined();
    expect(ctx.quotas[0]).toMatchObject({ limit: 100 });
  });

  it('pages 200 at a time until the limit, reporting the shrinking quota', async () => {
    const ctx = context();
    const pages = await harvest(ctx, 'forest', 'image', 250);
    expect(pages.map((p) => p.length)).toEqual([200, 50]);
    expect(new Set(pages.flat().map((c) => c.url)).size).toBe(250);
    expect(apiRequests('forest').map((r) => new URL(r.path, sim.url).searchParams.get('page'))).toEqual(['1', '2']);
    const [first, second] = ctx.quotas;
    expect(second?.remaining).toBe((first?.remaining ?? 0) - 1);
    expect(Date.parse(second?.resetAt ?? '') - Date.now()).toBeLessThanOrEqual(61_000);
  });

  it('picks the largest MP4 of each video, old format and missing "large" included, and the files are real videos', async () => {
    const ctx = context();
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
      expect(video.pageUrl).toMatch(new RegExp(`^${sim.url}/videos/`));
      const file = await download(ctx, video.url);
      expect(file.type).toBe('video/mp4');
      expect(await fileTypeFromBuffer(file.bytes)).toEqual({ ext: 'mp4', mime: 'video/mp4' });
    }
  });

  it('yields nothing for a query without results', async () => {
    expect(await harvest(context(), 'nothing', 'image', 10)).toEqual([]);
  });

  it('reports a wrong key (Pixabay answers 400) as TRAWL_AUTH without echoing the key', async () => {
    const error = await harvest(context({ PIXABAY_API_KEY: 'wrong-key-123' }), 'cats', 'image', 5).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_AUTH')).toBe(true);
    expect((error as Error).message).not.toContain('wrong-key-123');
  });

  it('ends as TRAWL_RATE_LIMITED when the service keeps answering 429, or asks to wait beyond the budget', async () => {
    for (const retryAfter of ['0', '3600']) {
      sim.setFaults([{ target: 'pixabay', fault: 'rate-limit', retryAfter }]);
      try {
        const ctx = context();
        const error = await harvest(ctx, 'cats', 'image', 5).catch((err: unknown) => err);
        expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
        expect((error as Error).message).toMatch(/^pixabay: the service is rate-limiting requests \(HTTP 429\)/);
        expect((error as Error).message).not.toContain('sim-pixabay-key');
        expect(ctx.quotas.at(-1)?.remaining).toBe(0);
      } finally {
        sim.clearFaults();
      }
    }
  });

  it('refuses out-of-range per_page and pages like the real API, with a plain-text error', async () => {
    const base = `${sim.url}/api/?key=sim-pixabay-key&q=cats`;
    for (const query of ['&per_page=2', '&per_page=201', '&per_page=200&page=3']) {
      const res = await fetch(`${base}${query}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/^\[ERROR 400\] "(per_page|page)" is out of valid range\.$/);
    }
    const ok = await fetch(`${base}&per_page=200&page=2`);
    expect(((await ok.json()) as { hits: unknown[] }).hits).toHaveLength(100);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import type { Candidate } from '../domain.js';
import { isTrawlError } from '../errors.js';
import type { HttpClient } from '../net/http.js';
import { createHttpClient, httpClientOptionsFrom } from '../net/undici-http-client.js';
import { bingImagesSource } from '../sources/bing-images.source.js';
import type { SourceContext } from '../sources/source.js';
import { type Simulator, startSimulator } from './simulator.js';

// The real Bing adapter, through the real HTTP client, against the simulated /images/async markup.

let sim: Simulator;
let http: HttpClient;
let context: SourceContext;
let cwd: string;

beforeAll(async () => {
  sim = await startSimulator({ itemsPerQuery: 50 });
  cwd = mkdtempSync(path.join(tmpdir(), 'trawl-bing-sim-'));
  const config = loadConfig({ env: sim.env(), cwd });
  http = createHttpClient(httpClientOptionsFrom(config));
  context = { signal: new AbortController().signal, http, config, reportQuota: () => undefined };
});
afterAll(async () => {
  await http.close();
  await sim.close();
  rmSync(cwd, { recursive: true, force: true });
});

async function harvest(query: string, limit: number): Promise<Candidate[][]> {
  const pages: Candidate[][] = [];
  for await (const page of bingImagesSource.search({ query, kind: 'image', limit }, context)) pages.push(page);
  return pages;
}

describe('bing_images against the simulator', () => {
  it('pages with first/count to the limit, every tile read, sized and downloadable', async () => {
    const before = sim.requests().length;
    const pages = await harvest('red fox', 40);
    const candidates = pages.flat();
    expect(candidates).toHaveLength(40);
    expect(new Set(candidates.map((c) => c.url)).size).toBe(40);
    const searches = sim.requests().slice(before).filter((r) => r.path.startsWith('/images/async?'));
    expect(searches.map((r) => new URLSearchParams(r.path.split('?')[1]).get('first'))).toEqual(['1', '36']);
    for (const [i, c] of candidates.entries()) {
      expect(c).toMatchObject({ source: 'bing_images', kind: 'image', url: `${sim.url}/media/bing_images/red-fox-${i + 1}.png`, license: null });
      expect(c.pageUrl?.startsWith(`${sim.url}/pages/red-fox/`)).toBe(true);
      expect(c.title).toMatch(/^Red fox( & "friends")? (picture )?\d+$/);
      expect(c.width).not.toBeNull();
    }
    for (const c of candidates.slice(0, 4)) {
      const response = await http.open(c.url, { signal: context.signal, purpose: 'media' });
      const chunks: Uint8Array[] = [];
      for await (const chunk of response.body) chunks.push(chunk);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('image/png');
      expect(imageSize(Buffer.concat(chunks))).toMatchObject({ width: c.width, height: c.height });
    }
  });

  it('ends at the empty body past the last result, and finds nothing for "nothing"', async () => {
    expect((await harvest('owls', 80)).flat()).toHaveLength(50);
    expect(await harvest('nothing', 10)).toEqual([]);
  });

  it('reports a 429 from Bing as TRAWL_RATE_LIMITED', async () => {
    sim.setFaults([{ target: 'bing_images', fault: 'rate-limit', retryAfter: '3600' }]);
    try {
      const error = await harvest('cats', 5).catch((err: unknown) => err);
      expect(isTrawlError(error, 'TRAWL_RATE_LIMITED') && error.message).toMatch(/^bing_images: the service is rate-limiting/);
    } finally {
      sim.clearFaults();
    }
  });
});

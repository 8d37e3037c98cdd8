import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import type { Candidate, MediaKind } from '../domain.js';
import type { HttpClient } from '../net/http.js';
import { createHttpClient, httpClientOptionsFrom } from '../net/undici-http-client.js';
import { nasaSource } from '../sources/nasa.source.js';
import type { SourceContext } from '../sources/source.js';
import { type Simulator, startSimulator } from './simulator.js';

// The real NASA adapter, through the real HTTP client, against the simulated library.

let sim: Simulator;
let http: HttpClient;
let context: SourceContext;
let cwd: string;

beforeAll(async () => {
  sim = await startSimulator({ itemsPerQuery: 30 });
  cwd = mkdtempSync(path.join(tmpdir(), 'trawl-nasa-sim-'));
  const config = loadConfig({ env: sim.env(), cwd });
  http = createHttpClient(httpClientOptionsFrom(config));
  context = { signal: new AbortController().signal, http, config, reportQuota: () => undefined };
});
afterAll(async () => {
  await http.close();
  await sim.close();
  rmSync(cwd, { recursive: true, force: true });
});

async function harvest(query: string, kind: MediaKind, limit: number): Promise<Candidate[][]> {
  const pages: Candidate[][] = [];
  for await (const page of nasaSource.search({ query, kind, limit }, context)) pages.push(page);
  return pages;
}

async function download(url: string): Promise<{ type: string; bytes: Buffer }> {
  const response = await http.open(url, { signal: context.signal, purpose: 'media' });
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  expect(response.status).toBe(200);
  return { type: response.headers['content-type'] ?? '', bytes: Buffer.concat(chunks) };
}

describe('nasa against the simulator', () => {
  it('finds images with every field filled, each the best rendition of its manifest and downloadable', async () => {
    const candidates = (await harvest('moon landing', 'image', 12)).flat();
    expect(candidates).toHaveLength(12);
    for (const c of candidates) {
      expect(c).toMatchObject({ source: 'nasa', kind: 'image' });
      expect(c.licenseUrl).toMatch(/^https:\/\/www\.nasa\.gov\//);
      expect(c.url.startsWith(`${sim.url}/media/nasa/`)).toBe(true);
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
    for (const c of candidates) expect(c.url).toMatch(new RegExp(`^${sim.url}/media/nasa/launch-video-\\d+~orig\\.mp4$`));
    const { type, bytes } = await download(candidates[0]?.url ?? '');
    expect(type).toBe('video/mp4');
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
  });

  it('skips an item whose manifest fails and pages on to reach the limit; finds nothing for "nothing"', async () => {
    sim.setFaults([{ target: '/image/mars-3/collection.json', fault: 'server-error', status: 404 }]);
    const before = sim.requests().length;
    try {
      const candidates = (await harvest('mars', 'image', 25)).flat();
      expect(candidates).toHaveLength(25);
      expect(candidates.some((c) => c.url.includes('/mars-3~'))).toBe(false);
      const searches = sim.requests().slice(before).filter((r) => r.path.startsWith('/search?'));
      expect(searches.map((r) => new URLSearchParams(r.path.split('?')[1]).get('page'))).toEqual(['1', '2']);
    } finally {
      sim.clearFaults();
    }
    expect(await harvest('nothing', 'image', 5)).toEqual([]);
  });
});

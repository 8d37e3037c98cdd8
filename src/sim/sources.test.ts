import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './simulator.js';

// The simulated sources answer with the shapes and paging SOURCES.md records for the real ones.

const AGENT = 'TrawlSimTests/1.0 (simulator unit tests)';
const KEY = 'test-key';
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ pexelsKey: KEY });
});
afterAll(async () => {
  await sim.close();
});

type Json = Record<string, unknown>;

async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Json }> {
  const res = await fetch(url, { headers: { 'user-agent': AGENT, ...headers } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const list = (value: unknown): Json[] => value as Json[];

describe('Pexels', () => {
  const pexels = (path: string) => getJson(`${sim.url}${path}`, { authorization: KEY });

  it('walks every photo page by next_page, each photo on the simulator with its real dimensions', async () => {
    const ids = new Set<unknown>();
    let url: string | undefined = `${sim.url}/v1/search?query=cats&per_page=25`;
    let pages = 0;
    while (url !== undefined) {
      const { status, headers, body } = await getJson(url, { authorization: KEY });
      expect(status).toBe(200);
      expect(headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
      expect(body).toMatchObject({ total_results: 60, per_page: 25, page: ++pages });
      for (const photo of list(body.photos)) ids.add(photo.id);
      if (pages > 1) expect(body.prev_page).toContain(`page=${pages - 1}`);
      url = body.next_page as string | undefined;
      if (url !== undefined) expect(url.startsWith(`${sim.url}/v1/search/?`)).toBe(true);
    }
    expect(pages).toBe(3);
    expect(ids.size).toBe(60);
  });

  it('describes photos with the documented fields and serves them as PNGs of that size', async () => {
    const { body } = await pexels('/v1/search?query=dogs&per_page=2');
    const photo = list(body.photos)[0] ?? {};
    expect(Object.keys(photo).sort()).toEqual(['alt', 'avg_color', 'height', 'id', 'liked', 'photographer', 'photographer_id', 'photographer_url', 'src', 'url', 'width']);
    const src = photo.src as Record<string, string>;
    expect(Object.keys(src).sort()).toEqual(['landscape', 'large', 'large2x', 'medium', 'original', 'portrait', 'small', 'tiny']);
    expect(src.original).toBe(`${sim.url}/media/pexels/dogs-1.png`);
    const bytes = await download(src.original ?? '');
    expect(imageSize(bytes)).toMatchObject({ width: photo.width, height: photo.height });
  });

  it('clamps per_page to 80 and has nothing for the query "nothing"', async () => {
    const wide = await pexels('/v1/search?query=cats&per_page=500');
    expect(wide.body.per_page).toBe(80);
    expect(list(wide.body.photos)).toHaveLength(60);
    expect(wide.body.next_page).toBeUndefined();
    const none = await pexels('/v1/search?query=nothing');
    expect(none.body).toMatchObject({ total_results: 0, photos: [] });
  });

  it('answers videos at /videos/search (no /v1), with an HLS entry to skip and real MP4 files', async () => {
    const { status, body } = await pexels('/videos/search?query=sea&per_page=3');
    expect(status).toBe(200);
    expect(body.next_page).toContain('/videos/search/?');
    const video = list(body.videos)[0] ?? {};
    const files = list(video.video_files);
    const hls = files.find((f) => f.quality === 'hls');
    expect(hls).toMatchObject({ width: null, height: null });
    expect(String(hls?.link)).toMatch(/\.m3u8$/);
    const hd = files.find((f) => f.quality === 'hd');
    expect(await fileTypeFromBuffer(await download(String(hd?.link)))).toEqual({ ext: 'mp4', mime: 'video/mp4' });
    expect((await pexels('/v1/videos/search?query=sea')).status).toBe(404);
  });

  it('refuses a missing or Bearer-prefixed key with 401 JSON and no rate-limit headers', async () => {
    for (const headers of [{}, { authorization: `Bearer ${KEY}` }]) {
      const res = await getJson(`${sim.url}/v1/search?query=cats`, headers);
      expect(res.status).toBe(401);
      expect(typeof res.body.error).toBe('string');
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    }
  });
});

describe('Openverse', () => {
  it('walks pages up to page_count, with a few optional fields null', async () => {
    const results: Json[] = [];
    for (let page = 1; ; page++) {
      const { status, headers, body } = await getJson(`${sim.url}/v1/images/?q=cats&page=${page}&page_size=20`);
      expect(status).toBe(200);
      expect(headers.get('x-ratelimit-limit-anon_burst')).toBe('20/min');
      expect(body).toMatchObject({ result_count: 60, page_count: 3, page_size: 20, page });
      results.push(...list(body.results));
      if (page >= Number(body.page_count)) break;
    }
    expect(new Set(results.map((r) => r.id)).size).toBe(60);
    // Media paths are predictable, so a test can fault one item: <query stem>-<rank>.
    expect(results[1]?.url).toBe(`${sim.url}/media/openverse/cats-2.png`);
    expect(results.filter((r) => r.creator === null)).toHaveLength(1);
    expect(results.some((r) => r.width === null && r.height === null)).toBe(true);
    const first = results[0] ?? {};
    expect(first.filetype).toBe('png');
    for (const field of ['license', 'license_version', 'license_url', 'attribution', 'foreign_landing_url']) expect(typeof first[field]).toBe('string');
    expect(String(first.id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const bytes = await download(String(first.url));
    expect(imageSize(bytes)).toMatchObject({ width: first.width, height: first.height });
  });

  it('refuses anonymous page_size above 20 (401) and pages past 20 (400)', async () => {
    expect((await getJson(`${sim.url}/v1/images/?q=cats&page_size=21`)).status).toBe(401);
    expect((await getJson(`${sim.url}/v1/images/?q=cats&page=21`)).status).toBe(400);
  });
});

describe('Wikimedia Commons', () => {
  const search = (extra: string) =>
    `${sim.url}/w/api.php?action=query&format=json&generator=search&gsrnamespace=6&prop=imageinfo&iiprop=url|size|mime|mediatype|extmetadata&${extra}`;

  it('pages by continue.gsroffset (formatversion=2), with one missing page among the hits', async () => {
    const files: Json[] = [];
    const missing: Json[] = [];
    let offset: number | undefined = 0;
    while (offset !== undefined) {
      const { body } = await getJson(search(`formatversion=2&gsrsearch=cats%20filetype:bitmap&gsrlimit=25&gsroffset=${String(offset)}`));
      expect(body.batchcomplete).toBe(true);
      for (const page of list((body.query as Json).pages)) (page.missing === true ? missing : files).push(page);
      const next = body.continue as Json | undefined;
      if (next !== undefined) expect(next.continue).toBe('gsroffset||');
      offset = next?.gsroffset as number | undefined;
    }
    expect(files).toHaveLength(60);
    expect(missing).toHaveLength(1);
    const info = list(files[0]?.imageinfo)[0] ?? {};
    expect(info).toMatchObject({ mime: 'image/png', mediatype: 'BITMAP' });
    const meta = info.extmetadata as Record<string, { value: string }>;
    expect(meta.Artist?.value).toMatch(/<(a|span) /);
    expect(meta.LicenseShortName?.value).toBeTruthy();
    const bytes = await download(String(info.url));
    expect(bytes.length).toBe(info.size);
    expect(imageSize(bytes)).toMatchObject({ width: info.width, height: info.height });
  });

  it('keys pages by pageid with batchcomplete "" in formatversion=1 (the default)', async () => {
    const { body } = await getJson(search('gsrsearch=cats&gsrlimit=5'));
    expect(body.batchcomplete).toBe('');
    const pages = (body.query as Json).pages as Record<string, Json>;
    expect(Array.isArray(pages)).toBe(false);
    expect(Object.keys(pages)).toHaveLength(6);
    expect(pages['-1']).toMatchObject({ missing: '' });
    for (const [key, page] of Object.entries(pages)) if (key !== '-1') expect(String(page.pageid)).toBe(key);
  });

  it('answers filetype:video with videoinfo whose derivatives are real WebM files', async () => {
    const url = `${sim.url}/w/api.php?action=query&format=json&formatversion=2&generator=search&gsrsearch=sea%20filetype:video&gsrnamespace=6&gsrlimit=2&prop=videoinfo&viprop=url|size|mime|derivatives`;
    const { body } = await getJson(url);
    const page = list((body.query as Json).pages).find((p) => p.missing !== true) ?? {};
    const info = list(page.videoinfo)[0] ?? {};
    expect(info.mime).toBe('video/webm');
    const derivatives = list(info.derivatives);
    expect(derivatives.length).toBeGreaterThan(2);
    const smallest = derivatives.reduce((a, b) => (Number(a.height) < Number(b.height) ? a : b));
    expect(await fileTypeFromBuffer(await download(String(smallest.src)))).toEqual({ ext: 'webm', mime: 'video/webm' });
  });

  it('blocks generic or missing User-Agents with a 403 HTML page', async () => {
    const url = search('gsrsearch=cats');
    for (const agent of ['node', 'curl/8.5.0', 'python-requests/2.31', '']) {
      const res = await fetch(url, { headers: { 'user-agent': agent } });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      await res.arrayBuffer();
    }
  });
});

describe('itemsPerQuery', () => {
  it('sets how many results every source has', async () => {
    const small = await startSimulator({ itemsPerQuery: 7 });
    try {
      const { body } = await getJson(`${small.url}/v1/images/?q=x`);
      expect(body.result_count).toBe(7);
      expect(list(body.results)).toHaveLength(7);
    } finally {
      await small.close();
    }
  });
});

import { SOURCE_IDS } from '../domain.js';
import { imageSize } from 'image-size';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RequestRecord, type Simulator, startSimulator } from './simulator.js';

// Faults, the control API and the request log, seen from a plain HTTP client.

const PHOTO = '/media/pexels/photo-3.png';
let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

const forPhoto = (r: RequestRecord): boolean => r.path.startsWith(PHOTO);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The error code a body read ends with (undici puts it on `cause`), or null if the body completed. */
async function bodyFailure(res: Response): Promise<string | null> {
  try {
    await res.arrayBuffer();
    return null;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code ?? 'unknown';
  }
}

describe('the simulator', () => {
  it('gives the env lines that point Trawl at it', () => {
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
    // Every source of the contract is simulated, each with the key the simulator accepts.
    const origins = Object.fromEntries(SOURCE_IDS.map((id) => [`TRAWL_ORIGIN_${id.toUpperCase()}`, sim.url]));
    expect(sim.env()).toEqual({
      ...origins,
      PEXELS_API_KEY: 'sim-pexels-key',
      PIXABAY_API_KEY: 'sim-pixabay-key',
      UNSPLASH_ACCESS_KEY: 'sim-unsplash-key',
      FLICKR_API_KEY: 'sim-flickr-key',
      EUROPEANA_API_KEY: 'sim-europeana-key',
      TRAWL_ALLOW_HOSTS: '127.0.0.1',
    });
  });

  it('logs each request with its source, target, status, headers and bytes', async () => {
    const res = await fetch(`${sim.url}${PHOTO}`, { headers: { 'x-probe': 'yes' } });
    const size = (await res.arrayBuffer()).byteLength;
    await fetch(`${sim.url}/v1/search?query=a`).then((r) => r.arrayBuffer());
    const [media, api] = sim.requests();
    expect(media).toMatchObject({ id: 1, method: 'GET', path: PHOTO, source: 'pexels', target: 'media', fault: null, status: 200, bytesSent: size });
    expect(media?.headers['x-probe']).toBe('yes');
    expect(api).toMatchObject({ source: 'pexels', target: 'api', status: 401 });
  });

  it('streams /media/blob/<id>.mp4?bytes=N with exactly N bytes', async () => {
    const res = await fetch(`${sim.url}/media/blob/bench-1.mp4?bytes=3000000`);
    expect(res.headers.get('content-length')).toBe('3000000');
    expect((await res.arrayBuffer()).byteLength).toBe(3_000_000);
    expect((await fetch(`${sim.url}/media/blob/x.mp4`)).status).toBe(400);
  });

  it('closes every socket on close()', async () => {
    sim.setFaults([{ target: 'pexels:media', fault: 'hang' }]);
    const pending = fetch(`${sim.url}${PHOTO}`).catch((err: unknown) => err);
    await delay(100);
    expect(sim.openConnections()).toBe(1);
    await sim.close();
    expect(sim.openConnections()).toBe(0);
    expect(await pending).toBeInstanceOf(Error);
    expect(sim.requests()[0]?.closedAt).not.toBeNull();
  });
});

describe('faults', () => {
  it('hang: never sends headers, and waitForClosed sees the socket close once the client aborts', async () => {
    sim.setFaults([{ target: 'pexels:media', fault: 'hang' }]);
    const abort = new AbortController();
    const pending = fetch(`${sim.url}${PHOTO}`, { signal: abort.signal }).catch((err: unknown) => err);
    await delay(300);
    expect(sim.requests()[0]).toMatchObject({ fault: 'hang', status: null, closedAt: null });
    await expect(sim.waitForClosed(forPhoto, 100)).rejects.toThrow(/still open/);
    abort.abort();
    await sim.waitForClosed(forPhoto, 5_000);
    expect(await pending).toBeInstanceOf(Error);
    expect(sim.openConnections()).toBe(0);
  });

  it('truncate: declares the full length, sends half, closes cleanly', async () => {
    sim.setFaults([{ target: PHOTO, fault: 'truncate' }]);
    const res = await fetch(`${sim.url}${PHOTO}`);
    const declared = Number(res.headers.get('content-length'));
    const code = await bodyFailure(res);
    expect(code).not.toBeNull();
    expect(code).not.toBe('ECONNRESET');
    expect(sim.requests()[0]?.bytesSent).toBe(Math.floor(declared / 2));
    await sim.waitForClosed(forPhoto, 5_000);
  });

  it('reset: drops the connection mid-body with a TCP reset', async () => {
    sim.setFaults([{ target: PHOTO, fault: 'reset' }]);
    const res = await fetch(`${sim.url}${PHOTO}`);
    expect(res.status).toBe(200);
    expect(await bodyFailure(res)).toBe('ECONNRESET');
  });

  it('stall: sends headers and half the body, then goes silent with the socket open', async () => {
    sim.setFaults([{ target: PHOTO, fault: 'stall' }]);
    const abort = new AbortController();
    const res = await fetch(`${sim.url}${PHOTO}`, { signal: abort.signal });
    const declared = Number(res.headers.get('content-length'));
    const reader = res.body?.getReader();
    let received = 0;
    while (received < Math.floor(declared / 2)) received += ((await reader?.read())?.value as Uint8Array | undefined)?.length ?? 0;
    const next = await Promise.race([reader?.read().catch(() => null), delay(300).then(() => 'silent')]);
    expect(next).toBe('silent');
    expect(sim.openConnections()).toBe(1);
    abort.abort();
    await sim.waitForClosed(forPhoto, 5_000);
  });

  it('redirect-chain: `hops` 302s through distinct URLs, then the real file', async () => {
    sim.setFaults([{ target: 'pexels:media', fault: 'redirect-chain', hops: 3 }]);
    const res = await fetch(`${sim.url}${PHOTO}`);
    expect(res.redirected).toBe(true);
    expect(imageSize(Buffer.from(await res.arrayBuffer())).width).toBeGreaterThan(0);
    const hops = sim.requests();
    expect(hops.map((r) => r.status)).toEqual([302, 302, 302, 200]);
    expect(new Set(hops.map((r) => r.path)).size).toBe(4);
    expect(hops.every((r) => r.fault === 'redirect-chain')).toBe(true);
  });

  it('redirect-private and redirect-loop: point at 127.0.0.2 and at the same URL', async () => {
    sim.setFaults([{ target: PHOTO, fault: 'redirect-private', times: 1 }, { target: PHOTO, fault: 'redirect-loop' }]);
    const privateHop = await fetch(`${sim.url}${PHOTO}`, { redirect: 'manual' });
    expect(privateHop.status).toBe(302);
    expect(privateHop.headers.get('location')).toBe(`http://127.0.0.2:${sim.port}${PHOTO}`);
    const loop = await fetch(`${sim.url}${PHOTO}`, { redirect: 'manual' });
    expect(loop.headers.get('location')).toBe(`${sim.url}${PHOTO}`);
  });

  it('rate-limit: 429 with Retry-After for the first `times` requests only', async () => {
    sim.setFaults([{ target: 'openverse', fault: 'rate-limit', retryAfter: '2', times: 1 }]);
    const first = await fetch(`${sim.url}/v1/images/?q=cats`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    expect((await fetch(`${sim.url}/v1/images/?q=cats`)).status).toBe(200);
  });

  it('html-as-image, huge-dimensions and oversized: decoys behind a media content type', async () => {
    sim.setFaults([
      { target: PHOTO, fault: 'html-as-image', times: 1 },
      { target: PHOTO, fault: 'huge-dimensions', times: 1 },
      { target: PHOTO, fault: 'oversized' },
    ]);
    const html = await fetch(`${sim.url}${PHOTO}`);
    expect(html.headers.get('content-type')).toBe('image/png');
    expect(await html.text()).toMatch(/^<!DOCTYPE html>/);
    const bomb = Buffer.from(await (await fetch(`${sim.url}${PHOTO}`)).arrayBuffer());
    expect(imageSize(bomb)).toMatchObject({ width: 50_000, height: 50_000 });
    const abort = new AbortController();
    const huge = await fetch(`${sim.url}${PHOTO}`, { signal: abort.signal });
    expect(huge.headers.get('content-length')).toBe(String(10 * 1024 ** 3));
    const reader = huge.body?.getReader();
    await reader?.read();
    abort.abort();
    await sim.waitForClosed((r) => r.fault === 'oversized', 5_000);
  });

  it('lie-size: the API declares the honest size, the file is the same picture smaller', async () => {
    sim.setFaults([{ target: 'pexels:media', fault: 'lie-size', width: 30, height: 20, times: 1 }, { target: 'openverse:media', fault: 'lie-size' }]);
    const answer = (await (await fetch(`${sim.url}/v1/search?query=cats&per_page=1`, { headers: { authorization: 'sim-pexels-key' } })).json()) as { photos: { width: number; height: number; src: { original: string } }[] };
    const photo = answer.photos[0];
    if (photo === undefined) throw new Error('no photo');
    const lied = imageSize(Buffer.from(await (await fetch(photo.src.original)).arrayBuffer()));
    expect({ width: lied.width, height: lied.height }).toEqual({ width: 30, height: 20 });
    const honest = imageSize(Buffer.from(await (await fetch(photo.src.original)).arrayBuffer()));
    expect({ width: honest.width, height: honest.height }).toEqual({ width: photo.width, height: photo.height });
    const tenth = imageSize(Buffer.from(await (await fetch(`${sim.url}/media/openverse/cats-1.png`)).arrayBuffer()));
    expect(tenth.width).toBeLessThan(20);
  });

  it('slow: a paced body that completes', async () => {
    sim.setFaults([{ target: PHOTO, fault: 'slow', bytesPerSecond: 100_000 }]);
    const started = Date.now();
    const bytes = (await (await fetch(`${sim.url}${PHOTO}`)).arrayBuffer()).byteLength;
    expect(bytes).toBeGreaterThan(20_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });
});

describe('control API', () => {
  it('replaces, lists and clears faults, and refuses bad rules with 400', async () => {
    const post = (body: string) => fetch(`${sim.url}/_sim/faults`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect((await post('[{"target":"pexels:media","fault":"server-error","status":500}]')).status).toBe(200);
    expect((await fetch(`${sim.url}${PHOTO}`)).status).toBe(500);
    const bad = await post('[{"target":"pexels","fault":"melt"}]');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/unknown fault "melt"/);
    expect((await post('{"target":"pexels","fault":"hang"}')).status).toBe(400);
    expect(await (await fetch(`${sim.url}/_sim/faults`)).json()).toEqual([{ target: 'pexels:media', fault: 'server-error', status: 500 }]);
    expect((await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${sim.url}${PHOTO}`)).status).toBe(200);
    const log = (await (await fetch(`${sim.url}/_sim/requests`)).json()) as RequestRecord[];
    expect(log.filter((r) => r.target === 'control').length).toBeGreaterThanOrEqual(5);
    expect(log.find((r) => r.target === 'media')).toMatchObject({ fault: 'server-error', status: 500 });
  });
});

describe('body faults for the fault suite', () => {
  it('headers-only: sends the headers, then not one body byte', async () => {
    sim.setFaults([{ target: PHOTO, fault: 'headers-only' }]);
    const controller = new AbortController();
    const res = await fetch(`${sim.url}${PHOTO}`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
    const reader = res.body?.getReader();
    const first = await Promise.race([reader?.read().then(() => 'bytes'), delay(300).then(() => 'silence')]);
    controller.abort();
    expect(first).toBe('silence');
    expect(sim.requests().find(forPhoto)?.bytesSent).toBe(0);
  });

  it('endless: a chunked body without Content-Length that never ends', async () => {
    sim.setFaults([{ target: PHOTO, fault: 'endless' }]);
    const controller = new AbortController();
    const res = await fetch(`${sim.url}${PHOTO}`, { signal: controller.signal });
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    let read = 0;
    for await (const chunk of res.body ?? []) {
      read += (chunk as Uint8Array).byteLength;
      if (read > 4 * 1024 * 1024) break;
    }
    controller.abort();
    expect(read).toBeGreaterThan(4 * 1024 * 1024);
    await sim.waitForClosed(forPhoto, 2_000);
  });

  it('gzip-bomb: a gzip body whatever Accept-Encoding asked for', async () => {
    sim.setFaults([{ target: PHOTO, fault: 'gzip-bomb' }]);
    const res = await fetch(`${sim.url}${PHOTO}`, { headers: { 'accept-encoding': 'identity' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(Number(res.headers.get('content-length'))).toBeLessThan(1024 * 1024);
    await res.body?.cancel();
  });

  it('redirect-private: redirects to the given location', async () => {
    sim.setFaults([{ target: PHOTO, fault: 'redirect-private', location: 'http://[::1]:9/elsewhere.png' }]);
    const res = await fetch(`${sim.url}${PHOTO}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://[::1]:9/elsewhere.png');
  });
});

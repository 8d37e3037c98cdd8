import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Filters, NO_FILTERS } from '../domain.js';
import { type ErrorCode, TrawlError } from '../errors.js';
import { type SaveOptions, saveResponse } from './downloader.js';
import { type FakeResponse, fakeResponse, jpeg, mp4, mp4Header, png, responseOf, webm } from './test-media.test-helper.js';

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'trawl-download-'));
  dir = path.join(root, 'library');
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

function save(response: FakeResponse, overrides: Partial<SaveOptions> = {}): ReturnType<typeof saveResponse> {
  return saveResponse(response, { signal: new AbortController().signal, dir, maxFileSize: 10 * 1024 * 1024, maxPixels: 100_000_000, ...overrides });
}

/** Every file under the library, as forward-slash paths relative to it. */
async function filesLeft(): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

async function failure(promise: Promise<unknown>, code: ErrorCode): Promise<TrawlError> {
  const err: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrawlError);
  expect((err as TrawlError).code, (err as Error).message).toBe(code);
  return err as TrawlError;
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('saveResponse: verified files', () => {
  it('stores a PNG under its sha256 with its size, type and dimensions, and nothing else', async () => {
    const bytes = png(40, 30);
    const saved = await save(responseOf(bytes, { chunkSize: 100 }));

    const hash = sha(bytes);
    expect(saved).toMatchObject({ bytes: bytes.byteLength, sha256: hash, contentType: 'image/png', kind: 'image', width: 40, height: 30, duplicate: false });
    expect(saved.relativePath).toBe(`${hash.slice(0, 2)}/${hash}.png`);
    expect(saved.path).toBe(path.join(dir, hash.slice(0, 2), `${hash}.png`));
    expect(await readFile(saved.path)).toEqual(bytes);
    expect(await filesLeft()).toEqual([saved.relativePath]);
  });

  it('stores the same bytes once and reports the second copy as a duplicate', async () => {
    const bytes = png(8, 8);
    const first = await save(responseOf(bytes));
    const second = await save(responseOf(bytes));

    expect(first.duplicate).toBe(false);
    expect(second).toMatchObject({ duplicate: true, path: first.path, sha256: first.sha256 });
    expect(await filesLeft()).toEqual([first.relativePath]);
  });

  it('names the kind and extension from the bytes for video and audio, with no dimensions', async () => {
    const video = await save(responseOf(mp4(), { chunkSize: 1000 }));
    const clip = await save(responseOf(webm()));
    const song = await save(responseOf(mp4(6000, 'M4A ')));

    expect(video).toMatchObject({ kind: 'video', contentType: 'video/mp4', width: null, height: null });
    expect(video.relativePath).toMatch(/\.mp4$/);
    expect(clip).toMatchObject({ kind: 'video', contentType: 'video/webm' });
    expect(clip.relativePath).toMatch(/\.webm$/);
    expect(song).toMatchObject({ kind: 'audio', contentType: 'audio/x-m4a' });
    expect(song.relativePath).toMatch(/\.m4a$/);
  });

  it('finds JPEG dimensions that sit after 100 KiB of EXIF', async () => {
    const saved = await save(responseOf(jpeg(1200, 800, { exifBytes: 100 * 1024 })));
    expect(saved).toMatchObject({ contentType: 'image/jpeg', width: 1200, height: 800 });
  });

  it('works when the chunk size is one byte at a time (trickled body)', async () => {
    const bytes = png(3, 3);
    const saved = await save(responseOf(bytes, { chunkSize: 1 }));
    expect(saved).toMatchObject({ sha256: sha(bytes), width: 3, height: 3 });
  });
});

describe('saveResponse: refusals leave nothing behind', () => {
  it('refuses an HTML page served as an image after its first few KiB, and discards the response', async () => {
    const html = Buffer.from(`<!doctype html><html><body>${'<p>not found</p>'.repeat(20_000)}</body></html>`);
    const response = responseOf(html, { chunkSize: 1024 });

    const err = await failure(save(response), 'TRAWL_NOT_MEDIA');
    expect(err.message).toContain('got text/html, not an image/video/audio file');
    expect(response.pulled).toBeLessThanOrEqual(5); // 4100 bytes decide it, of ~320 chunks
    expect(response.discarded).toBe(true);
    expect(await filesLeft()).toEqual([]);
  });

  it('refuses an empty body', async () => {
    await failure(save(responseOf(Buffer.alloc(0))), 'TRAWL_NOT_MEDIA');
    expect(await filesLeft()).toEqual([]);
  });

  // Regression (issue 8, "truncated image"): a file cut at its origin but sent with a matching
  // Content-Length passed every transfer check and was saved as a broken image.
  it.each([
    ['png', (): Buffer => png(64, 64).subarray(0, 300), /truncated png image \(no IEND chunk at its end\)/],
    ['jpeg', (): Buffer => jpeg(64, 64, { bodyBytes: 4000 }).subarray(0, 3000), /truncated jpg image \(no end-of-image marker\)/],
  ])('refuses a %s cut short at its origin although its Content-Length matches', async (_name, cut, message) => {
    const bytes = cut();
    const err = await failure(save(responseOf(bytes, { contentLength: bytes.length })), 'TRAWL_NOT_MEDIA');
    expect(err.message).toMatch(message);
    expect(await filesLeft()).toEqual([]);
  });

  it('accepts a JPEG with maker data after its end-of-image marker', async () => {
    const bytes = Buffer.concat([jpeg(64, 64), Buffer.alloc(2000, 0x41)]);
    expect((await save(responseOf(bytes))).bytes).toBe(bytes.length);
  });

  it('reports a body shorter than its Content-Length as truncated', async () => {
    const bytes = png(64, 64);
    const response = responseOf(bytes.subarray(0, bytes.byteLength - 10), { contentLength: bytes.byteLength });

    const err = await failure(save(response), 'TRAWL_TRUNCATED');
    expect(err.message).toContain(`of the ${bytes.byteLength} bytes`);
    expect(await filesLeft()).toEqual([]);
  });

  it('reports a body longer than its Content-Length as truncated (the length lied)', async () => {
    const bytes = png(64, 64);
    await failure(save(responseOf(bytes, { contentLength: 100 })), 'TRAWL_TRUNCATED');
    expect(await filesLeft()).toEqual([]);
  });

  it('refuses a PNG whose header claims 50000×50000 before reading the rest', async () => {
    function* bomb(): Generator<Uint8Array> {
      yield png(50_000, 50_000, { pixels: false, idatBytes: 5000 });
      for (let i = 0; i < 100; i++) yield Buffer.alloc(4096, i);
    }
    const response = fakeResponse(bomb());

    const err = await failure(save(response), 'TRAWL_PIXEL_LIMIT');
    expect(err.message).toContain('50000×50000 = 2.5 GP, limit 100 MP');
    expect(response.pulled).toBe(1);
    expect(response.discarded).toBe(true);
    expect(await filesLeft()).toEqual([]);
  });

  it('refuses a JPEG bomb whose size only shows up past the 64 KiB head, once the file is in', async () => {
    await failure(save(responseOf(jpeg(60_000, 60_000, { exifBytes: 100 * 1024 }))), 'TRAWL_PIXEL_LIMIT');
    expect(await filesLeft()).toEqual([]);
  });

  it('refuses a declared Content-Length over maxFileSize without reading', async () => {
    const response = responseOf(mp4(), { contentLength: 50_000 });
    await failure(save(response, { maxFileSize: 10_000 }), 'TRAWL_TOO_LARGE');
    expect(response.pulled).toBe(0);
    expect(response.discarded).toBe(true);
    expect(await filesLeft()).toEqual([]);
  });

  it('stops a body without Content-Length as soon as it passes maxFileSize', async () => {
    const response = responseOf(mp4(100_000), { contentLength: null, chunkSize: 1000 });
    const err = await failure(save(response, { maxFileSize: 20_000 }), 'TRAWL_TOO_LARGE');
    expect(err.message).toContain('TRAWL_MAX_FILE_SIZE');
    expect(response.pulled).toBe(21);
    expect(await filesLeft()).toEqual([]);
  });
});

describe('saveResponse: filters', () => {
  const filters = (patch: Partial<Filters>): Filters => ({ ...NO_FILTERS, ...patch });

  it('refuses an image whose header is too small before reading the rest of a 200 MiB body, and leaves nothing', async () => {
    function* huge(): Generator<Uint8Array> {
      yield png(300, 200, { pixels: false, idatBytes: 5000 });
      for (let i = 0; i < 3200; i++) yield Buffer.alloc(64 * 1024, i);
    }
    const response = fakeResponse(huge(), { contentLength: 200 * 1024 * 1024 + 5057 });
    const err = await failure(save(response, { maxFileSize: 300 * 1024 * 1024, filters: filters({ minWidth: 1000 }) }), 'TRAWL_FILTERED');
    expect(err.message).toBe('the file is 300 px wide, less than the minimum width of 1000');
    expect(response.pulled).toBe(1);
    expect(response.discarded).toBe(true);
    expect(await filesLeft()).toEqual([]);
  });

  it('refuses the wrong orientation and a format not in the list; keeps what meets them all', async () => {
    await failure(save(responseOf(png(40, 30)), { filters: filters({ orientation: 'portrait' }) }), 'TRAWL_FILTERED');
    const format = await failure(save(responseOf(png(40, 30)), { filters: filters({ format: ['jpeg', 'webp'] }) }), 'TRAWL_FILTERED');
    expect(format.message).toBe('the file is png, not jpeg or webp');
    expect(await filesLeft()).toEqual([]);
    const kept = await save(responseOf(png(40, 30)), { filters: filters({ minWidth: 40, minHeight: 30, orientation: 'landscape', format: ['png'] }) });
    expect(kept).toMatchObject({ width: 40, height: 30 });
    expect(await filesLeft()).toEqual([kept.relativePath]);
  });

  it('lets a video through a format list, which names image types only', async () => {
    const video = await save(responseOf(mp4()), { filters: filters({ format: ['jpeg'], minWidth: 4000 }) });
    expect(video.kind).toBe('video');
  });

  it('checks a JPEG whose size shows up only past the 64 KiB head once the file is in', async () => {
    await failure(save(responseOf(jpeg(640, 480, { exifBytes: 100 * 1024 })), { filters: filters({ minHeight: 600 }) }), 'TRAWL_FILTERED');
    expect(await filesLeft()).toEqual([]);
  });
});

describe('saveResponse: failures and aborts mid-stream', () => {
  /** A body that serves `first`, then signals `pulledFirst` and either throws or never answers. */
  function stalledBody(first: Uint8Array, then: 'hang' | Error): { body: AsyncGenerator<Uint8Array>; pulledFirst: Promise<void> } {
    let resolvePulled = (): void => undefined;
    const pulledFirst = new Promise<void>((resolve) => (resolvePulled = resolve));
    async function* body(): AsyncGenerator<Uint8Array> {
      yield first;
      resolvePulled();
      if (then === 'hang') await new Promise<never>(() => undefined);
      else throw then;
    }
    return { body: body(), pulledFirst };
  }

  it('passes a network error from the body through unchanged and removes the temp file', async () => {
    const reset = new TrawlError('TRAWL_NETWORK', 'connection reset by peer');
    const response = fakeResponse(stalledBody(mp4Header(100_000), reset).body, { contentLength: 100_032 });

    const err = await failure(save(response), 'TRAWL_NETWORK');
    expect(err).toBe(reset);
    expect(response.discarded).toBe(true);
    expect(await filesLeft()).toEqual([]);
  });

  it('turns an unknown body error into a TrawlError', async () => {
    const response = fakeResponse(stalledBody(mp4Header(100_000), new Error('boom')).body);
    const err = await failure(save(response), 'TRAWL_INTERNAL');
    expect(err.message).toContain('boom');
    expect(await filesLeft()).toEqual([]);
  });

  it('rejects with the abort reason when the budget ends mid-stream, even while the body is silent', async () => {
    const controller = new AbortController();
    const stalled = stalledBody(Buffer.concat([mp4Header(100_000), Buffer.alloc(5000)]), 'hang');
    const response = fakeResponse(stalled.body);
    const saving = save(response, { signal: controller.signal });

    await stalled.pulledFirst;
    await vi.waitFor(async () => expect((await filesLeft()).some((f) => /^\.trawl-.+\.part$/.test(f))).toBe(true));
    const reason = new TrawlError('TRAWL_SOURCE_TIMEOUT', 'source budget of 30s ran out');
    controller.abort(reason);

    expect(await failure(saving, 'TRAWL_SOURCE_TIMEOUT')).toBe(reason);
    expect(response.discarded).toBe(true);
    expect(await filesLeft()).toEqual([]);
  });

  it('reports a foreign abort reason as TRAWL_CANCELLED and reads nothing when already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user pressed stop'));
    const response = responseOf(png(4, 4));

    await failure(save(response, { signal: controller.signal }), 'TRAWL_CANCELLED');
    expect(response.pulled).toBe(0);
    expect(response.discarded).toBe(true);
  });

  it('reports a full disk as TRAWL_DISK naming the file, and leaves nothing behind', async () => {
    // Find the FileHandle class through a real handle, then make its writes fail like a full disk.
    const probe = await open(path.join(root, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    vi.spyOn(fileHandle, 'write').mockRejectedValue(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));

    const err = await failure(save(responseOf(png(16, 16))), 'TRAWL_DISK');
    expect(err.message).toMatch(/could not write .*\.trawl-.*\.part: the disk is full \(ENOSPC\)/);
    expect(await filesLeft()).toEqual([]);
  });
});

describe('saveResponse: memory', () => {
  // Regression: racing every read against one long-lived abort promise kept every chunk reachable
  // (a 200 MB download held 200 MB). Fresh chunks, and a forced GC while streaming, make any
  // retention visible; garbage is collected, so only what is really held counts.
  it('holds no chunk it has written: 50 MB of fresh chunks, flat memory', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'tests run with --expose-gc (vitest.config.ts)').toBeTypeOf('function');
    const total = 50 * 1024 * 1024;
    const header = mp4Header(total - 32);
    const expected = createHash('sha256');
    gc?.();
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    function* body(): Generator<Uint8Array> {
      let sent = 0;
      for (let i = 0; sent < total; i++) {
        const chunk = Buffer.alloc(64 * 1024, i & 0xff);
        if (i === 0) header.copy(chunk);
        expected.update(chunk);
        sent += chunk.byteLength;
        if (i % 100 === 99) {
          gc?.();
          peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        }
        yield chunk;
      }
    }
    const saved = await save(fakeResponse(body(), { contentLength: total }), { maxFileSize: 100 * 1024 * 1024 });
    expect(saved).toMatchObject({ bytes: total, sha256: expected.digest('hex'), kind: 'video' });
    // Holding the body would be ≥ 40 MB by the last sample; a streaming save holds a few chunks.
    expect(peak).toBeLessThan(8 * 1024 * 1024);
  });
});

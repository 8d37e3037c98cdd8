/**
 * Tiny but well-formed media files built in memory, and fake HTTP responses that serve them, for
 * the downloader's tests (no network, no fixtures on disk).
 */
import { deflateSync } from 'node:zlib';
import type { HttpResponse } from '../net/http.js';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.byteLength + 4);
  out.writeUInt32BE(data.byteLength, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 8 + data.byteLength);
  return out;
}

/**
 * An RGB PNG whose IHDR claims `width`×`height`. With `pixels: true` (the default) IDAT holds
 * real, decodable scanlines; with false it holds `idatBytes` of filler, for headers that lie.
 */
export function png(width: number, height: number, options: { pixels?: boolean; idatBytes?: number } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const raw = options.pixels === false ? Buffer.alloc(options.idatBytes ?? 64, 7) : scanlines(width, height);
  const idat = options.pixels === false ? raw : deflateSync(raw);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function scanlines(width: number, height: number): Buffer {
  const row = 1 + width * 3;
  const raw = Buffer.alloc(row * height);
  for (let i = 0; i < raw.byteLength; i++) if (i % row !== 0) raw[i] = (i * 31) & 0xff;
  return raw;
}

/**
 * A baseline JPEG header (SOI, `exifBytes` of metadata in APP1 segments — one segment holds at
 * most 64 KiB, so large EXIF spans several — then SOF0 with the dimensions) and filler.
 */
export function jpeg(width: number, height: number, options: { exifBytes?: number; bodyBytes?: number } = {}): Buffer {
  const parts = [Buffer.from([0xff, 0xd8])];
  for (let left = options.exifBytes ?? 0; left > 0; left -= 60_000) {
    const size = Math.max(6, Math.min(left, 60_000));
    const app1 = Buffer.alloc(4 + size);
    app1.writeUInt16BE(0xffe1, 0);
    app1.writeUInt16BE(2 + size, 2);
    app1.write('Exif\0\0', 4, 'latin1');
    parts.push(app1);
  }
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  parts.push(sof, Buffer.alloc(options.bodyBytes ?? 256, 0x55), Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

/** The start of an MP4: an `ftyp` box with `brand`, then an `mdat` box header announcing `payloadBytes`. */
export function mp4Header(payloadBytes: number, brand = 'isom'): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftyp', 4, 'latin1');
  ftyp.write(brand.padEnd(4, ' '), 8, 'latin1');
  ftyp.write('isomiso2', 16, 'latin1');
  const mdat = Buffer.alloc(8);
  mdat.writeUInt32BE(8 + payloadBytes, 0);
  mdat.write('mdat', 4, 'latin1');
  return Buffer.concat([ftyp, mdat]);
}

/** A complete small MP4: header plus `payloadBytes` of filler media data. */
export function mp4(payloadBytes = 5000, brand = 'isom'): Buffer {
  return Buffer.concat([mp4Header(payloadBytes, brand), Buffer.alloc(payloadBytes, 0x42)]);
}

/** A WebM: an EBML header with DocType `webm`, then a Segment of filler. */
export function webm(payloadBytes = 5000): Buffer {
  const docType = Buffer.from([0x42, 0x82, 0x84, ...Buffer.from('webm', 'latin1')]);
  const ebml = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80 | docType.byteLength]), docType]);
  const segment = Buffer.from([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  return Buffer.concat([ebml, segment, Buffer.alloc(payloadBytes, 0x11)]);
}

/** Splits a buffer into chunks of `size` bytes. */
function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** A fake response over `body`, recording how many chunks were pulled and whether it was discarded. */
export interface FakeResponse extends HttpResponse {
  readonly pulled: number;
  readonly discarded: boolean;
}

export function fakeResponse(
  body: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: { contentLength?: number | null; contentType?: string } = {},
): FakeResponse {
  let pulled = 0;
  let discarded = false;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      pulled++;
      yield chunk;
    }
  }
  return {
    status: 200,
    headers: { 'content-type': options.contentType ?? 'image/png' },
    url: 'http://127.0.0.1:9/media',
    contentLength: options.contentLength ?? null,
    body: counted(),
    discard: () => {
      discarded = true;
      return Promise.resolve();
    },
    get pulled() {
      return pulled;
    },
    get discarded() {
      return discarded;
    },
  };
}

/** A fake response serving `bytes` in chunks, declaring its true length unless told otherwise. */
export function responseOf(bytes: Uint8Array, options: { chunkSize?: number; contentLength?: number | null } = {}): FakeResponse {
  const contentLength = options.contentLength === undefined ? bytes.byteLength : options.contentLength;
  return fakeResponse(chunked(bytes, options.chunkSize ?? 16 * 1024), { contentLength });
}

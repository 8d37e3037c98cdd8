/**
 * A minimal PNG encoder (truecolour, 8 bits per channel, no interlace) built on node:zlib, so the
 * simulator serves files any decoder accepts without an image library.
 */
import { deflateSync } from 'node:zlib';
import { fillNoise } from './random.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BYTES_PER_PIXEL = 3;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 PNG chunks carry (same polynomial as zlib's). */
export function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function header(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour RGB
  // compression, filter and interlace methods stay 0
  return chunk('IHDR', ihdr);
}

/** Raw scanlines: each row is a filter byte (0 = none) followed by width × 3 bytes of RGB. */
function encode(width: number, height: number, scanlines: Buffer): Buffer {
  return Buffer.concat([SIGNATURE, header(width, height), chunk('IDAT', deflateSync(scanlines, { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}

/** How many bytes a noise PNG of these dimensions needs before compression (filter bytes included). */
export function scanlineBytes(width: number, height: number): number {
  return height * (1 + width * BYTES_PER_PIXEL);
}

/** A valid PNG of `width` × `height` pixels of noise seeded by `seed`: incompressible, so its size is predictable. */
export function noisePng(width: number, height: number, seed: string): Buffer {
  const stride = 1 + width * BYTES_PER_PIXEL;
  const scanlines = fillNoise(Buffer.alloc(scanlineBytes(width, height)), seed);
  for (let row = 0; row < height; row++) scanlines[row * stride] = 0;
  return encode(width, height, scanlines);
}

/**
 * `png` with a tEXt chunk ("Comment" = `label`) right after its IHDR: a different, still valid file
 * made without re-encoding the pixels, so many unique images can share one encoded body.
 */
export function labelledPng(png: Buffer, label: string): Buffer {
  const afterHeader = SIGNATURE.length + 25;
  const text = chunk('tEXt', Buffer.from(`Comment\0${label}`, 'latin1'));
  return Buffer.concat([png.subarray(0, afterHeader), text, png.subarray(afterHeader)]);
}

/** Claimed by {@link hugeDimensionsPng}: 2.5 gigapixels, far beyond any sane decode limit. */
export const HUGE_DIMENSION = 50_000;

/**
 * A decompression-bomb header: a small file whose IHDR claims 50,000 × 50,000 pixels. Only one
 * scanline of data follows, so a client must reject it from the header, never by decoding.
 */
export function hugeDimensionsPng(): Buffer {
  const oneRow = Buffer.alloc(1 + HUGE_DIMENSION * BYTES_PER_PIXEL);
  return Buffer.concat([SIGNATURE, header(HUGE_DIMENSION, HUGE_DIMENSION), chunk('IDAT', deflateSync(oneRow)), chunk('IEND', Buffer.alloc(0))]);
}

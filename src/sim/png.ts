/**
 * A minimal PNG encoder (truecolour, 8 bits per channel, no interlace) built on node:zlib, so the
 * simulator serves files any decoder accepts without an image library.
 */
import { deflateSync, crc32 as zlibCrc32 } from 'node:zlib';
import { fillNoise, seededUint32 } from './random.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BYTES_PER_PIXEL = 3;

/** The CRC-32 PNG chunks carry (zlib's, in native code: a JavaScript loop cost more than the pixels). */
export function crc32(data: Buffer): number {
  return zlibCrc32(data);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlibCrc32(data, zlibCrc32(head.subarray(4))), 0);
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

/**
 * Raw scanlines: each row is a filter byte (0 = none) followed by width × 3 bytes of RGB. They are
 * stored (deflate level 0): noisy pixels would not shrink anyway, and storing is several times
 * faster than compressing, which matters when a benchmark serves thousands of them.
 */
function encode(width: number, height: number, scanlines: Buffer): Buffer {
  return Buffer.concat([SIGNATURE, header(width, height), chunk('IDAT', deflateSync(scanlines, { level: 0 })), chunk('IEND', Buffer.alloc(0))]);
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

/** A picture is blended from a lattice of (GRID + 1) × (GRID + 1) colours. */
const GRID = 4;
const SIDE = GRID + 1;
/** Colour values of the lattice stay below this, so the grain on top never overflows a byte. */
const BASE_RANGE = 192;
/** How far a channel may stray from its point's brightness. */
const TINT_RANGE = 40;
/** The grain over the picture: the low bits of each byte. */
const GRAIN_MASK = 256 - BASE_RANGE - 1;
/** Grain repeats every this many bytes (a power of two), so no image pays for fresh noise. */
const GRAIN_BYTES = 1 << 16;
let grain: Buffer | undefined;

/**
 * A valid PNG of `width` × `height` pixels showing the picture `seed` names: smooth colour fields
 * (a lattice of colours picked by the seed, bilinearly blended) under a fine grain. The fields
 * depend on the position relative to the image, not on its size, so two sizes of one seed are a
 * resize of one picture, and two seeds are different pictures (what a perceptual hash sees). The
 * grain keeps the file photo-like and about as large as its pixels; it costs no noise generation.
 */
export function picturePng(width: number, height: number, seed: string): Buffer {
  const next = seededUint32(`picture:${seed}`);
  const lattice = colourLattice(next);
  grain ??= fillNoise(Buffer.alloc(GRAIN_BYTES), 'trawl-sim-grain');
  const offset = next();
  const columns = blendWeights(width);
  const rows = blendWeights(height);
  const scanlines = Buffer.alloc(scanlineBytes(width, height));
  const across = new Float64Array(SIDE * 3);
  let at = 0;
  for (let y = 0; y < height; y++) {
    const top = (rows.cell[y] ?? 0) * SIDE * 3;
    const fy = rows.share[y] ?? 0;
    for (let i = 0; i < SIDE * 3; i++) across[i] = (lattice[top + i] ?? 0) * (1 - fy) + (lattice[top + SIDE * 3 + i] ?? 0) * fy;
    scanlines[at++] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const left = (columns.cell[x] ?? 0) * 3;
      const fx = columns.share[x] ?? 0;
      for (let c = left; c < left + 3; c++) {
        const a = across[c] ?? 0;
        scanlines[at] = a + ((across[c + 3] ?? 0) - a) * fx + ((grain[(at + offset) & (GRAIN_BYTES - 1)] ?? 0) & GRAIN_MASK);
        at++;
      }
    }
  }
  return encode(width, height, scanlines);
}

/**
 * The lattice's colours: a brightness per point with a small tint per channel, so the picture's
 * light and dark areas (what a perceptual hash reads) differ strongly from seed to seed.
 */
function colourLattice(next: () => number): Float64Array {
  const lattice = new Float64Array(SIDE * SIDE * 3);
  for (let point = 0; point < SIDE * SIDE; point++) {
    const brightness = next() % (BASE_RANGE - TINT_RANGE);
    for (let c = 0; c < 3; c++) lattice[point * 3 + c] = brightness + (next() % TINT_RANGE);
  }
  return lattice;
}

/** For each of `n` pixels along one side: the lattice cell its centre falls in, and how far across it (0 to 1). */
function blendWeights(n: number): { cell: Uint8Array; share: Float64Array } {
  const cell = new Uint8Array(n);
  const share = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = ((i + 0.5) / n) * GRID;
    cell[i] = Math.min(GRID - 1, Math.floor(at));
    share[i] = at - (cell[i] ?? 0);
  }
  return { cell, share };
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

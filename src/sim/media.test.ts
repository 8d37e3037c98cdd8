import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MediaLibrary, streamedMp4, videoDimensions } from './media.js';
import { crc32, HUGE_DIMENSION, hugeDimensionsPng } from './png.js';

const library = (): MediaLibrary => new MediaLibrary({ imageBytes: 24_000, videoBytes: 200_000 });

/** The concatenated IDAT data of a PNG, checking every chunk's CRC on the way. */
function idat(png: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
    if (png.toString('latin1', offset + 4, offset + 8) === 'IDAT') parts.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  return Buffer.concat(parts);
}

/** The mean brightness of each cell of a 4 × 4 grid over a simulator PNG (RGB, filter 0 on every row). */
function thumbnail(png: Buffer): number[] {
  const { width = 0, height = 0 } = imageSize(png);
  const pixels = inflateSync(idat(png));
  const sums = new Array<number>(16).fill(0);
  const counts = new Array<number>(16).fill(0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = y * (1 + width * 3) + 1 + x * 3;
      const cell = Math.floor((y * 4) / height) * 4 + Math.floor((x * 4) / width);
      sums[cell] = (sums[cell] ?? 0) + ((pixels[at] ?? 0) + (pixels[at + 1] ?? 0) + (pixels[at + 2] ?? 0)) / 3;
      counts[cell] = (counts[cell] ?? 0) + 1;
    }
  }
  return sums.map((sum, i) => sum / (counts[i] ?? 1));
}

/** Mean absolute difference of two thumbnails. */
function distance(a: number[], b: number[]): number {
  return a.reduce((total, value, i) => total + Math.abs(value - (b[i] ?? 0)), 0) / a.length;
}

describe('PNG images', () => {
  it('are valid PNGs whose real dimensions are the ones reported', async () => {
    const media = library();
    for (const key of ['pexels/photo-1', 'openverse/abc', 'wikimedia_commons/a/ab/Cat_1']) {
      const bytes = media.image(key);
      expect(await fileTypeFromBuffer(bytes)).toEqual({ ext: 'png', mime: 'image/png' });
      const size = imageSize(bytes);
      expect({ width: size.width, height: size.height }).toEqual(media.imageDimensions(key));
    }
  });

  it('are about imageBytes large, stable per key and different between keys', () => {
    const a = library().image('pexels/photo-1');
    expect(a.length).toBeGreaterThan(20_000);
    expect(a.length).toBeLessThan(30_000);
    expect(library().image('pexels/photo-1').equals(a)).toBe(true);
    expect(library().image('pexels/photo-2').equals(a)).toBe(false);
  });

  it('scale with imageBytes', () => {
    const big = new MediaLibrary({ imageBytes: 200_000, videoBytes: 200_000 }).image('k');
    expect(big.length).toBeGreaterThan(180_000);
  });

  it('carry correct chunk CRCs', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const png = library().image('pexels/photo-9');
    let offset = 8;
    while (offset < png.length) {
      const length = png.readUInt32BE(offset);
      const typeAndData = png.subarray(offset + 4, offset + 8 + length);
      expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(typeAndData));
      offset += 12 + length;
    }
    expect(offset).toBe(png.length);
  });

  it('with sharedPixels stay valid, sized and unique per key while sharing one encoded body', async () => {
    const shared = new MediaLibrary({ imageBytes: 100_000, videoBytes: 200_000, sharedPixels: true });
    const [a, b] = [shared.image('pexels/photo-1'), shared.image('pexels/photo-7')];
    expect(await fileTypeFromBuffer(a)).toEqual({ ext: 'png', mime: 'image/png' });
    const size = imageSize(a);
    expect({ width: size.width, height: size.height }).toEqual(shared.imageDimensions('pexels/photo-1'));
    expect(a.length).toBeGreaterThan(90_000);
    expect(a.equals(b)).toBe(false);
    expect(shared.image('pexels/photo-1').equals(a)).toBe(true);
    expect(inflateSync(idat(a)).length).toBe(size.height * (1 + size.width * 3));
  });

  it('show a different picture per key, the same picture at any size', () => {
    const media = library();
    const [cat, dog] = ['pexels/cats-1', 'pexels/cats-2'];
    const { width, height } = media.imageDimensions(cat);
    const small = media.image(cat, { width: Math.round(width / 3), height: Math.round(height / 3) });
    expect(imageSize(small)).toMatchObject({ width: Math.round(width / 3), height: Math.round(height / 3) });
    const [full, smaller, other] = [media.image(cat), small, media.image(dog)].map((png) => thumbnail(png));
    // Averaged over a 4 × 4 grid, a resize stays within a few levels; another picture is far away.
    expect(distance(full ?? [], smaller ?? [])).toBeLessThan(5);
    expect(distance(full ?? [], other ?? [])).toBeGreaterThan(10);
  });

  it('serve a lying source\'s image at a tenth of its declared size unless told the size', () => {
    const media = library();
    const { width, height } = media.imageDimensions('pexels/cats-1');
    expect(imageSize(media.image('pexels/cats-1', {}))).toMatchObject({ width: Math.round(width / 10), height: Math.round(height / 10) });
    expect(imageSize(media.image('pexels/cats-1', { width: 7 }))).toMatchObject({ width: 7, height: Math.round(height / 10) });
  });

  it('include a small decompression bomb claiming 50,000 × 50,000 pixels', () => {
    const bomb = hugeDimensionsPng();
    expect(bomb.length).toBeLessThan(2_000);
    expect(imageSize(bomb)).toMatchObject({ width: HUGE_DIMENSION, height: HUGE_DIMENSION });
  });
});

describe('videos', () => {
  it('are MP4s and WebMs that file-type identifies, about videoBytes large', async () => {
    const media = library();
    const mp4 = media.video('pexels/video-1-hd-1280x720', 'mp4');
    const webm = media.video('wikimedia_commons/a/ab/Clip_1', 'webm');
    expect(await fileTypeFromBuffer(mp4)).toEqual({ ext: 'mp4', mime: 'video/mp4' });
    expect(await fileTypeFromBuffer(webm)).toEqual({ ext: 'webm', mime: 'video/webm' });
    for (const file of [mp4, webm]) {
      expect(file.length).toBeGreaterThan(190_000);
      expect(file.length).toBeLessThan(210_000);
    }
    expect(media.video('pexels/video-2-hd-1280x720', 'mp4').equals(mp4)).toBe(false);
  });

  it('take their dimensions from the key', () => {
    expect(videoDimensions('pexels/video-1-sd-640x360')).toEqual({ width: 640, height: 360 });
    expect(videoDimensions('x/Clip.webm.480p.vp9')).toEqual({ width: 854, height: 480 });
    expect(videoDimensions('x/Clip')).toEqual({ width: 1280, height: 720 });
  });
});

describe('streamedMp4', () => {
  it('has exactly the requested length, an MP4 header, and reads consistently across slice boundaries', async () => {
    const total = 3 * 1024 * 1024 + 17;
    const body = streamedMp4(total);
    expect(body.length).toBe(total);
    expect(await fileTypeFromBuffer(body.slice(0, 4100))).toEqual({ ext: 'mp4', mime: 'video/mp4' });
    const whole = body.slice(0, total);
    const pieces: Buffer[] = [];
    for (let at = 0; at < total; at += 100_003) pieces.push(body.slice(at, Math.min(total, at + 100_003)));
    expect(Buffer.concat(pieces).equals(whole)).toBe(true);
  });

  it('declares a 64-bit mdat beyond 4 GiB without allocating it', () => {
    const body = streamedMp4(5 * 1024 ** 3);
    expect(body.length).toBe(5 * 1024 ** 3);
    expect(body.slice(body.length - 10, body.length)).toHaveLength(10);
  });

  it('refuses a size smaller than its header', () => {
    expect(() => streamedMp4(10)).toThrow(/at least/);
  });
});

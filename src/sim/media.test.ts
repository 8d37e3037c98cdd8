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

/**
 * The simulator's media: real PNG, MP4 and WebM bytes, unique and stable per media key (the path
 * below `/media/` without its extension). Dimensions derive from the key alone, so an API answer can
 * report them without generating the file, and they always equal the file's own, unless a
 * `lie-size` fault makes the file smaller than its source declared. Each image key shows its own
 * picture (see picturePng), the same picture at whatever size it is served.
 */
import { type Body, paddedBody } from './body.js';
import { labelledPng, noisePng, picturePng } from './png.js';
import { fillNoise, hashString, seededUint32 } from './random.js';
import { mp4Header, webmFile } from './video.js';

/** Pixel dimensions of a generated image or video. */
export interface Dimensions {
  width: number;
  height: number;
}

/** The real size of an image whose source lies about it (`lie-size`): a side left out is a tenth of the declared one. */
export interface SizeLie {
  width?: number;
  height?: number;
}

/** The video containers the simulator produces. */
export type VideoContainer = 'mp4' | 'webm';

/** Content types of the media the simulator serves, by file extension. */
export const MEDIA_TYPES = {
  png: 'image/png',
  mp4: 'video/mp4',
  webm: 'video/webm',
  m3u8: 'application/vnd.apple.mpegurl',
} as const;

const NOISE_BYTES = 1024 * 1024;
let noise: Buffer | undefined;

/** One shared MiB of pseudo-random bytes: the payload of streamed and oversized bodies. */
export function noiseBlock(): Buffer {
  noise ??= fillNoise(Buffer.alloc(NOISE_BYTES), 'trawl-sim-noise');
  return noise;
}

/** Dimensions a video key asks for (its last `…1280x720…`, else its last `…480p…` at 16:9), else 1280 × 720. */
export function videoDimensions(key: string): Dimensions {
  const sized = [...key.matchAll(/(\d{2,5})x(\d{2,5})/g)].at(-1);
  if (sized) return { width: Number(sized[1]), height: Number(sized[2]) };
  const lines = [...key.matchAll(/(\d{3,4})p\b/g)].at(-1);
  if (lines) {
    const height = Number(lines[1]);
    return { width: 2 * Math.round((height * 16) / 9 / 2), height };
  }
  return { width: 1280, height: 720 };
}

/**
 * A valid MP4 of exactly `totalBytes` that streams from a shared noise block: the benchmark
 * endpoint's body, produced as it is sent. `totalBytes` must cover the header.
 */
export function streamedMp4(totalBytes: number): Body {
  const smallHeader = mp4Header(1920, 1080, 0).length;
  // Past 4 GiB the mdat box needs a 64-bit size, which makes the header 8 bytes longer.
  const headerBytes = totalBytes - smallHeader + 16 <= 0xffffffff ? smallHeader : smallHeader + 8;
  if (totalBytes < headerBytes) throw new RangeError(`a streamed MP4 needs at least ${headerBytes} bytes; got ${totalBytes}`);
  return paddedBody(mp4Header(1920, 1080, totalBytes - headerBytes), totalBytes, noiseBlock());
}

const ASPECT_RATIOS: readonly (readonly [number, number])[] = [[4, 3], [3, 2], [16, 9], [1, 1], [2, 3], [3, 4]];
const CACHE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Generates and caches media files; one per simulator, sized by its options. */
export class MediaLibrary {
  private readonly cache = new Map<string, Buffer>();
  private cachedBytes = 0;

  constructor(private readonly sizes: { imageBytes: number; videoBytes: number; sharedPixels?: boolean }) {}

  /** The dimensions of the PNG for `key`: a common aspect ratio picked by the key, sized so the file is ~imageBytes. */
  imageDimensions(key: string): Dimensions {
    const [w, h] = ASPECT_RATIOS[seededUint32(`dims:${key}`)() % ASPECT_RATIOS.length] ?? [1, 1];
    const pixels = this.sizes.imageBytes / 3;
    const width = Math.max(8, Math.round(Math.sqrt((pixels * w) / h)));
    return { width, height: Math.max(8, Math.round(pixels / width)) };
  }

  /**
   * The PNG for `key`: its picture, ~imageBytes, of the dimensions {@link imageDimensions} reports;
   * with `lie`, the same picture at the smaller size a lying source really serves.
   */
  image(key: string, lie?: SizeLie): Buffer {
    const { width, height } = lie === undefined ? this.imageDimensions(key) : this.liedDimensions(key, lie);
    if (this.sizes.sharedPixels === true) {
      // One encoded body per size, labelled per key: unique files (distinct hashes) at the cost of a copy.
      return labelledPng(this.cached(`png-shared:${width}x${height}`, () => noisePng(width, height, `shared:${width}x${height}`)), key);
    }
    return this.cached(`png:${key}:${width}x${height}`, () => picturePng(width, height, key));
  }

  private liedDimensions(key: string, lie: SizeLie): Dimensions {
    const declared = this.imageDimensions(key);
    const tenth = (side: number): number => Math.max(1, Math.round(side / 10));
    return { width: lie.width ?? tenth(declared.width), height: lie.height ?? tenth(declared.height) };
  }

  /** The video for `key` in `container`, ~videoBytes, with the dimensions {@link videoDimensions} reads from the key. */
  video(key: string, container: VideoContainer): Buffer {
    return this.cached(`${container}:${key}`, () => {
      const { width, height } = videoDimensions(key);
      const payloadBytes = Math.max(64, this.sizes.videoBytes - 256);
      const payload = fillNoise(Buffer.alloc(payloadBytes), key);
      return container === 'mp4' ? Buffer.concat([mp4Header(width, height, payload.length), payload]) : webmFile(width, height, payload, hashString(key));
    });
  }

  private cached(key: string, make: () => Buffer): Buffer {
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      // Re-inserting moves the entry to the back: the Map's order is least-recently-used first.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const bytes = make();
    this.cache.set(key, bytes);
    this.cachedBytes += bytes.length;
    for (const [oldKey, old] of this.cache) {
      if (this.cachedBytes <= CACHE_LIMIT_BYTES) break;
      this.cache.delete(oldKey);
      this.cachedBytes -= old.length;
    }
    return bytes;
  }
}

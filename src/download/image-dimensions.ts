import { imageSize } from 'image-size';
import { TrawlError } from '../errors.js';

/** Width and height as displayed (EXIF rotations by 90° already applied). */
export interface Dimensions {
  width: number;
  height: number;
}

/**
 * Reads the dimensions an image header declares from its first bytes, or null when they are not
 * in `bytes` (yet) or the header is unreadable. Only the header is parsed; nothing is decoded.
 */
export function readDimensions(bytes: Uint8Array): Dimensions | null {
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch {
    // image-size throws on truncated or unsupported headers; "unknown" is the honest answer.
    return null;
  }
  const { width, height, orientation } = size;
  // A header cut off mid-field reads as NaN or 0 rather than throwing.
  if (!isPositiveInteger(width) || !isPositiveInteger(height)) return null;
  // EXIF orientations 5–8 rotate by 90°: the stored width is the displayed height.
  return orientation !== undefined && orientation >= 5 && orientation <= 8 ? { width: height, height: width } : { width, height };
}

/**
 * Throws TRAWL_PIXEL_LIMIT when the header claims more than `maxPixels`: decoding such an image
 * (a decompression bomb) would need gigabytes of memory, whatever the file size.
 */
export function assertPixelsWithin(dimensions: Dimensions, maxPixels: number): void {
  const pixels = dimensions.width * dimensions.height;
  if (pixels <= maxPixels) return;
  throw new TrawlError(
    'TRAWL_PIXEL_LIMIT',
    `image header claims ${dimensions.width}×${dimensions.height} = ${formatPixels(pixels)}, limit ${formatPixels(maxPixels)}`,
    { context: { width: dimensions.width, height: dimensions.height, maxPixels } },
  );
}

function formatPixels(pixels: number): string {
  const [value, unit] = pixels >= 1e9 ? [pixels / 1e9, 'GP'] : pixels >= 1e6 ? [pixels / 1e6, 'MP'] : [pixels, 'pixels'];
  return `${Number(value.toFixed(1))} ${unit}`;
}

function isPositiveInteger(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

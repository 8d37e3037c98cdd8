import { type Filters, NO_FILTERS } from '../domain.js';
import { TrawlError } from '../errors.js';
import { formatMismatch, sizeMismatch, unknownSizeMismatch } from '../filters/checks.js';
import { type Dimensions, assertPixelsWithin, readDimensions } from './image-dimensions.js';
import { type MediaFormat, SNIFF_BYTES, identifyMedia } from './media-types.js';

/** How much of the body is kept in memory for sniffing and image headers. */
const HEAD_BYTES = 64 * 1024;
/** JPEG dimensions can sit after a large EXIF block; this much of the file is re-read for them. */
const LATE_HEADER_BYTES = 1024 * 1024;

/** What the probe learnt about a complete body. */
export interface ProbeResult {
  format: MediaFormat;
  /** Null when the image header could not be read, and for video and audio. */
  dimensions: Dimensions | null;
}

/**
 * Watches a body go by, keeping only its first 64 KiB, and decides as early as the bytes allow:
 * the media type once SNIFF_BYTES have arrived, an image's dimensions as soon as its header is in.
 * `push` throws TRAWL_NOT_MEDIA or TRAWL_PIXEL_LIMIT at that moment, so the caller stops reading;
 * and TRAWL_FILTERED when the type or the size fails the job's filters (an image too small is
 * known from its header, whatever the size of the file behind it).
 */
export class MediaProbe {
  private readonly head = Buffer.allocUnsafe(HEAD_BYTES);
  private length = 0;
  private format: MediaFormat | undefined;
  /** undefined: not found yet; null: the header cannot give them. */
  private dimensions: Dimensions | null | undefined;
  /** Head length at the last header read; reads are retried as the head doubles, not per chunk. */
  private triedAt = 0;

  constructor(
    private readonly maxPixels: number,
    private readonly filters: Filters = NO_FILTERS,
  ) {}

  /** Takes the next chunk of the body (copied as far as the head needs it). */
  async push(chunk: Uint8Array): Promise<void> {
    if (this.length < HEAD_BYTES) {
      const take = Math.min(chunk.byteLength, HEAD_BYTES - this.length);
      this.head.set(chunk.subarray(0, take), this.length);
      this.length += take;
    }
    if (this.format === undefined) {
      if (this.length < SNIFF_BYTES) return;
      this.format = this.admit(await identifyMedia(this.bytes()));
    }
    const grown = this.length >= 2 * this.triedAt || this.length === HEAD_BYTES;
    if (this.dimensions === undefined && grown && this.length > this.triedAt) this.findDimensions();
  }

  /**
   * Decides what the probe could not decide while streaming, once the whole body is in.
   * `readStart(n)` returns the first n bytes of the stored file, for headers past the 64 KiB head.
   */
  async finish(readStart: (bytes: number) => Promise<Uint8Array>): Promise<ProbeResult> {
    this.format ??= this.admit(await identifyMedia(this.bytes()));
    if (this.dimensions === undefined && this.length > this.triedAt) this.findDimensions();
    // A full head means the body may go on: the header can still be in the file.
    if (this.format.kind === 'image' && this.dimensions === undefined && this.length === HEAD_BYTES) {
      this.dimensions = this.accept(readDimensions(await readStart(LATE_HEADER_BYTES)));
    }
    const dimensions = this.dimensions ?? null;
    if (this.format.kind === 'image' && dimensions === null) refuse(unknownSizeMismatch(this.filters));
    return { format: this.format, dimensions };
  }

  private findDimensions(): void {
    this.triedAt = this.length;
    if (this.format?.kind !== 'image') {
      this.dimensions = null;
      return;
    }
    const found = readDimensions(this.bytes());
    if (found) this.dimensions = this.accept(found);
  }

  private admit(format: MediaFormat): MediaFormat {
    refuse(formatMismatch(format.kind, format.ext, this.filters));
    return format;
  }

  private accept(found: Dimensions | null): Dimensions | null {
    if (found) {
      assertPixelsWithin(found, this.maxPixels);
      refuse(sizeMismatch(found.width, found.height, this.filters, 'is'));
    }
    return found;
  }

  private bytes(): Uint8Array {
    return this.head.subarray(0, this.length);
  }
}

/** Throws TRAWL_FILTERED for a file that fails the filters for `reason`; nothing when it is null. */
function refuse(reason: string | null): void {
  if (reason !== null) throw new TrawlError('TRAWL_FILTERED', `the file ${reason}`, { context: { reason } });
}

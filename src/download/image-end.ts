import { TrawlError } from '../errors.js';

/** How much of a file's end is read to find its end marker: JPEG may carry maker data after EOI. */
export const IMAGE_TAIL_BYTES = 64 * 1024;

/** PNG's last chunk: length 0, type IEND, its fixed CRC. */
const PNG_IEND = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
const JPEG_EOI = Buffer.from([0xff, 0xd9]);

/** Where a file's bytes sit for the check: its first 12 bytes, its last {@link IMAGE_TAIL_BYTES}, its size. */
export interface FileEnds {
  head: Uint8Array;
  tail: Uint8Array;
  bytes: number;
}

/**
 * Keeps a body's first 12 bytes and its last {@link IMAGE_TAIL_BYTES} while it streams, so the
 * end check needs no second read of the file. Holds at most the tail plus one chunk.
 */
export class EndKeeper {
  private head = Buffer.alloc(0);
  private readonly tail: Uint8Array[] = [];
  private tailBytes = 0;

  push(chunk: Uint8Array): void {
    if (this.head.byteLength < 12) this.head = Buffer.concat([this.head, chunk.subarray(0, 12 - this.head.byteLength)]);
    this.tail.push(chunk);
    this.tailBytes += chunk.byteLength;
    for (let first = this.tail[0]; first !== undefined && this.tail.length > 1 && this.tailBytes - first.byteLength >= IMAGE_TAIL_BYTES; first = this.tail[0]) {
      this.tail.shift();
      this.tailBytes -= first.byteLength;
    }
  }

  /** The ends of a body of `bytes` bytes, everything pushed so far. */
  ends(bytes: number): FileEnds {
    const tail = Buffer.concat(this.tail);
    return { head: this.head, tail: tail.subarray(Math.max(0, tail.byteLength - IMAGE_TAIL_BYTES)), bytes };
  }
}

/**
 * Refuses an image that was cut short at its origin yet delivered with a matching Content-Length
 * (a half-uploaded file, a CDN caching a broken copy): every transfer check passes, only the
 * format's own end tells. PNG/APNG must end with the IEND chunk, JPEG with the EOI marker (within
 * its tail), and WebP must be as long as its RIFF header declares. Other formats are not checked.
 * Throws TRAWL_NOT_MEDIA naming what is missing: a cut image is not a usable image file.
 */
export function assertImageComplete(ext: string, ends: FileEnds): void {
  const missing = missingEnd(ext, ends);
  if (missing === undefined) return;
  throw new TrawlError('TRAWL_NOT_MEDIA', `got a truncated ${ext} image (${missing}) of ${ends.bytes} bytes`, { context: { sniffed: ext, bytes: ends.bytes } });
}

function missingEnd(ext: string, { head, tail, bytes }: FileEnds): string | undefined {
  switch (ext) {
    case 'png':
    case 'apng':
      return Buffer.from(tail).includes(PNG_IEND) ? undefined : 'no IEND chunk at its end';
    case 'jpg':
      return Buffer.from(tail).includes(JPEG_EOI) ? undefined : 'no end-of-image marker';
    case 'webp': {
      if (head.byteLength < 8) return 'no RIFF header';
      const declared = Buffer.from(head).readUInt32LE(4) + 8;
      return declared <= bytes ? undefined : `its RIFF header declares ${declared} bytes`;
    }
    default:
      return undefined;
  }
}

/**
 * Response bodies the sender reads piece by piece, so a 10 GiB body is generated as it is sent and
 * never held in memory.
 */

/** A body of known length that can be read in ranges. */
export interface Body {
  readonly length: number;
  /** Bytes `[start, end)`, with `0 ≤ start ≤ end ≤ length`. */
  slice(start: number, end: number): Buffer;
}

/** A body held in memory. */
export function bufferBody(bytes: Buffer): Body {
  return { length: bytes.length, slice: (start, end) => bytes.subarray(start, end) };
}

/**
 * `prefix` followed by `filler` repeated, `length` bytes in all (a real file header, then a payload
 * that costs nothing to produce). Ranges inside one piece are returned without copying.
 */
export function paddedBody(prefix: Buffer, length: number, filler: Buffer): Body {
  if (filler.length === 0) throw new Error('paddedBody: filler must not be empty');
  const byteAt = (position: number): { piece: Buffer; offset: number } =>
    position < prefix.length ? { piece: prefix, offset: position } : { piece: filler, offset: (position - prefix.length) % filler.length };
  return {
    length,
    slice(start, end) {
      const first = byteAt(start);
      if (end - start <= first.piece.length - first.offset) return first.piece.subarray(first.offset, first.offset + end - start);
      const out = Buffer.allocUnsafe(end - start);
      let written = 0;
      while (written < out.length) {
        const { piece, offset } = byteAt(start + written);
        written += piece.copy(out, written, offset, Math.min(piece.length, offset + out.length - written));
      }
      return out;
    },
  };
}

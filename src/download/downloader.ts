import { createHash } from 'node:crypto';
import path from 'node:path';
import { formatBytes } from '../config/units.js';
import type { Filters, MediaKind } from '../domain.js';
import { abortReason } from '../signal.js';
import { TrawlError, toTrawlError } from '../errors.js';
import type { HttpResponse } from '../net/http.js';
import { onDisk } from './disk-error.js';
import { EndKeeper, type FileEnds, assertImageComplete } from './image-end.js';
import { placeInLibrary } from './library-file.js';
import { MediaProbe } from './media-probe.js';
import { type TempFile, createTempFile, releaseTempFile, removeTempFile } from './temp-files.js';

export interface SaveOptions {
  /** The item's budget: on abort the download stops, its temp file is deleted, and saveResponse rejects with the abort reason. */
  signal: AbortSignal;
  /** Absolute library root (the --out dir or the data dir's library); created if missing. */
  dir: string;
  /** Bytes; checked against Content-Length before reading and counted while streaming. */
  maxFileSize: number;
  /** Decompression-bomb guard: an image header claiming more pixels is rejected before the rest is read. */
  maxPixels: number;
  /**
   * What the file must meet (absent: nothing): its sniffed type and its header's size are checked
   * as soon as they are known, and a file that fails is refused with TRAWL_FILTERED mid-stream.
   */
  filters?: Filters;
}

/** A verified media file in the library. */
export interface SavedFile {
  /** Absolute path of the final file. */
  path: string;
  /** `<ab>/<sha256>.<ext>` relative to dir (always forward slashes). */
  relativePath: string;
  bytes: number;
  sha256: string;
  /** Sniffed from magic bytes, e.g. image/png — never the server's claim. */
  contentType: string;
  kind: MediaKind;
  /** From the image header (as displayed); null for video, audio and unreadable headers. */
  width: number | null;
  height: number | null;
  /** True when a file with the same content already existed in the library (stored once). */
  duplicate: boolean;
}

/**
 * Streams an opened response into the library as a verified, content-addressed file: written to
 * a temp file with backpressure (memory stays flat whatever the size), hashed on the way, sniffed
 * from its first bytes (non-media and pixel bombs are refused before the rest is read), checked
 * against Content-Length and maxFileSize, fsynced, then renamed to `<sha[0:2]>/<sha>.<ext>`.
 *
 * On any failure or abort the response is discarded (closing the socket), the temp file is
 * deleted, and the promise rejects with a TrawlError: the abort reason, the body's own network
 * error, TRAWL_NOT_MEDIA, TRAWL_PIXEL_LIMIT, TRAWL_FILTERED (the file fails `filters`: refused
 * from its header, before the rest of it is read), TRAWL_TRUNCATED, TRAWL_TOO_LARGE or TRAWL_DISK.
 * Nothing is left at the final name unless it is complete.
 */
export async function saveResponse(response: HttpResponse, options: SaveOptions): Promise<SavedFile> {
  const { signal } = options;
  const dir = path.resolve(options.dir);
  let temp: TempFile | undefined;
  try {
    if (signal.aborted) throw abortReason(signal);
    checkDeclaredSize(response.contentLength, options.maxFileSize);
    temp = await createTempFile(dir);
    const probe = new MediaProbe(options.maxPixels, options.filters);
    const { bytes, sha256, ends } = await receiveBody(response, temp, probe, options);
    checkFinalSize(bytes, response.contentLength);
    const file = temp;
    const { format, dimensions } = await probe.finish((n) => readStart(file, n));
    if (format.kind === 'image') assertImageComplete(format.ext, ends);
    await onDisk(file.path, 'write', () => file.handle.sync());
    await onDisk(file.path, 'close', () => file.handle.close());
    if (signal.aborted) throw abortReason(signal);
    const placed = await placeInLibrary(file.path, dir, sha256, format.ext, bytes);
    releaseTempFile(file);
    temp = undefined;
    const { contentType, kind } = format;
    return { ...placed, bytes, sha256, contentType, kind, width: dimensions?.width ?? null, height: dimensions?.height ?? null };
  } catch (err) {
    await Promise.allSettled([response.discard(), temp && removeTempFile(temp)]);
    throw signal.aborted ? abortReason(signal) : toTrawlError(err, { url: response.url });
  }
}

/** Hashes, probes and writes the body chunk by chunk; each write completes before the next read. */
async function receiveBody(response: HttpResponse, temp: TempFile, probe: MediaProbe, options: SaveOptions): Promise<{ bytes: number; sha256: string; ends: FileEnds }> {
  const hash = createHash('sha256');
  const keeper = new EndKeeper();
  const reader = new AbortableReader(response.body[Symbol.asyncIterator](), options.signal);
  let bytes = 0;
  try {
    for (let result = await reader.next(); result.done !== true; result = await reader.next()) {
      const chunk = result.value;
      bytes += chunk.byteLength;
      checkRunningSize(bytes, response.contentLength, options.maxFileSize);
      hash.update(chunk);
      keeper.push(chunk);
      await probe.push(chunk);
      await writeAll(temp, chunk);
    }
  } finally {
    reader.release();
  }
  return { bytes, sha256: hash.digest('hex'), ends: keeper.ends(bytes) };
}

/**
 * Reads an iterator so that a read stuck on a silent body rejects with the abort reason as soon as
 * `signal` aborts, whatever the body does (the caller then discards the response, which stops the
 * transfer). One abort listener serves every read, and it rejects only the read in flight: racing
 * each read against one long-lived promise would keep every chunk reachable until that promise
 * settled (the Promise.race leak), and a listener per read costs an add and a remove per chunk.
 */
class AbortableReader<T> {
  private rejectPending: ((reason: unknown) => void) | undefined;
  private readonly onAbort = (): void => this.rejectPending?.(abortReason(this.signal));

  constructor(
    private readonly iterator: AsyncIterator<T>,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.signal.aborted) return Promise.reject(abortReason(this.signal));
    return new Promise((resolve, reject) => {
      this.rejectPending = reject;
      this.iterator.next().then(resolve, (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    }).finally(() => {
      this.rejectPending = undefined;
    }) as Promise<IteratorResult<T>>;
  }

  /** Drops the abort listener; call once reading is over. */
  release(): void {
    this.signal.removeEventListener('abort', this.onAbort);
  }
}

async function writeAll(temp: TempFile, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await onDisk(temp.path, 'write', () => temp.handle.write(chunk, offset));
    offset += bytesWritten;
  }
}

async function readStart(temp: TempFile, bytes: number): Promise<Uint8Array> {
  return readAt(temp, 0, bytes);
}

async function readAt(temp: TempFile, position: number, bytes: number): Promise<Uint8Array> {
  const buffer = Buffer.alloc(bytes);
  const { bytesRead } = await onDisk(temp.path, 'read', () => temp.handle.read(buffer, 0, bytes, position));
  return buffer.subarray(0, bytesRead);
}

function checkDeclaredSize(declared: number | null, maxFileSize: number): void {
  if (declared !== null && declared > maxFileSize) {
    throw tooLarge(`Content-Length declares ${formatBytes(declared)}`, maxFileSize);
  }
}

function checkRunningSize(bytes: number, declared: number | null, maxFileSize: number): void {
  if (bytes > maxFileSize) throw tooLarge(`the body passed ${formatBytes(maxFileSize)}`, maxFileSize);
  if (declared !== null && bytes > declared) {
    throw new TrawlError('TRAWL_TRUNCATED', `the body sent more than the ${declared} bytes its Content-Length declared`, {
      context: { declared, received: bytes },
    });
  }
}

function checkFinalSize(bytes: number, declared: number | null): void {
  if (declared !== null && bytes !== declared) {
    throw new TrawlError('TRAWL_TRUNCATED', `the body ended after ${bytes} of the ${declared} bytes its Content-Length declared`, {
      context: { declared, received: bytes },
    });
  }
}

function tooLarge(what: string, maxFileSize: number): TrawlError {
  return new TrawlError('TRAWL_TOO_LARGE', `${what}, more than the limit of ${formatBytes(maxFileSize)} (TRAWL_MAX_FILE_SIZE)`, {
    context: { maxFileSize },
  });
}

import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../config/units.js';
import type { MediaKind } from '../domain.js';
import { abortReason } from '../engine/budget.js';
import { TrawlError, toTrawlError } from '../errors.js';
import type { HttpResponse } from '../net/http.js';
import { onDisk } from './disk-error.js';
import { assertImageComplete, type FileEnds, IMAGE_TAIL_BYTES } from './image-end.js';
import { placeInLibrary } from './library-file.js';
import { MediaProbe } from './media-probe.js';
import { type TempFile, createTempFile, removeTempFile } from './temp-files.js';

export interface SaveOptions {
  /** The item's budget: on abort the download stops, its temp file is deleted, and saveResponse rejects with the abort reason. */
  signal: AbortSignal;
  /** Absolute library root (the --out dir or the data dir's library); created if missing. */
  dir: string;
  /** Bytes; checked against Content-Length before reading and counted while streaming. */
  maxFileSize: number;
  /** Decompression-bomb guard: an image header claiming more pixels is rejected before the rest is read. */
  maxPixels: number;
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
 * error, TRAWL_NOT_MEDIA, TRAWL_PIXEL_LIMIT, TRAWL_TRUNCATED, TRAWL_TOO_LARGE or TRAWL_DISK.
 * Nothing is left at the final name unless it is complete.
 */
export async function saveResponse(response: HttpResponse, options: SaveOptions): Promise<SavedFile> {
  const { signal } = options;
  const dir = path.resolve(options.dir);
  let temp: TempFile | undefined;
  try {
    if (signal.aborted) throw abortReason(signal);
    checkDeclaredSize(response.contentLength, options.maxFileSize);
    await onDisk(dir, 'create directory', () => mkdir(dir, { recursive: true }));
    temp = await createTempFile(dir);
    const probe = new MediaProbe(options.maxPixels);
    const { bytes, sha256 } = await receiveBody(response, temp, probe, options);
    checkFinalSize(bytes, response.contentLength);
    const file = temp;
    const { format, dimensions } = await probe.finish((n) => readStart(file, n));
    if (format.kind === 'image') assertImageComplete(format.ext, await readEnds(file, bytes));
    await onDisk(file.path, 'write', () => file.handle.sync());
    await onDisk(file.path, 'close', () => file.handle.close());
    if (signal.aborted) throw abortReason(signal);
    const placed = await placeInLibrary(file.path, dir, sha256, format.ext, bytes);
    temp = undefined;
    const { contentType, kind } = format;
    return { ...placed, bytes, sha256, contentType, kind, width: dimensions?.width ?? null, height: dimensions?.height ?? null };
  } catch (err) {
    await Promise.allSettled([response.discard(), temp && removeTempFile(temp)]);
    throw signal.aborted ? abortReason(signal) : toTrawlError(err, { url: response.url });
  }
}

/** Hashes, probes and writes the body chunk by chunk; each write completes before the next read. */
async function receiveBody(response: HttpResponse, temp: TempFile, probe: MediaProbe, options: SaveOptions): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const chunks = response.body[Symbol.asyncIterator]();
  for (;;) {
    const result = await nextOrAbort(chunks, options.signal);
    if (result.done) break;
    const chunk = result.value;
    bytes += chunk.byteLength;
    checkRunningSize(bytes, response.contentLength, options.maxFileSize);
    hash.update(chunk);
    await probe.push(chunk);
    await writeAll(temp, chunk);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * The next chunk, or a rejection with the abort reason as soon as `signal` aborts, so a read stuck
 * on a silent body ends at once (the caller then discards the response, which stops the transfer).
 * The listener lives only as long as one read: racing every read against one long-lived promise
 * would keep every chunk reachable until that promise settled (the Promise.race leak).
 */
function nextOrAbort<T>(iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
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

/** The file's first bytes and its tail, for the end-of-image check. */
async function readEnds(temp: TempFile, bytes: number): Promise<FileEnds> {
  const tailBytes = Math.min(bytes, IMAGE_TAIL_BYTES);
  return { head: await readAt(temp, 0, 12), tail: await readAt(temp, bytes - tailBytes, tailBytes), bytes };
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

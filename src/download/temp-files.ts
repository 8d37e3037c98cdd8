import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { onDisk } from './disk-error.js';

/** Every temp file the downloader writes starts with this, so a sweep can find leftovers. */
export const TEMP_PREFIX = '.trawl-';
/** Every temp file the downloader writes ends with this. */
export const TEMP_SUFFIX = '.part';

/** Shard subdirectories of the library are the first two hex digits of a sha256. */
const SHARD_NAME = /^[0-9a-f]{2}$/;

/**
 * The temp files this process has created and not yet removed or moved into a library: what a
 * process that quits at once (a second Ctrl-C) deletes on its way out. Per process, as the files are.
 */
const ownTempFiles = new Set<string>();

/** A temp file being written: readable too, so image dimensions can be re-read from its start. */
export interface TempFile {
  readonly path: string;
  readonly handle: FileHandle;
}

/**
 * Creates `<dir>/.trawl-<random>.part` (and `dir` if missing), failing rather than reusing a file that already exists
 * (the name is never derived from the network). Errors are TRAWL_DISK.
 */
export async function createTempFile(dir: string): Promise<TempFile> {
  const file = path.join(dir, `${TEMP_PREFIX}${randomBytes(12).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await onDisk(file, 'create', async () => {
    try {
      return await open(file, 'wx+');
    } catch (err) {
      // The directory is created only when missing: a mkdir per file is measurable over thousands.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dir, { recursive: true });
      return await open(file, 'wx+');
    }
  });
  ownTempFiles.add(file);
  return { path: file, handle };
}

/** Call once a temp file has become a library file (moved, or dropped as a duplicate): it is no longer this process's to delete. */
export function releaseTempFile(temp: TempFile): void {
  ownTempFiles.delete(temp.path);
}

/**
 * Closes and deletes a temp file. Never throws: it runs on failure paths, where the original
 * error is the one worth reporting, and a leftover is caught by the next sweep anyway.
 */
export async function removeTempFile(temp: TempFile): Promise<void> {
  await temp.handle.close().catch(() => undefined);
  await unlink(temp.path).catch(() => undefined);
  ownTempFiles.delete(temp.path);
}

/**
 * Deletes, synchronously, every temp file this process is still writing, and returns how many were
 * there: for a process about to exit without awaiting anything. Never throws (a file already gone
 * or undeletable is left to the next sweep). Windows lets a file open in Node be deleted: libuv
 * opens files with FILE_SHARE_DELETE.
 */
export function removeOwnTempFilesSync(): number {
  let removed = 0;
  for (const file of ownTempFiles) {
    try {
      unlinkSync(file);
      removed++;
    } catch {
      // Gone already, or not ours to delete any more: the next sweep looks again.
    }
  }
  ownTempFiles.clear();
  return removed;
}

/**
 * Removes leftover temp files (from a crash) directly in dir and in its shard subdirs; returns
 * how many. With `olderThanMs`, files modified more recently are kept, so a sweep can run while
 * other downloads are writing into the same library. A missing `dir` counts as clean.
 */
export async function sweepTempFiles(dir: string, options: { olderThanMs?: number } = {}): Promise<number> {
  const cutoff = options.olderThanMs === undefined ? Infinity : Date.now() - options.olderThanMs;
  const entries = await listDir(dir);
  let removed = await sweepDir(dir, entries, cutoff);
  for (const entry of entries) {
    if (entry.isDirectory() && SHARD_NAME.test(entry.name)) {
      const shard = path.join(dir, entry.name);
      removed += await sweepDir(shard, await listDir(shard), cutoff);
    }
  }
  return removed;
}

async function sweepDir(dir: string, entries: readonly DirEntry[], cutoff: number): Promise<number> {
  let removed = 0;
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.startsWith(TEMP_PREFIX) || !entry.name.endsWith(TEMP_SUFFIX)) continue;
    const file = path.join(dir, entry.name);
    if (await removeIfOlder(file, cutoff)) removed++;
  }
  return removed;
}

async function removeIfOlder(file: string, cutoff: number): Promise<boolean> {
  try {
    if (Number.isFinite(cutoff) && (await lstat(file)).mtimeMs > cutoff) return false;
    await unlink(file);
    return true;
  } catch (err) {
    // Another sweeper or the download that owned it got there first.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

interface DirEntry {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
}

async function listDir(dir: string): Promise<DirEntry[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

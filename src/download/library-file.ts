import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { onDisk, toDiskError } from './disk-error.js';

/** Where a verified file ended up in the library. */
export interface PlacedFile {
  path: string;
  /** `<ab>/<sha256>.<ext>`, always with forward slashes. */
  relativePath: string;
  /** True when the library already held this content; the new copy was dropped. */
  duplicate: boolean;
}

/**
 * Moves a complete, fsynced temp file (in `dir`) to its content address `<sha[0:2]>/<sha>.<ext>`
 * and makes the new directory entry durable. The name is built only from the hash and an
 * allow-listed extension, never from the network. When the target already exists with the same
 * size (the hash is in its name), the temp file is deleted and the result is a duplicate.
 */
export async function placeInLibrary(tempPath: string, dir: string, sha256: string, ext: string, bytes: number): Promise<PlacedFile> {
  const relativePath = `${sha256.slice(0, 2)}/${sha256}.${ext}`;
  const shard = path.join(dir, sha256.slice(0, 2));
  const target = path.join(shard, `${sha256}.${ext}`);
  if (await holdsCopy(target, bytes)) {
    await onDisk(tempPath, 'delete', () => unlink(tempPath));
    return { path: target, relativePath, duplicate: true };
  }
  let created: string | undefined;
  try {
    created = await moveIntoShard(tempPath, target, shard);
  } catch (err) {
    // Windows refuses to rename over an existing (possibly open) file with EPERM/EEXIST; another
    // download of the same content may have just won that race, which is success for us too.
    if (!(await holdsCopy(target, bytes))) throw toDiskError(err, target, 'move a file into');
    await onDisk(tempPath, 'delete', () => unlink(tempPath));
    return { path: target, relativePath, duplicate: true };
  }
  await syncDirectory(shard);
  if (created !== undefined) await syncDirectory(dir);
  return { path: target, relativePath, duplicate: false };
}

/**
 * Renames the temp file to `target`, creating its shard only when the rename finds it missing (the
 * shard exists for all but the first files of a library, and mkdir per file is measurable when a
 * job saves thousands). Returns the first directory mkdir created, if any.
 */
async function moveIntoShard(tempPath: string, target: string, shard: string): Promise<string | undefined> {
  try {
    await rename(tempPath, target);
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const created = await onDisk(shard, 'create directory', () => mkdir(shard, { recursive: true }));
  await rename(tempPath, target);
  return created;
}

async function holdsCopy(target: string, bytes: number): Promise<boolean> {
  try {
    const existing = await stat(target);
    return existing.isFile() && existing.size === bytes;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw toDiskError(err, target, 'inspect');
  }
}

/** Codes with which platforms (Windows, some network filesystems) refuse to fsync a directory. */
const UNSYNCABLE_DIR = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EACCES', 'ENOTSUP', 'EBADF']);

/**
 * fsyncs a directory so a rename inside it survives a power loss (rename alone is atomic, not
 * durable). Where the platform cannot sync directories the step is skipped.
 */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!UNSYNCABLE_DIR.has((err as NodeJS.ErrnoException).code ?? '')) throw toDiskError(err, dir, 'sync directory');
  } finally {
    await handle?.close();
  }
}

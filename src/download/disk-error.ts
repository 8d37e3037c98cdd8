import { TrawlError } from '../errors.js';

const HINTS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EFBIG: 'the file is too large for this filesystem',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the filesystem is read-only',
  EIO: 'an I/O error occurred',
};

/**
 * A failed filesystem call on `path` as TRAWL_DISK, naming the path and, for the common errno
 * values, what the operator should look at. Errors without an errno are not disk errors and are
 * returned unchanged so the caller's generic handling applies.
 */
export function toDiskError(err: unknown, path: string, action: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return err;
  const hint = HINTS[code] ?? (err as Error).message;
  return new TrawlError('TRAWL_DISK', `could not ${action} ${path}: ${hint} (${code})`, {
    cause: err,
    context: { path, errno: code },
  });
}

/** Runs a filesystem call, turning its errno failures into TRAWL_DISK errors about `path`. */
export async function onDisk<T>(path: string, action: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw toDiskError(err, path, action);
  }
}

/**
 * SQLite failures as Trawl errors, so callers of the store branch on the same codes whatever the
 * database: a missing parent row is TRAWL_NOT_FOUND, a taken id TRAWL_BAD_INPUT, a disk or file
 * problem TRAWL_DISK; anything else stays TRAWL_INTERNAL with the SQLite error as its cause.
 */
import Database from 'better-sqlite3';
import { toTrawlError, TrawlError, type ErrorContext } from '../../errors.js';

const DISK_CODES = ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_CORRUPT', 'SQLITE_NOTADB'];

/**
 * The Trawl error for a failed store call. `what` names the operation for the message, e.g.
 * `add item x to job y`.
 */
export function toStoreError(err: unknown, what: string, context: ErrorContext): TrawlError {
  if (!(err instanceof Database.SqliteError)) return toTrawlError(err, context);
  const options = { cause: err, context };
  if (err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new TrawlError('TRAWL_NOT_FOUND', `cannot ${what}: the job does not exist`, options);
  }
  if (err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err.code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new TrawlError('TRAWL_BAD_INPUT', `cannot ${what}: the id is already taken`, options);
  }
  if (DISK_CODES.some((code) => err.code.startsWith(code))) {
    return new TrawlError('TRAWL_DISK', `cannot ${what}: the database file failed (${err.code}: ${err.message})`, options);
  }
  return new TrawlError('TRAWL_INTERNAL', `cannot ${what}: ${err.code}: ${err.message}`, options);
}

/**
 * The Trawl error for a database that could not be opened: TRAWL_DATABASE when this platform has no
 * SQLite binary (better-sqlite3 ships prebuilt ones for Linux, macOS and Windows on x64 and arm64
 * only; the message says how to build one), else TRAWL_DISK (the file or its folder failed).
 */
export function openFailure(err: unknown, file: string): TrawlError {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'MODULE_NOT_FOUND' && message.includes('better_sqlite3.node')) {
    return new TrawlError(
      'TRAWL_DATABASE',
      `SQLite has no binary for ${process.platform}-${process.arch} in this install: build it once with \`npm run build-release --prefix node_modules/better-sqlite3\` (needs python3, make and a C++20 compiler)`,
      { cause: err, context: { file } },
    );
  }
  return new TrawlError('TRAWL_DISK', `cannot open the SQLite database ${file}: ${message}`, { cause: err, context: { file } });
}

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

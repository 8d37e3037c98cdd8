/**
 * PostgreSQL failures as Trawl errors, so callers of the store branch on the same codes whatever the
 * database: a missing parent row is TRAWL_NOT_FOUND, a taken id TRAWL_BAD_INPUT, a server that cannot
 * be reached, refuses the login or the statement (shutting down, full, read-only, timed out)
 * TRAWL_DATABASE; anything else stays TRAWL_INTERNAL with the driver's error as its cause. Messages
 * name the database by its masked URL: a password never reaches an error or a log.
 */
import pg from 'pg';
import { toTrawlError, TrawlError, type ErrorContext } from '../../errors.js';

/** SQLSTATE classes and codes that say the server, not Trawl, is the problem. */
const DATABASE_STATE = /^(08|28|3D|53|54|57|58|40)|^25006$|^55P03$/;
/** Node socket errors on the way to the server. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
/** The driver's own connection failures, which carry no code. */
const DRIVER_CONNECTION = /^Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

/**
 * `url` with any password replaced by `***` (in the authority and in a `password=` parameter), for
 * messages and logs. Masks too much rather than too little when the URL is malformed.
 */
export function maskDatabaseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)(.*)@/i, '$1***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/**
 * The Trawl error for a failed store call. `what` names the operation for the message, e.g.
 * `add item x to job y`; `url` is the masked database URL.
 */
export function toStoreError(err: unknown, what: string, url: string, context: ErrorContext): TrawlError {
  if (err instanceof TrawlError) return err;
  const options = { cause: err, context };
  if (err instanceof pg.DatabaseError) {
    const state = err.code ?? '';
    if (state === '23503') return new TrawlError('TRAWL_NOT_FOUND', `cannot ${what}: the job does not exist`, options);
    if (state === '23505') return new TrawlError('TRAWL_BAD_INPUT', `cannot ${what}: the id is already taken`, options);
    if (DATABASE_STATE.test(state)) {
      return new TrawlError('TRAWL_DATABASE', `cannot ${what}: the PostgreSQL database ${url} refused it (${state}: ${err.message})`, options);
    }
    return new TrawlError('TRAWL_INTERNAL', `cannot ${what}: PostgreSQL ${state}: ${err.message}`, options);
  }
  if (isConnectionFailure(err)) {
    return new TrawlError('TRAWL_DATABASE', `cannot ${what}: the PostgreSQL database ${url} cannot be reached (${err.message}); check that it runs and TRAWL_DATABASE_URL`, options);
  }
  return toTrawlError(err, context);
}

function isConnectionFailure(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && SOCKET_CODES.has(code)) || DRIVER_CONNECTION.test(err.message) || (err instanceof AggregateError && err.errors.some(isConnectionFailure));
}

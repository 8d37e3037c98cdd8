import { BUDGET_CODES, type ErrorCode, TrawlError } from '../errors.js';
import type { RequestPurpose } from './http.js';
import { parseRetryAfter } from './retry.js';

/** Statuses that say "try again later" (RFC 9110, RFC 6585, RFC 8470); the rest are answers. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * The TrawlError for a non-2xx answer. Transient statuses become TRAWL_HTTP_TRANSIENT with the
 * server's Retry-After (ms) in `context.retryAfterMs`; 401/403 on an API call become TRAWL_AUTH
 * (the key was refused). A 401/403 on a media file is a hotlink or permission refusal of that one
 * file, not a key problem, so it stays TRAWL_HTTP_STATUS.
 */
export function statusError(status: number, url: string, headers: Record<string, string>, purpose: RequestPurpose): TrawlError {
  if (TRANSIENT_STATUSES.has(status)) {
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    const wait = retryAfterMs === undefined ? '' : ` (Retry-After ${Math.round(retryAfterMs / 1000)}s)`;
    return new TrawlError('TRAWL_HTTP_TRANSIENT', `${url} answered ${status}${wait}`, {
      context: retryAfterMs === undefined ? { status, url } : { status, url, retryAfterMs },
    });
  }
  if ((status === 401 || status === 403) && purpose === 'api') {
    return new TrawlError('TRAWL_AUTH', `${url} refused the request with ${status}; check the API key`, { context: { status, url } });
  }
  return new TrawlError('TRAWL_HTTP_STATUS', `${url} answered ${status}`, { context: { status, url } });
}

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENETUNREACH', 'ENETDOWN',
  'EHOSTUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);

const CODE_MAP: Record<string, ErrorCode> = {
  UND_ERR_CONNECT_TIMEOUT: 'TRAWL_REQUEST_TIMEOUT',
  UND_ERR_HEADERS_TIMEOUT: 'TRAWL_REQUEST_TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'TRAWL_BODY_IDLE',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'TRAWL_TRUNCATED',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'TRAWL_TOO_LARGE',
  UND_ERR_HEADERS_OVERFLOW: 'TRAWL_BAD_RESPONSE',
  UND_ERR_INVALID_ARG: 'TRAWL_BAD_URL',
};

/**
 * The TrawlError for a failure below HTTP (undici or system error), found by its `code` anywhere
 * in the cause chain — codes, not `instanceof`, because undici may be bundled twice. TrawlErrors
 * pass through, gaining the URL in their context when they lack one.
 */
export function transportError(err: unknown, url: string): TrawlError {
  if (err instanceof TrawlError) return withUrl(err, url);
  const code = findCode(err) ?? '';
  const detail = err instanceof Error ? err.message : String(err);
  const mapped = classify(code);
  const context = { url, cause: code || undefined };
  return new TrawlError(mapped, `${describe(mapped, url)}: ${detail}${code ? ` (${code})` : ''}`, { cause: err, context });
}

function classify(code: string): ErrorCode {
  const direct = CODE_MAP[code];
  if (direct) return direct;
  if (NETWORK_CODES.has(code)) return 'TRAWL_NETWORK';
  if (DNS_CODES.has(code)) return 'TRAWL_DNS';
  if (code.startsWith('HPE_')) return 'TRAWL_BAD_RESPONSE';
  if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return 'TRAWL_TLS';
  return 'TRAWL_NETWORK';
}

const DESCRIPTIONS: Partial<Record<ErrorCode, (url: string) => string>> = {
  TRAWL_REQUEST_TIMEOUT: (url) => `${url} did not connect and answer in time`,
  TRAWL_BODY_IDLE: (url) => `${url} went silent mid-body`,
  TRAWL_TRUNCATED: (url) => `${url} ended before its Content-Length`,
  TRAWL_DNS: (url) => `cannot resolve the host of ${url}`,
  TRAWL_TLS: (url) => `TLS with ${url} failed`,
  TRAWL_BAD_RESPONSE: (url) => `${url} sent a malformed response`,
};

function describe(code: ErrorCode, url: string): string {
  return DESCRIPTIONS[code]?.(url) ?? `request to ${url} failed`;
}

/** The first `code` string found on the error, its `cause` chain or an AggregateError's members. */
function findCode(err: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof err !== 'object' || err === null) return undefined;
  const record = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string') return record.code;
  if (Array.isArray(record.errors)) {
    for (const member of record.errors as unknown[]) {
      const code = findCode(member, depth + 1);
      if (code) return code;
    }
  }
  return findCode(record.cause, depth + 1);
}

/**
 * `err` with `url` in its context. The same object when it already names a URL, or when it is a
 * budget's abort reason (callers may compare that reason by identity).
 */
export function withUrl(err: TrawlError, url: string): TrawlError {
  if (err.context.url !== undefined || BUDGET_CODES.includes(err.code)) return err;
  return new TrawlError(err.code, err.message, { cause: err.cause, context: { ...err.context, url } });
}

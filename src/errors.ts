/**
 * The one error catalogue. Every failure Trawl reports carries a stable string `code` from this
 * table; callers branch on the code, never on the message. `docs/errors.md` documents each entry.
 */

/** What a code means and how the engine treats it. */
export interface ErrorSpec {
  /** One line for operators (shown in docs/errors.md). */
  readonly summary: string;
  /** Whether the HTTP retry policy may try the same request again. */
  readonly retryable: boolean;
}

export const ERROR_CATALOGUE = {
  // budgets and cancellation
  TRAWL_REQUEST_TIMEOUT: { summary: 'connect + response headers took longer than the request timeout', retryable: true },
  TRAWL_BODY_IDLE: { summary: 'the body went silent for longer than the request timeout', retryable: true },
  TRAWL_TOO_SLOW: { summary: 'the body arrived slower than TRAWL_MIN_SPEED over its window', retryable: false },
  TRAWL_SOURCE_TIMEOUT: { summary: "the source's budget (TRAWL_SOURCE_TIMEOUT) ran out", retryable: false },
  TRAWL_JOB_TIMEOUT: { summary: "the job's budget (TRAWL_JOB_TIMEOUT) ran out", retryable: false },
  TRAWL_CANCELLED: { summary: 'a user cancelled the job', retryable: false },
  TRAWL_LEASE_LOST: { summary: 'this worker no longer holds the job (another process closed it); it stopped and wrote nothing more', retryable: false },
  TRAWL_WORKER_LOST: { summary: "the job's worker stopped proving it was alive (crashed, killed or frozen); the reaper closed the job", retryable: false },
  // network
  TRAWL_NETWORK: { summary: 'connection refused, reset or closed early', retryable: true },
  TRAWL_DNS: { summary: 'the host name could not be resolved', retryable: false },
  TRAWL_HTTP_STATUS: { summary: 'the server answered with an error status', retryable: false },
  TRAWL_HTTP_TRANSIENT: { summary: 'the server answered 408, 425, 429, 500, 502, 503 or 504', retryable: true },
  TRAWL_RATE_LIMITED: { summary: 'the service refused to answer for now (429 after the retries, a refusal status, a bot check) or asked to wait longer than the budget has left', retryable: false },
  TRAWL_TOO_MANY_REDIRECTS: { summary: 'more than TRAWL_MAX_REDIRECTS hops, or a redirect loop', retryable: false },
  TRAWL_BAD_REDIRECT: { summary: 'a redirect had no usable Location or left http/https', retryable: false },
  TRAWL_SSRF_BLOCKED: { summary: 'the URL resolves to a loopback, private or link-local address', retryable: false },
  TRAWL_BAD_URL: { summary: 'the URL is malformed or not http/https', retryable: false },
  TRAWL_TLS: { summary: 'the TLS handshake failed or the certificate was refused', retryable: false },
  TRAWL_BAD_RESPONSE: { summary: 'the response could not be read: malformed HTTP, invalid JSON, or an encoding that was not asked for', retryable: false },
  // content
  TRAWL_TOO_LARGE: { summary: 'the body is larger than TRAWL_MAX_FILE_SIZE', retryable: false },
  TRAWL_TRUNCATED: { summary: 'the body ended before its Content-Length', retryable: true },
  TRAWL_NOT_MEDIA: { summary: 'the bytes are not an image, video or audio file (e.g. an HTML error page)', retryable: false },
  TRAWL_PIXEL_LIMIT: { summary: 'the image header claims more pixels than allowed (decompression bomb)', retryable: false },
  TRAWL_FILTERED: { summary: "the file (or every candidate of a source) does not meet the job's filters: discarded and counted `filtered`, never `failed`", retryable: false },
  TRAWL_DISK: { summary: 'the file could not be written (disk full, permissions)', retryable: false },
  // sources
  TRAWL_NOT_CONFIGURED: { summary: 'the source needs an API key that is not set', retryable: false },
  TRAWL_AUTH: { summary: 'the service refused the API key (401/403)', retryable: false },
  TRAWL_PARSER_OUTDATED: { summary: "the service's response no longer has the expected shape", retryable: false },
  TRAWL_NO_RESULTS: { summary: 'every candidate of the source failed', retryable: false },
  TRAWL_CIRCUIT_OPEN: { summary: "the source's circuit breaker is open after repeated failures; it was skipped", retryable: false },
  // usage and internals
  TRAWL_BAD_CONFIG: { summary: 'an environment variable or flag has an invalid value', retryable: false },
  TRAWL_BAD_INPUT: { summary: 'a request or argument is invalid', retryable: false },
  TRAWL_NOT_FOUND: { summary: 'no such job or item', retryable: false },
  TRAWL_UNAUTHORIZED: { summary: 'the API call lacks the right TRAWL_API_TOKEN bearer token', retryable: false },
  TRAWL_HOST_NOT_ALLOWED: { summary: 'the request named a Host the server does not answer to (DNS-rebinding guard; see TRAWL_SERVER_NAMES)', retryable: false },
  TRAWL_DATABASE: { summary: 'the database cannot be reached or refused the statement', retryable: false },
  TRAWL_INTERNAL: { summary: 'a bug in Trawl; the log has the details', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Where an error happened; every field optional, all of them worth logging. */
export interface ErrorContext {
  jobId?: string;
  source?: string;
  url?: string;
  status?: number;
  [key: string]: unknown;
}

/** The base of every error Trawl raises on purpose. */
export class TrawlError extends Error {
  override readonly name = 'TrawlError';
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
  }

  /** Whether the retry policy may repeat the request that failed with this error. */
  get retryable(): boolean {
    return ERROR_CATALOGUE[this.code].retryable;
  }

  /** The `{ code, message }` shape used in reports and API responses. */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** True for a TrawlError, optionally with one of the given codes. */
export function isTrawlError(err: unknown, ...codes: ErrorCode[]): err is TrawlError {
  return err instanceof TrawlError && (codes.length === 0 || codes.includes(err.code));
}

/** Any thrown value as a TrawlError; unknown values become TRAWL_INTERNAL keeping the cause. */
export function toTrawlError(err: unknown, context: ErrorContext = {}): TrawlError {
  if (err instanceof TrawlError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TrawlError('TRAWL_INTERNAL', `unexpected error: ${message}`, { cause: err, context });
}

/**
 * The codes that mean "a budget ended, the user cancelled, or this worker lost the job": they end
 * work, they are not item faults.
 */
export const BUDGET_CODES: readonly ErrorCode[] = ['TRAWL_SOURCE_TIMEOUT', 'TRAWL_JOB_TIMEOUT', 'TRAWL_CANCELLED', 'TRAWL_LEASE_LOST'];

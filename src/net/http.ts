/**
 * The HTTP port: what sources and the downloader may ask of the network. The undici adapter
 * (`undici-http-client.ts`) enforces per-request budgets, the SSRF guard and redirects.
 */

/** Why a request is made; decides whether a configured `TRAWL_ORIGIN_*` is trusted. */
export type RequestPurpose = 'api' | 'media';

export interface RequestOptions {
  /** The caller's budget (usually the source's); the request adds its own phase timers under it. */
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** `api` requests to a configured TRAWL_ORIGIN_* may reach private addresses; `media` never trusts it. */
  purpose: RequestPurpose;
  /** This request's timeout (connect + headers, longest body silence); the client's default when absent. */
  timeoutMs?: number;
}

/** A response whose headers have arrived; the body is guarded (idle gap, min speed, max size). */
export interface HttpResponse {
  status: number;
  /** Header names lower-case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The URL that answered, after redirects. */
  url: string;
  /** Declared length, or null when absent (chunked). */
  contentLength: number | null;
  /** The body, guarded; iterate it once. Errors are TrawlErrors (TRAWL_BODY_IDLE, TRAWL_TOO_SLOW, …). */
  body: AsyncIterable<Uint8Array>;
  /** Destroys the body and its socket if not fully read. Safe to call more than once. */
  discard(): Promise<void>;
}

/** A parsed JSON (or text) API answer; non-2xx answers have already become TrawlErrors. */
export interface ApiResponse<T> {
  status: number;
  headers: Record<string, string>;
  url: string;
  data: T;
}

export interface HttpClient {
  /**
   * Opens a GET: connect + headers within the request timeout, redirects followed by hand (each hop
   * re-checked by the SSRF guard). Resolves for 2xx only; other statuses throw a TrawlError
   * (TRAWL_HTTP_TRANSIENT with `retryAfterMs` in its context when the server sent Retry-After, or
   * TRAWL_HTTP_STATUS / TRAWL_AUTH) after discarding the body. No retries at this level.
   */
  open(url: string, options: RequestOptions): Promise<HttpResponse>;
  /** GET + JSON parse, with the retry policy applied under `options.signal`. */
  getJson<T = unknown>(url: string, options: Omit<RequestOptions, 'purpose'> & { purpose?: RequestPurpose }): Promise<ApiResponse<T>>;
  /** GET + text body (HTML scraping), with the retry policy applied under `options.signal`. */
  getText(url: string, options: Omit<RequestOptions, 'purpose'> & { purpose?: RequestPurpose }): Promise<ApiResponse<string>>;
  /** Closes every pooled connection. */
  close(): Promise<void>;
}

/**
 * The same client with `timeoutMs` as every request's timeout (unless a call sets its own): how a
 * job's own `timeouts.request` reaches every search and download it makes.
 */
export function withRequestTimeout(http: HttpClient, timeoutMs: number): HttpClient {
  return {
    open: (url, options) => http.open(url, { timeoutMs, ...options }),
    getJson: (url, options) => http.getJson(url, { timeoutMs, ...options }),
    getText: (url, options) => http.getText(url, { timeoutMs, ...options }),
    close: () => http.close(),
  };
}

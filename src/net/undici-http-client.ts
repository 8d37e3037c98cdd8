import type { LookupFunction } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { TrawlError } from '../errors.js';
import type { Config } from '../config/config.js';
import type { MinSpeed } from '../config/units.js';
import type { ApiResponse, HttpClient, HttpResponse, RequestOptions, RequestPurpose } from './http.js';
import { declaredLengthError, guardBody } from './body-guard.js';
import { statusError } from './errors-map.js';
import { type Exchange, openExchange } from './exchange.js';
import { headersForHop, nextHop, parseRequestUrl, REDIRECT_STATUSES } from './redirects.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from './retry.js';
import { createGuardedConnector, type SsrfPolicy } from './ssrf-guard.js';

/** Everything the undici adapter needs; build it from the config with {@link httpClientOptionsFrom}. */
export interface HttpClientOptions {
  /** Connect + response headers, and the longest silence inside a body. */
  requestTimeoutMs: number;
  minSpeed: MinSpeed;
  maxFileSize: number;
  maxRedirects: number;
  userAgent: string;
  ssrf: SsrfPolicy;
  /** Origins (TRAWL_ORIGIN_* values) whose `api` requests may reach private addresses. Media requests never get this trust. */
  trustedOrigins: readonly string[];
  /** Used by getJson/getText (default {@link DEFAULT_RETRY_POLICY}). */
  retry?: RetryPolicy;
  /** Stub resolver for tests (default `dns.lookup`). */
  lookup?: LookupFunction;
  /** Per-origin pool size (default 16). */
  connections?: number;
}

/** The client options the config implies; the per-origin pool is sized to TRAWL_HOST_CONCURRENCY. */
export function httpClientOptionsFrom(config: Config): HttpClientOptions {
  return {
    requestTimeoutMs: config.requestTimeoutMs,
    minSpeed: config.minSpeed,
    maxFileSize: config.maxFileSize,
    maxRedirects: config.maxRedirects,
    userAgent: config.userAgent,
    ssrf: { allowPrivateNetworks: config.allowPrivateNetworks, allowHosts: config.allowHosts },
    trustedOrigins: Object.values(config.origins).filter((origin): origin is string => typeof origin === 'string'),
    connections: config.hostConcurrency,
  };
}

/**
 * The HttpClient port on undici: per-request budgets (connect + headers, body idle gap, minimum
 * speed, size), the SSRF guard at connect time, redirects by hand, retries for API reads.
 * Throws TRAWL_BAD_CONFIG for an invalid TRAWL_ALLOW_HOSTS entry.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  return new UndiciHttpClient(options);
}

type ReadOptions = Omit<RequestOptions, 'purpose'> & { purpose?: RequestPurpose };

class UndiciHttpClient implements HttpClient {
  /** For media, and for API calls to origins nobody vouched for. */
  private readonly guarded: Agent;
  /** For API calls to a configured TRAWL_ORIGIN_*: private addresses allowed (simulators, mirrors). */
  private readonly trusted: Agent;
  private readonly trustedOrigins: ReadonlySet<string>;

  constructor(private readonly options: HttpClientOptions) {
    const { requestTimeoutMs: timeoutMs, lookup, ssrf } = options;
    const connectorOptions = lookup === undefined ? { timeoutMs } : { timeoutMs, lookup };
    // undici's own header/body timers stay off: they are fixed per Agent, and a job's own request
    // timeout (timeouts.request) may be longer. The exchange timer and the body guard enforce it.
    // HTTP/1.1 only: undici 8 would negotiate HTTP/2 over TLS, where one socket carries many streams
    // and the per-host connection limit and per-request socket teardown (a budget's abort) differ.
    const agentOptions = { headersTimeout: 0, bodyTimeout: 0, connections: options.connections ?? 16, allowH2: false };
    this.guarded = new Agent({ ...agentOptions, connect: createGuardedConnector(ssrf, connectorOptions) });
    this.trusted = new Agent({ ...agentOptions, connect: createGuardedConnector({ ...ssrf, allowPrivateNetworks: true }, connectorOptions) });
    this.trustedOrigins = new Set(options.trustedOrigins.map((origin) => parseRequestUrl(origin).origin));
  }

  async open(url: string, options: RequestOptions): Promise<HttpResponse> {
    let current = parseRequestUrl(url);
    let headers = this.headersFor(options.headers);
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const seen = new Set([current.href]);
    for (let hops = 1; ; hops++) {
      const exchange = await openExchange(current, {
        dispatcher: this.dispatcherFor(current, options.purpose),
        headers,
        signal: options.signal,
        timeoutMs,
      });
      if (!REDIRECT_STATUSES.has(exchange.status)) return this.accept(exchange, current, options.purpose, timeoutMs);
      await exchange.discard();
      const next = nextHop(current, exchange.headers.location, seen, hops, this.options.maxRedirects);
      headers = headersForHop(headers, current, next);
      current = next;
    }
  }

  getJson<T = unknown>(url: string, options: ReadOptions): Promise<ApiResponse<T>> {
    return this.read(url, options, (text, response) => {
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        const start = JSON.stringify(text.slice(0, 80));
        throw new TrawlError('TRAWL_BAD_RESPONSE', `${response.url} did not answer with JSON (starts with ${start})`, {
          cause: err,
          context: { url: response.url, status: response.status, contentType: response.headers['content-type'] },
        });
      }
    });
  }

  getText(url: string, options: ReadOptions): Promise<ApiResponse<string>> {
    return this.read(url, options, (text) => text);
  }

  async close(): Promise<void> {
    await Promise.all([this.guarded.destroy(), this.trusted.destroy()]);
  }

  /** open + whole guarded body + decode + parse, retried per policy under the caller's signal. */
  private read<T>(url: string, options: ReadOptions, parse: (text: string, response: HttpResponse) => T): Promise<ApiResponse<T>> {
    const policy = this.options.retry ?? DEFAULT_RETRY_POLICY;
    const request = { ...options, purpose: options.purpose ?? 'api' };
    return withRetry(
      async () => {
        const response = await this.open(url, request);
        const chunks: Uint8Array[] = [];
        for await (const chunk of response.body) chunks.push(chunk);
        const text = decode(Buffer.concat(chunks), response.headers['content-type']);
        return { status: response.status, headers: response.headers, url: response.url, data: parse(text, response) };
      },
      { signal: options.signal, policy },
    );
  }

  private dispatcherFor(url: URL, purpose: RequestPurpose): Dispatcher {
    return purpose === 'api' && this.trustedOrigins.has(url.origin) ? this.trusted : this.guarded;
  }

  /** Caller headers (names lower-cased) over our User-Agent; identity encoding is not negotiable. */
  private headersFor(extra: Record<string, string> | undefined): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent };
    for (const [name, value] of Object.entries(extra ?? {})) headers[name.toLowerCase()] = value;
    headers['accept-encoding'] = 'identity';
    return headers;
  }

  /** A final (non-redirect) answer: 2xx with an acceptable body becomes a guarded response. */
  private async accept(exchange: Exchange, url: URL, purpose: RequestPurpose, timeoutMs: number): Promise<HttpResponse> {
    const failure = refusal(exchange, url.href, purpose, this.options.maxFileSize);
    if (failure) {
      await exchange.discard();
      throw failure;
    }
    const body = guardBody(exchange.body, {
      url: url.href,
      contentLength: exchange.contentLength,
      controller: exchange.controller,
      idleTimeoutMs: timeoutMs,
      minSpeed: this.options.minSpeed,
      maxBytes: this.options.maxFileSize,
      onSettled: exchange.release,
    });
    return { status: exchange.status, headers: exchange.headers, url: url.href, contentLength: exchange.contentLength, body, discard: exchange.discard };
  }
}

/** Why a final answer cannot be handed out: an error status, an encoding we did not ask for, or a declared size over the cap. */
function refusal(exchange: Exchange, url: string, purpose: RequestPurpose, maxBytes: number): TrawlError | undefined {
  if (exchange.status < 200 || exchange.status > 299) return statusError(exchange.status, url, exchange.headers, purpose);
  const encoding = exchange.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    // We asked for identity; decoding an unasked-for encoding is how decompression bombs get in.
    return new TrawlError('TRAWL_BAD_RESPONSE', `${url} sent a ${encoding}-encoded body although identity was requested`, { context: { url, status: exchange.status, encoding } });
  }
  return declaredLengthError(exchange.contentLength, maxBytes, url);
}

/** Text in the charset the server declared, UTF-8 when none or unknown. */
function decode(bytes: Buffer, contentType: string | undefined): string {
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

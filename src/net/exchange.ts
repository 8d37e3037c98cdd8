import { request, type Dispatcher } from 'undici';
import { TrawlError } from '../errors.js';
import { abortReason, onAbort } from '../signal.js';
import { formatDuration } from '../config/units.js';
import { transportError } from './errors-map.js';

type Body = Dispatcher.ResponseData['body'];

/** One GET whose response headers have arrived; its body is not read yet. */
export interface Exchange {
  status: number;
  /** Header names lower-case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  contentLength: number | null;
  /** The raw undici body: read it through the body guard, or discard it. */
  body: Body;
  /** This request's own controller (linked to the caller's signal): aborting it destroys the socket. */
  controller: AbortController;
  /** Unlinks the request from the caller's signal; call once the body is settled. Idempotent. */
  release: () => void;
  /** Destroys the body (its socket closes unless the body was complete) and releases. Idempotent. */
  discard: () => Promise<void>;
}

/** What one exchange needs. */
export interface ExchangeOptions {
  dispatcher: Dispatcher;
  headers: Record<string, string>;
  /** The caller's budget; when it aborts, its reason is what the request fails with. */
  signal: AbortSignal;
  /** Connect + response headers must arrive within this (TRAWL_REQUEST_TIMEOUT). */
  timeoutMs: number;
}

/**
 * Sends a GET and waits for the response headers, under a per-request controller that the
 * caller's signal aborts (wired by hand: `AbortSignal.any` still leaks on Node 22 and 26, see
 * budget.ts) and that our own timer aborts when connect + headers take longer than `timeoutMs`.
 * Every failure is a TrawlError: the caller's abort reason, TRAWL_REQUEST_TIMEOUT, or a mapped
 * network error.
 */
export async function openExchange(url: URL, options: ExchangeOptions): Promise<Exchange> {
  const { signal, timeoutMs } = options;
  if (signal.aborted) throw abortReason(signal);
  const controller = new AbortController();
  const release = onAbort(signal, () => controller.abort(abortReason(signal)));
  const timer = setTimeout(() => {
    const message = `${url.href} did not connect and send its response headers within ${formatDuration(timeoutMs)} (TRAWL_REQUEST_TIMEOUT)`;
    controller.abort(new TrawlError('TRAWL_REQUEST_TIMEOUT', message, { context: { url: url.href, timeoutMs } }));
  }, timeoutMs);
  try {
    const pending = request(url, { dispatcher: options.dispatcher, method: 'GET', headers: options.headers, signal: controller.signal });
    const response = await untilAborted(pending, controller.signal);
    return toExchange(response, controller, release);
  } catch (err) {
    release();
    throw controller.signal.aborted ? abortReason(controller.signal) : transportError(err, url.href);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Settles with `pending`, or with the abort reason as soon as `signal` aborts. undici only
 * notices an abort once the connection is up, so a hung connect or resolver would otherwise
 * hold the caller until the connect timeout; the abandoned request still ends (its abort reason
 * is recorded), and a response that arrives late has its body destroyed.
 */
function untilAborted(pending: Promise<Dispatcher.ResponseData>, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  return new Promise((resolve, reject) => {
    const stop = onAbort(signal, () => reject(abortReason(signal)));
    pending.then(
      (response) => {
        stop();
        if (!signal.aborted) return resolve(response);
        destroyQuietly(response.body);
        reject(abortReason(signal));
      },
      (err: unknown) => {
        stop();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function toExchange(response: Dispatcher.ResponseData, controller: AbortController, release: () => void): Exchange {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const declared = headers['content-length'];
  const body = response.body;
  return {
    status: response.statusCode,
    headers,
    contentLength: declared !== undefined && /^\d+$/.test(declared.trim()) ? Number(declared) : null,
    body,
    controller,
    release,
    discard: async () => {
      if (!controller.signal.aborted) controller.abort(new TrawlError('TRAWL_CANCELLED', 'the response body was discarded'));
      destroyQuietly(body);
      if (!body.closed) await new Promise((resolve) => body.once('close', resolve));
      release();
    },
  };
}

/** Destroys an undici body without an unhandled 'error' event (undici errors a destroyed, unfinished body). */
function destroyQuietly(body: Body): void {
  body.on('error', () => undefined);
  if (!body.destroyed) body.destroy();
}

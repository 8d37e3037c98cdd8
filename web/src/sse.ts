/**
 * Reads a Server-Sent Events stream with fetch(), so the Authorization header goes with it
 * (EventSource cannot send one). Reconnects after drops with growing delays and resumes with
 * `Last-Event-ID`, so no event is missed; stops when the caller's signal aborts.
 */
import { abortError } from './abort.js';
import { authHeaders, markUnauthorized, waitForToken } from './auth.js';
import { type SseFrame, parseSseText } from './sse-parse.js';

/** Connection state, for a "live / reconnecting" badge. */
export type StreamState = 'connecting' | 'live' | 'retrying' | 'closed';

/** What {@link streamEvents} needs. */
export interface StreamOptions {
  /** Called with each event that carries data, in order. Aborting `signal` here stops at once. */
  onEvent: (frame: SseFrame) => void;
  onState?: (state: StreamState) => void;
  signal: AbortSignal;
}

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;
// The server sends `: ping` every 15 s; this much silence means the connection is dead.
const IDLE_LIMIT_MS = 45_000;

/**
 * Follows the stream at `path` until `signal` aborts or the server says it does not exist (404)
 * or refuses the request (4xx other than 401/408/429). Ends with state `closed`.
 */
export async function streamEvents(path: string, options: StreamOptions): Promise<void> {
  const { signal } = options;
  const cursor: Cursor = { lastEventId: null, retryMs: FIRST_DELAY_MS, wentLive: false };
  let delay = FIRST_DELAY_MS;
  try {
    while (!signal.aborted) {
      options.onState?.('connecting');
      cursor.wentLive = false;
      const outcome = await connectOnce(path, cursor, options).catch((): Outcome => 'dropped');
      if (outcome === 'gone' || signal.aborted) break;
      if (outcome === 'unauthorized') {
        await waitForToken({ signal });
        continue;
      }
      // After a healthy connection, start again from the server's delay; else back off further.
      delay = cursor.wentLive ? cursor.retryMs : Math.min(Math.max(delay * 2, cursor.retryMs), MAX_DELAY_MS);
      options.onState?.('retrying');
      await sleep(delay, signal);
    }
  } catch {
    // Only an abort gets here (waitForToken or sleep): the caller is done with the stream.
  } finally {
    options.onState?.('closed');
  }
}

/** What survives reconnections: where to resume, the server's retry delay, and whether the last attempt connected. */
interface Cursor {
  lastEventId: string | null;
  retryMs: number;
  wentLive: boolean;
}
type Outcome = 'ended' | 'dropped' | 'gone' | 'unauthorized';

async function connectOnce(path: string, cursor: Cursor, options: StreamOptions): Promise<Outcome> {
  const headers: Record<string, string> = { Accept: 'text/event-stream', ...authHeaders() };
  if (cursor.lastEventId !== null) headers['Last-Event-ID'] = cursor.lastEventId;
  const response = await fetch(path, { headers, signal: options.signal, cache: 'no-store' });
  if (response.status === 401) {
    markUnauthorized();
    return 'unauthorized';
  }
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) return 'gone';
  if (!response.ok || !response.body) return 'dropped';
  cursor.wentLive = true;
  options.onState?.('live');
  return readFrames(response.body, cursor, options);
}

async function readFrames(body: ReadableStream<Uint8Array>, cursor: Cursor, options: StreamOptions): Promise<Outcome> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  let idle = 0;
  const watch = (): void => {
    window.clearTimeout(idle);
    // Cancelling ends the pending read as "done": the loop below then reconnects.
    idle = window.setTimeout(() => void reader.cancel().catch(() => undefined), IDLE_LIMIT_MS);
  };
  try {
    for (;;) {
      watch();
      const { done, value } = await reader.read();
      if (done) return 'ended';
      const { frames, rest } = parseSseText(pending + decoder.decode(value, { stream: true }));
      pending = rest;
      for (const frame of frames) {
        if (options.signal.aborted) return 'ended';
        if (frame.id !== null) cursor.lastEventId = frame.id;
        if (frame.retry !== null) cursor.retryMs = Math.min(frame.retry, MAX_DELAY_MS);
        if (frame.data !== '') options.onEvent(frame);
      }
    }
  } finally {
    window.clearTimeout(idle);
    // Closes the connection when we stop early; a no-op after the stream ended.
    await reader.cancel().catch(() => undefined);
  }
}

/** Waits `ms`, or rejects with the abort reason as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      window.clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = window.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Writing answers, well-behaved or not: whole bodies with backpressure, paced bodies (slow,
 * trickle), and bodies cut short (stall, reset, truncate). Every wait ends when the client goes away.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Body, paddedBody } from './body.js';
import { noiseBlock } from './media.js';
import type { Payload } from './payload.js';
import type { RequestRecord } from './request-log.js';
import { onAbort } from '../signal.js';

/** One request being answered. `signal` aborts when the response's socket closes. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly record: RequestRecord;
  readonly signal: AbortSignal;
}

const CHUNK_BYTES = 64 * 1024;
/** Paced bodies wake at most this often; slower rates wake once per byte. */
const MIN_TICK_MS = 20;
const RESET_DELAY_MS = 100;

/** Sends the status line and headers (Content-Length = the body's length) and notes the status. */
export function writeHead(x: Exchange, payload: Payload): void {
  x.res.writeHead(payload.status, { ...payload.headers, 'content-length': String(payload.body.length) });
  x.record.status = payload.status;
}

/**
 * Sends a whole answer; with `bytesPerSecond` the body is paced (slow, trickle). Resolves when it
 * is sent or the client has gone.
 */
export async function sendPayload(x: Exchange, payload: Payload, { bytesPerSecond }: { bytesPerSecond?: number } = {}): Promise<void> {
  writeHead(x, payload);
  const complete = x.req.method === 'HEAD' || (await pump(x, payload.body, payload.body.length, bytesPerSecond));
  if (complete) x.res.end();
}

/** How an answer cut short ends: silence with the socket open, a TCP reset, or a clean close. */
export type Cutoff = 'stall' | 'reset' | 'truncate';

/** Sends the headers of the full answer and about half its body, then ends it as `cutoff` says. */
export async function sendPartial(x: Exchange, payload: Payload, cutoff: Cutoff): Promise<void> {
  writeHead(x, payload);
  const half = Math.floor(payload.body.length / 2);
  if (!(await pump(x, payload.body, half)) || !(await flushed(x))) return;
  const socket = x.res.socket;
  if (socket === null) return;
  if (cutoff === 'truncate') socket.end();
  // A reset that lands while the client still has unread bytes reads as a plain EOF on Linux;
  // once it has read them, it gets ECONNRESET, which is the failure this fault stands for.
  else if (cutoff === 'reset' && (await pause(RESET_DELAY_MS, x.signal))) socket.resetAndDestroy();
  // 'stall': say nothing more; the socket stays open until the client gives up.
}

/** Sends the status line and headers of the full answer, then silence: not one body byte. */
export async function sendHeadersOnly(x: Exchange, payload: Payload): Promise<void> {
  writeHead(x, payload);
  x.res.flushHeaders();
  await flushed(x);
}

/**
 * Sends the answer's headers without Content-Length (chunked), its body, then noise for ever, as
 * fast as the client reads: a body with no declared size and no end. Resolves when the client goes.
 */
export async function sendEndless(x: Exchange, payload: Payload): Promise<void> {
  const { 'content-length': _declared, ...headers } = payload.headers;
  x.res.writeHead(payload.status, headers);
  x.record.status = payload.status;
  await pump(x, paddedBody(payload.body.slice(0, payload.body.length), Number.MAX_SAFE_INTEGER, noiseBlock()), Number.MAX_SAFE_INTEGER);
}

/** Writes bytes `[0, end)` of `body`; false if the client went away first. */
async function pump(x: Exchange, body: Body, end: number, bytesPerSecond?: number): Promise<boolean> {
  const started = performance.now();
  const tickMs = bytesPerSecond === undefined ? 0 : Math.max(MIN_TICK_MS, 1000 / bytesPerSecond);
  let offset = 0;
  while (offset < end) {
    if (x.signal.aborted) return false;
    let size = CHUNK_BYTES;
    if (bytesPerSecond !== undefined) {
      // Due bytes follow the clock, not the tick count, so timer lateness does not slow the rate.
      size = Math.min(CHUNK_BYTES, Math.floor((bytesPerSecond * (performance.now() - started)) / 1000) - offset);
      if (size <= 0) {
        if (!(await pause(tickMs, x.signal))) return false;
        continue;
      }
    }
    const chunk = body.slice(offset, Math.min(end, offset + size));
    offset += chunk.length;
    x.record.bytesSent += chunk.length;
    if (!x.res.write(chunk) && !(await drained(x))) return false;
  }
  return !x.signal.aborted;
}

async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

async function drained(x: Exchange): Promise<boolean> {
  try {
    await once(x.res, 'drain', { signal: x.signal });
    return true;
  } catch {
    return false;
  }
}

/** Waits until everything written so far has reached the socket (a reset would discard the rest). */
function flushed(x: Exchange): Promise<boolean> {
  if (x.signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const stop = onAbort(x.signal, () => resolve(false));
    x.res.write(Buffer.alloc(0), () => {
      stop();
      resolve(!x.signal.aborted);
    });
  });
}

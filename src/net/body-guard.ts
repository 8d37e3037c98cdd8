import { TrawlError } from '../errors.js';
import { abortReason } from '../signal.js';
import { formatBytes, formatDuration, type MinSpeed } from '../config/units.js';
import { transportError } from './errors-map.js';

/** The per-request limits a body must respect while it is read. */
export interface BodyLimits {
  /** Longest silence while we are waiting for bytes (TRAWL_BODY_IDLE). */
  idleTimeoutMs: number;
  /** curl `--speed-limit` model: below `bytesPerSecond` over `windowMs` → TRAWL_TOO_SLOW; 0 = off. */
  minSpeed: MinSpeed;
  /** More bytes than this → TRAWL_TOO_LARGE. */
  maxBytes: number;
}

/** What {@link guardBody} needs to know about the request it watches. */
export interface GuardedBodyOptions extends BodyLimits {
  url: string;
  /** Declared length (null when chunked): reading fewer bytes is TRAWL_TRUNCATED. */
  contentLength: number | null;
  /**
   * The request's own controller. A trip aborts it with the TrawlError as reason, which makes
   * undici destroy the body and its socket; abandoning the body early aborts it too.
   */
  controller: AbortController;
  /** Called once when the body is settled: read to the end, failed, or abandoned. */
  onSettled?: () => void;
}

/**
 * TRAWL_TOO_LARGE when a declared Content-Length is already over the cap, so the caller can
 * refuse the body before reading a byte; undefined otherwise.
 */
export function declaredLengthError(contentLength: number | null, maxBytes: number, url: string): TrawlError | undefined {
  if (contentLength === null || contentLength <= maxBytes) return undefined;
  return new TrawlError('TRAWL_TOO_LARGE', `${url} declares ${formatBytes(contentLength)}, more than the ${formatBytes(maxBytes)} limit (TRAWL_MAX_FILE_SIZE)`, {
    context: { url, contentLength, maxBytes },
  });
}

/**
 * Wraps a response body so it fails fast instead of hanging or flooding: idle gap, minimum speed
 * and size are enforced per request with one timer, always cleared. Time is measured only while
 * the reader waits for bytes, so a slow consumer (disk, hashing) is never blamed on the network.
 * Errors thrown while iterating are TrawlErrors: the guard's own (TRAWL_BODY_IDLE,
 * TRAWL_TOO_SLOW, TRAWL_TOO_LARGE, TRAWL_TRUNCATED), the caller's abort reason, or a mapped
 * network error.
 */
export async function* guardBody(source: AsyncIterable<Uint8Array>, options: GuardedBodyOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const meter = new BodyMeter(options);
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      meter.startWait();
      const next = await iterator.next().finally(() => meter.endWait());
      if (meter.tripped) throw meter.tripped;
      if (next.done) break;
      meter.received(next.value.byteLength);
      yield next.value;
    }
    finished = true;
    meter.checkComplete();
  } catch (err) {
    throw meter.explain(err);
  } finally {
    meter.stop();
    if (!finished && !options.controller.signal.aborted) {
      options.controller.abort(new TrawlError('TRAWL_CANCELLED', `the body of ${options.url} was abandoned before its end`, { context: { url: options.url } }));
    }
    options.onSettled?.();
  }
}

interface Sample {
  /** Waiting time so far (ms) when the sample was taken. */
  at: number;
  bytes: number;
}

/**
 * The clock, counters and checks behind {@link guardBody}. Its one timer runs only while the
 * reader waits for bytes, so a body parked at `yield` (or discarded there) holds no timer.
 */
class BodyMeter {
  tripped: TrawlError | undefined;
  private bytes = 0;
  private waitingSince: number | undefined;
  private waitedBefore = 0;
  private samples: Sample[] = [{ at: 0, bytes: 0 }];
  private timer: NodeJS.Timeout | undefined;
  /** Check period, and the minimum spacing of speed samples (bounds memory to window/tick). */
  private readonly tickMs: number;

  constructor(private readonly options: GuardedBodyOptions) {
    const { idleTimeoutMs, minSpeed } = options;
    const shortest = Math.min(idleTimeoutMs, minSpeed.bytesPerSecond > 0 ? minSpeed.windowMs : Infinity);
    this.tickMs = Math.min(250, Math.max(10, Math.floor(shortest / 5)));
  }

  /** Milliseconds spent waiting for bytes since the body began. */
  private waited(now: number): number {
    return this.waitedBefore + (this.waitingSince === undefined ? 0 : now - this.waitingSince);
  }

  startWait(): void {
    this.waitingSince = Date.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  endWait(): void {
    this.stop();
    if (this.waitingSince !== undefined) this.waitedBefore += Date.now() - this.waitingSince;
    this.waitingSince = undefined;
  }

  /** Counts a chunk; throws TRAWL_TOO_LARGE past the cap, or TRAWL_TOO_SLOW when a trickle of tiny chunks never lets a tick run. */
  received(count: number): void {
    this.bytes += count;
    if (this.bytes > this.options.maxBytes) {
      throw this.trip('TRAWL_TOO_LARGE', `${this.options.url} sent more than the ${formatBytes(this.options.maxBytes)} limit (TRAWL_MAX_FILE_SIZE)`);
    }
    const slow = this.checkSpeed(this.waitedBefore);
    if (slow) throw slow;
  }

  checkComplete(): void {
    const { contentLength, url } = this.options;
    if (contentLength !== null && this.bytes < contentLength) {
      throw new TrawlError('TRAWL_TRUNCATED', `${url} ended after ${this.bytes} of ${contentLength} bytes`, { context: { url, received: this.bytes, contentLength } });
    }
  }

  /** The TrawlError to report for a failure while reading. */
  explain(err: unknown): TrawlError {
    if (this.tripped) return this.tripped;
    if (err instanceof TrawlError) return err;
    const { controller, contentLength, url } = this.options;
    if (controller.signal.aborted) return abortReason(controller.signal);
    const mapped = transportError(err, url);
    // A connection that breaks inside a declared length is a truncated body, whatever the socket says.
    if (mapped.code === 'TRAWL_NETWORK' && contentLength !== null && this.bytes < contentLength) {
      return new TrawlError('TRAWL_TRUNCATED', `${url} broke off after ${this.bytes} of ${contentLength} bytes`, { cause: err, context: { url, received: this.bytes, contentLength } });
    }
    return mapped;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (this.waitingSince === undefined || this.tripped) return;
    const now = Date.now();
    const { idleTimeoutMs, url } = this.options;
    if (now - this.waitingSince >= idleTimeoutMs) {
      this.trip('TRAWL_BODY_IDLE', `${url} sent nothing for ${formatDuration(now - this.waitingSince)} mid-body (TRAWL_REQUEST_TIMEOUT is ${formatDuration(idleTimeoutMs)})`);
      return;
    }
    this.checkSpeed(this.waited(now));
  }

  /**
   * curl's --speed-limit: once a full window of waiting has passed, fewer bytes than
   * bytesPerSecond × window in the last window trips TRAWL_TOO_SLOW. Samples are taken at most
   * once per tick; one sample at or before the window's start is kept as the baseline.
   */
  private checkSpeed(at: number): TrawlError | undefined {
    const { minSpeed, url } = this.options;
    const last = this.samples[this.samples.length - 1];
    if (minSpeed.bytesPerSecond <= 0 || (last !== undefined && at - last.at < this.tickMs)) return undefined;
    this.samples.push({ at, bytes: this.bytes });
    const windowStart = at - minSpeed.windowMs;
    while ((this.samples[1]?.at ?? Infinity) <= windowStart) this.samples.shift();
    const base = this.samples[0];
    if (at < minSpeed.windowMs || base === undefined) return undefined;
    const inWindow = this.bytes - base.bytes;
    if (inWindow >= (minSpeed.bytesPerSecond * minSpeed.windowMs) / 1000) return undefined;
    return this.trip('TRAWL_TOO_SLOW', `${url} sent ${formatBytes(inWindow)} in the last ${formatDuration(minSpeed.windowMs)}, below ${formatBytes(minSpeed.bytesPerSecond)}/s (TRAWL_MIN_SPEED)`);
  }

  /** Records the first trip and aborts the request with it (undici then destroys the socket). */
  private trip(code: 'TRAWL_BODY_IDLE' | 'TRAWL_TOO_SLOW' | 'TRAWL_TOO_LARGE', message: string): TrawlError {
    if (this.tripped) return this.tripped;
    const error = new TrawlError(code, message, { context: { url: this.options.url, received: this.bytes } });
    this.tripped = error;
    this.options.controller.abort(error);
    return error;
  }
}

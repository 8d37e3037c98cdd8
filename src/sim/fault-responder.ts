/**
 * Answers a request under a fault rule: the route's payload, bent the way the fault says (or
 * replaced by an error, a redirect or a decoy file).
 */
import { gzipSync } from 'node:zlib';
import { bufferBody, paddedBody } from './body.js';
import type { FaultRule } from './faults.js';
import { MEDIA_TYPES, noiseBlock } from './media.js';
import { bytesPayload, type Payload, textPayload } from './payload.js';
import { hugeDimensionsPng } from './png.js';
import { type Exchange, sendEndless, sendHeadersOnly, sendPartial, sendPayload } from './send.js';

/** Query parameters that carry a redirect chain's progress: `_sim_hop` of `_sim_hops`. */
export const HOP_PARAM = '_sim_hop';
export const HOPS_PARAM = '_sim_hops';

const DEFAULTS = {
  trickleBytesPerSecond: 5, // one byte every 200 ms
  slowBytesPerSecond: 64 * 1024,
  serverErrorStatus: 503,
  retryAfter: '1',
  hops: 3,
  oversizedBytes: 10 * 1024 ** 3,
} as const;

/** Where a request arrived, for redirects. */
export interface Origin {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
}

/**
 * Answers `x` with `produce()`'s payload, as `rule` (if any) dictates. `produce` is called only
 * when the fault needs the real answer, so a hang or a 429 costs nothing.
 */
export async function respond(x: Exchange, origin: Origin, rule: FaultRule | null, produce: () => Payload): Promise<void> {
  if (rule === null) return sendPayload(x, produce());
  switch (rule.fault) {
    case 'hang':
      return; // headers never sent; the socket stays open until the client closes it
    case 'trickle':
      return sendPayload(x, produce(), { bytesPerSecond: rule.bytesPerSecond ?? DEFAULTS.trickleBytesPerSecond });
    case 'slow':
      return sendPayload(x, produce(), { bytesPerSecond: rule.bytesPerSecond ?? DEFAULTS.slowBytesPerSecond });
    case 'stall':
    case 'reset':
    case 'truncate':
      return sendPartial(x, produce(), rule.fault);
    case 'headers-only':
      return sendHeadersOnly(x, produce());
    case 'rate-limit':
      return sendPayload(x, textPayload(429, 'Too Many Requests\n', undefined, { 'retry-after': rule.retryAfter ?? DEFAULTS.retryAfter }));
    case 'server-error': {
      const status = rule.status ?? DEFAULTS.serverErrorStatus;
      return sendPayload(x, textPayload(status, `Simulated error ${status}\n`, undefined, rule.retryAfter === undefined ? {} : { 'retry-after': rule.retryAfter }));
    }
    case 'html-as-image':
      return sendPayload(x, htmlAsImage(produce()));
    case 'truncated-image':
      return sendPayload(x, firstHalf(produce()));
    case 'lie-size':
      // `produce` serves the image at the lied size (see mediaPayload); the API answer was honest.
      return sendPayload(x, produce());
    case 'huge-dimensions':
      return sendPayload(x, bytesPayload(200, hugeDimensionsPng(), MEDIA_TYPES.png));
    case 'oversized':
      return sendPayload(x, oversized(produce(), rule.size ?? DEFAULTS.oversizedBytes));
    case 'endless':
      return sendEndless(x, produce());
    case 'gzip-bomb':
      return sendPayload(x, gzipBomb(produce()));
    case 'redirect-loop':
      return sendPayload(x, redirect(`${origin.url}${x.req.url ?? '/'}`));
    case 'redirect-private':
      // 127.0.0.2 is loopback too, but nothing listens there: only an SSRF guard should stop the client.
      return sendPayload(x, redirect(rule.location ?? `http://127.0.0.2:${origin.port}${x.req.url ?? '/'}`));
    case 'redirect-chain':
      return redirectChain(x, origin, rule.hops ?? DEFAULTS.hops, produce);
  }
}

function redirect(location: string): Payload {
  return textPayload(302, '', undefined, { location });
}

/**
 * Hop k of n redirects to hop k + 1 (each URL distinct); hop n serves the real file. The first
 * request has no hop parameter (k = 0), so the chain is n 302s then a 200.
 */
function redirectChain(x: Exchange, origin: Origin, hops: number, produce: () => Payload): Promise<void> {
  const url = new URL(x.req.url ?? '/', origin.url);
  const hop = Number(url.searchParams.get(HOP_PARAM) ?? 0);
  if (hop >= hops) return sendPayload(x, produce());
  url.searchParams.set(HOP_PARAM, String(hop + 1));
  url.searchParams.set(HOPS_PARAM, String(hops));
  return sendPayload(x, redirect(url.href));
}

/** An HTML error page labelled with the content type the real file would have had. */
function htmlAsImage(real: Payload): Payload {
  const html = '<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>The image could not be served.</p></body></html>\n';
  return bytesPayload(200, Buffer.from(html), real.headers['content-type'] ?? 'image/jpeg');
}

/** The first half of the real file as a complete answer: the file was cut at its origin, the transfer is fine. */
function firstHalf(real: Payload): Payload {
  return { ...real, body: bufferBody(real.body.slice(0, Math.floor(real.body.length / 2))) };
}

/** The real file's first bytes (so sniffing succeeds), then noise, declared and sent up to `size` bytes. */
function oversized(real: Payload, size: number): Payload {
  const prefix = real.body.slice(0, Math.min(real.body.length, size, 1024 * 1024));
  return { status: real.status, headers: real.headers, body: paddedBody(prefix, size, noiseBlock()) };
}

/** Zeros a gzip bomb inflates to: a few dozen KiB on the wire. */
const BOMB_INFLATED_BYTES = 64 * 1024 * 1024;
let bomb: Buffer | undefined;

/**
 * The real answer's headers with `Content-Encoding: gzip` and a body that inflates to 64 MiB of
 * zeros, sent whatever Accept-Encoding said: only a client that refuses unasked-for encodings is safe.
 */
function gzipBomb(real: Payload): Payload {
  bomb ??= gzipSync(Buffer.alloc(BOMB_INFLATED_BYTES), { level: 9 });
  return { status: real.status, headers: { ...real.headers, 'content-encoding': 'gzip' }, body: bufferBody(bomb) };
}

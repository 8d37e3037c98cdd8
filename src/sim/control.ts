/**
 * The simulator's own API, beside the simulated sources: switch faults on and off and read the
 * request log from another process (`trawl sim` running, a test or a demo driving it).
 *   GET /_sim/faults · POST /_sim/faults (JSON array of rules, replaces them) · DELETE /_sim/faults
 *   GET /_sim/requests
 */
import type { FaultBook } from './faults.js';
import { jsonPayload, type Payload } from './payload.js';
import type { RequestLog } from './request-log.js';
import { type Exchange, sendPayload } from './send.js';

/** Paths under this prefix are the control API. */
export const CONTROL_PREFIX = '/_sim/';

const MAX_BODY_BYTES = 1024 * 1024;

/** What the control API works on. */
export interface ControlDeps {
  readonly faults: FaultBook;
  readonly log: RequestLog;
}

/** Answers one control request. */
export async function handleControl(x: Exchange, pathname: string, deps: ControlDeps): Promise<void> {
  const method = x.req.method ?? 'GET';
  let payload: Payload;
  if (pathname === '/_sim/faults' && method === 'GET') payload = jsonPayload(200, deps.faults.rules());
  else if (pathname === '/_sim/faults' && method === 'POST') payload = replaceFaults(await readBody(x), deps.faults);
  else if (pathname === '/_sim/faults' && method === 'DELETE') {
    deps.faults.clear();
    payload = jsonPayload(200, []);
  } else if (pathname === '/_sim/requests' && method === 'GET') payload = jsonPayload(200, deps.log.all());
  else payload = jsonPayload(404, { error: `no control endpoint ${method} ${pathname}; see GET/POST/DELETE /_sim/faults, GET /_sim/requests` });
  return sendPayload(x, payload);
}

function replaceFaults(body: string | null, faults: FaultBook): Payload {
  if (body === null) return jsonPayload(413, { error: `the body is larger than ${MAX_BODY_BYTES} bytes` });
  let rules: unknown;
  try {
    rules = JSON.parse(body);
  } catch (err) {
    return jsonPayload(400, { error: `the body is not JSON: ${(err as Error).message}` });
  }
  if (!Array.isArray(rules)) return jsonPayload(400, { error: 'expected a JSON array of fault rules, e.g. [{"target":"pexels","fault":"hang"}]' });
  try {
    faults.set(rules);
  } catch (err) {
    return jsonPayload(400, { error: (err as Error).message });
  }
  return jsonPayload(200, faults.rules());
}

/** The request body as text, or null when it exceeds the limit. */
async function readBody(x: Exchange): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of x.req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

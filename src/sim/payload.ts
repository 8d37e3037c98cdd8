/** What a route answers before any fault is applied: a status, headers and a body. */
import { type Body, bufferBody } from './body.js';

/** A complete answer; the sender adds Content-Length from the body. */
export interface Payload {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Body;
}

/** A JSON answer (`application/json; charset=utf-8`). */
export function jsonPayload(status: number, value: unknown, headers: Record<string, string> = {}): Payload {
  return bytesPayload(status, Buffer.from(JSON.stringify(value)), 'application/json; charset=utf-8', headers);
}

/** A text answer; plain text unless `contentType` says otherwise (HTML error pages, playlists). */
export function textPayload(status: number, text: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): Payload {
  return bytesPayload(status, Buffer.from(text), contentType, headers);
}

/** An answer whose body is already in memory. */
export function bytesPayload(status: number, bytes: Buffer, contentType: string, headers: Record<string, string> = {}): Payload {
  return { status, headers: { 'content-type': contentType, ...headers }, body: bufferBody(bytes) };
}

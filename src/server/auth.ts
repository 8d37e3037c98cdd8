/**
 * The API token (TRAWL_API_TOKEN): when set, every `/api/*` call needs `Authorization: Bearer
 * <token>`; routes marked `queryToken` (event streams, for EventSource) also take `?access_token=`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { FastifyRequest } from 'fastify';
import { TrawlError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Also accept the token as `?access_token=` (event streams: EventSource cannot set headers). */
    queryToken?: boolean;
  }
}

/** Whether `host` can only be reached from this machine: 127.0.0.0/8, ::1 (also IPv4-mapped) or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (!ipaddr.isValid(bare)) return false;
  return ipaddr.process(bare).range() === 'loopback';
}

/**
 * An `onRequest` check that throws TRAWL_UNAUTHORIZED for an `/api/*` call without the right
 * token. Compares SHA-256 digests with `timingSafeEqual`, so neither the token nor its length
 * leaks through timing.
 */
export function tokenCheck(token: string): (request: FastifyRequest) => void {
  const expected = digest(token);
  return (request) => {
    if (!isApiRequest(request)) return;
    const given = bearerToken(request) ?? (request.routeOptions.config.queryToken === true ? queryToken(request) : undefined);
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return;
    const why = given === undefined ? 'needs' : 'got a wrong token; it needs';
    throw new TrawlError('TRAWL_UNAUTHORIZED', `this API ${why} the header Authorization: Bearer <TRAWL_API_TOKEN>`);
  };
}

/**
 * Whether a path needs the token (when one is set): `/api/*` and `/metrics`, not the dashboard's
 * files nor `/docs`. Also judges decoded and oddly slashed forms (`//API/jobs`) as the router may.
 */
export function needsToken(pathname: string): boolean {
  return /^\/+(api(\/|$)|metrics\/*$)/i.test(pathname);
}

function isApiRequest(request: FastifyRequest): boolean {
  if (request.routeOptions.url !== undefined && needsToken(request.routeOptions.url)) return true;
  const pathname = request.url.split('?')[0] ?? '';
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // A malformed escape matches no route; judge it by its raw text.
  }
  return needsToken(decoded);
}

function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1]?.trim();
}

function queryToken(request: FastifyRequest): string | undefined {
  const value = (request.query as Record<string, unknown> | null | undefined)?.access_token;
  return typeof value === 'string' ? value : undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

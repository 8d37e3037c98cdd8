/**
 * The DNS-rebinding guard. A web page the user visits can point its own name at 127.0.0.1 and then
 * call the API as if it were same-origin; the only trace is the `Host` header, which still carries
 * the page's name. So every request must name this server: a loopback name (`localhost`,
 * 127.0.0.0/8 or `[::1]` as literals), the address it listens on, or one of TRAWL_SERVER_NAMES (as
 * Vite's `server.allowedHosts` does). Ports are not compared: a name that reaches this machine's
 * loopback is safe on any port.
 */
import type { FastifyRequest } from 'fastify';
import { TrawlError } from '../errors.js';
import { isLoopbackHost } from './auth.js';

/** Which names a server answers to besides the loopback ones. */
export interface HostCheckOptions {
  /** The address it listens on (`--host`), when known. */
  listenHost?: string;
  /** TRAWL_SERVER_NAMES, lower-case; `.example.com` covers the name and every name under it. */
  serverNames: readonly string[];
}

const SHOWN_HOST_CHARS = 100;

/** An `onRequest` check that throws TRAWL_HOST_NOT_ALLOWED (403) unless the `Host` header names this server. */
export function hostCheck(options: HostCheckOptions): (request: FastifyRequest) => void {
  const own = options.listenHost === undefined ? undefined : hostnameOf(asHostHeader(options.listenHost));
  return (request) => {
    const header = request.headers.host;
    const name = header === undefined ? undefined : hostnameOf(header);
    if (name !== undefined && (isLoopbackHost(name) || name === own || isServerName(name, options.serverNames))) return;
    const shown = header === undefined ? 'no Host header' : `Host ${JSON.stringify(header.slice(0, SHOWN_HOST_CHARS))}`;
    throw new TrawlError(
      'TRAWL_HOST_NOT_ALLOWED',
      `${shown}: this server answers only to loopback names, its own address and TRAWL_SERVER_NAMES (a guard against DNS rebinding); if you reach Trawl by this name, add it to TRAWL_SERVER_NAMES`,
      { context: { host: header?.slice(0, SHOWN_HOST_CHARS) } },
    );
  };
}

/** The lower-case host name of a `Host` value without its port (`[::1]` keeps its brackets), or undefined when malformed. */
export function hostnameOf(host: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s]+)(?::\d{1,5})?$/i.exec(host.trim());
  return match?.[1]?.toLowerCase();
}

/** A listen address as a Host header writes it: IPv6 literals in brackets. */
function asHostHeader(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

function isServerName(name: string, serverNames: readonly string[]): boolean {
  return serverNames.some((allowed) => (allowed.startsWith('.') ? name === allowed.slice(1) || name.endsWith(allowed) : name === allowed));
}

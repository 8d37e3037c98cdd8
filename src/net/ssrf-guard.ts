import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';
import { TrawlError } from '../errors.js';
import { formatDuration } from '../config/units.js';

/** Which addresses a connection may reach besides public ones. */
export interface SsrfPolicy {
  /** Let loopback, RFC 1918, link-local, unique-local and CGNAT addresses through (tests, simulators). */
  allowPrivateNetworks: boolean;
  /** Addresses or CIDRs (IPv4 or IPv6) allowed even when private; matched against the address connected. */
  allowHosts: readonly string[];
}

/** Address classes `allowPrivateNetworks` opens; multicast, unspecified, reserved and tunnel ranges stay shut. */
const PRIVATE_CLASSES: ReadonlySet<string> = new Set(['loopback', 'private', 'linkLocal', 'uniqueLocal', 'carrierGradeNat', 'deprecatedSiteLocal']);

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

/**
 * The canonical IP text for an address literal in any form a URL host accepts (`0x7f.1`,
 * `127.1`, `2130706433`, `[::ffff:127.0.0.1]`), or undefined when `host` is a name. The WHATWG
 * URL parser does the normalising, so we read hosts exactly as the HTTP stack will.
 */
export function literalAddress(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (net.isIP(bare) !== 0) return bare;
  try {
    const normalized = new URL(`http://${host}/`).hostname;
    const unbracketed = normalized.startsWith('[') ? normalized.slice(1, -1) : normalized;
    return net.isIP(unbracketed) !== 0 ? unbracketed : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a literal, unwrapping IPv4-mapped IPv6 (`::ffff:127.0.0.1` is 127.0.0.1). */
function parseAddress(address: string): Address | undefined {
  const literal = literalAddress(address);
  return literal === undefined ? undefined : ipaddr.process(literal);
}

function rangeOf(ip: Address): string {
  const range = ip.range();
  return range === 'unicast' ? 'public' : range;
}

/**
 * `'public'`, or the class that makes an address unsafe to fetch: `loopback`, `private`,
 * `linkLocal`, `uniqueLocal`, `unspecified`, `multicast`, `broadcast`, `reserved`,
 * `carrierGradeNat`, `6to4`, `teredo`, … (ipaddr.js range names); `'invalid'` for a non-address.
 */
export function classifyAddress(address: string): string {
  const ip = parseAddress(address);
  return ip === undefined ? 'invalid' : rangeOf(ip);
}

const compiledAllowLists = new WeakMap<readonly string[], Cidr[]>();

/** The allow-list as CIDRs, parsed once per list; a bad entry is a configuration error. */
function allowListOf(entries: readonly string[]): Cidr[] {
  const cached = compiledAllowLists.get(entries);
  if (cached) return cached;
  const cidrs = entries.map((entry): Cidr => {
    try {
      if (entry.includes('/')) return ipaddr.parseCIDR(entry);
      const ip = parseAddress(entry);
      if (ip) return [ip, ip.kind() === 'ipv4' ? 32 : 128];
    } catch {
      // reported below with the entry's text
    }
    throw new TrawlError('TRAWL_BAD_CONFIG', `TRAWL_ALLOW_HOSTS entry ${JSON.stringify(entry)} is not an IP address or CIDR`);
  });
  compiledAllowLists.set(entries, cidrs);
  return cidrs;
}

function allowedBy(ip: Address, policy: SsrfPolicy): boolean {
  if (allowListOf(policy.allowHosts).some(([base, bits]) => base.kind() === ip.kind() && ip.match(base, bits))) return true;
  const range = rangeOf(ip);
  return range === 'public' || (policy.allowPrivateNetworks && PRIVATE_CLASSES.has(range));
}

/** Whether a connection to `address` is allowed: public, private when allowed, or listed in `allowHosts`. */
export function isAddressAllowed(address: string, policy: SsrfPolicy): boolean {
  const ip = parseAddress(address);
  return ip !== undefined && allowedBy(ip, policy);
}

function refusal(host: string, address: string): TrawlError {
  const addressClass = classifyAddress(address);
  const target = host === address ? address : `${host} (resolves to ${address})`;
  return new TrawlError(
    'TRAWL_SSRF_BLOCKED',
    `refusing to connect to ${target}: ${addressClass} address; allow it with TRAWL_ALLOW_HOSTS or TRAWL_ALLOW_PRIVATE_NETWORKS`,
    { context: { host, address, addressClass } },
  );
}

/** Options for {@link createGuardedConnector}. */
export interface GuardedConnectorOptions {
  /** Resolver (default `dns.lookup`); tests pass a stub answering loopback addresses only. */
  lookup?: LookupFunction;
  /** Bound on name resolution, and on TCP + TLS set-up (default 10 s). */
  timeoutMs?: number;
}

/**
 * An undici connector that applies `policy` to the address it really connects to. An IP-literal
 * host is checked as is. A name is resolved once, ALL its addresses are checked (one bad record
 * refuses the host), and the socket is opened to the checked address — TLS keeps the name for
 * SNI and certificate checks — so a second lookup can never swap the target (DNS rebinding).
 * A refusal is a TRAWL_SSRF_BLOCKED TrawlError naming the host and the address class; an
 * invalid `allowHosts` entry throws TRAWL_BAD_CONFIG here, at construction.
 */
export function createGuardedConnector(policy: SsrfPolicy, options: GuardedConnectorOptions = {}): buildConnector.connector {
  allowListOf(policy.allowHosts);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const lookup: LookupFunction = options.lookup ?? dns.lookup;
  const connect = buildConnector({ timeout: timeoutMs });
  return (connectOptions, callback) => {
    const host = connectOptions.hostname;
    const literal = literalAddress(host);
    const resolved = literal === undefined ? resolveAll(host, lookup, timeoutMs) : Promise.resolve([literal]);
    resolved.then(
      (addresses) => {
        try {
          const target = checkedTarget(host, addresses, policy);
          // TLS must still see the name (SNI, certificate) although we dial the address. Plain HTTP
          // gets no servername: undici 8 would dial the name with a lookup pinned to the address.
          const tls = connectOptions.protocol === 'https:';
          const servername = tls && literal === undefined ? connectOptions.servername || host : connectOptions.servername;
          connect({ ...connectOptions, hostname: target, ...(servername ? { servername } : {}) }, callback);
        } catch (err) {
          callback(err instanceof Error ? err : new Error(String(err)), null);
        }
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    );
  };
}

/** The address to dial: the first one, once every address has passed the policy. */
function checkedTarget(host: string, addresses: string[], policy: SsrfPolicy): string {
  const blocked = addresses.find((address) => !isAddressAllowed(address, policy));
  if (blocked !== undefined) throw refusal(host, blocked);
  const target = addresses[0];
  if (target === undefined) throw new TrawlError('TRAWL_DNS', `${host} resolved to no address`, { context: { host } });
  return target;
}

/** Every address `host` resolves to, within `timeoutMs` (a resolver that never answers is a timeout). */
function resolveAll(host: string, lookup: LookupFunction, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new TrawlError('TRAWL_REQUEST_TIMEOUT', `resolving ${host} took longer than ${formatDuration(timeoutMs)}`, { context: { host } }));
    }, timeoutMs);
    try {
      lookup(host, { all: true }, (err, result) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(typeof result === 'string' ? [result] : result.map((entry) => entry.address));
      });
    } catch (err) {
      clearTimeout(timer);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

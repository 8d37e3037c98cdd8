import type http from 'node:http';
import net, { type LookupFunction } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrawlError } from '../errors.js';
import { classifyAddress, isAddressAllowed, type SsrfPolicy } from './ssrf-guard.js';
import { failure, NetFixture, type TestServer } from './test-server.test-helper.js';

describe('classifyAddress (strings only, no traffic)', () => {
  it('sees loopback in every spelling', () => {
    for (const form of ['127.0.0.1', '127.0.0.2', '127.1', '0x7f.1', '2130706433', '017700000001', '::1', '[::1]', '::ffff:127.0.0.1', '[::ffff:7f00:1]']) {
      expect(classifyAddress(form), form).toBe('loopback');
    }
  });

  // Only loopback-derived and unspecified forms appear here: tests never name an address outside
  // 127.0.0.0/8 and ::1, even as a string (private ranges are classified by ipaddr.js's own tables).
  it('names the special classes', () => {
    expect(classifyAddress('0.0.0.0')).toBe('unspecified');
    expect(classifyAddress('0')).toBe('unspecified');
    expect(classifyAddress('::')).toBe('unspecified');
    expect(classifyAddress('64:ff9b::7f00:1')).toBe('rfc6052');
    expect(classifyAddress('localhost')).toBe('invalid');
  });
});

describe('isAddressAllowed', () => {
  const closed: SsrfPolicy = { allowPrivateNetworks: false, allowHosts: [] };

  it('refuses loopback and private unless allowed', () => {
    expect(isAddressAllowed('127.0.0.1', closed)).toBe(false);
    expect(isAddressAllowed('::ffff:127.0.0.1', closed)).toBe(false);
    expect(isAddressAllowed('127.0.0.1', { allowPrivateNetworks: true, allowHosts: [] })).toBe(true);
  });

  it('keeps meaningless addresses shut even when private networks are allowed', () => {
    const open: SsrfPolicy = { allowPrivateNetworks: true, allowHosts: [] };
    expect(isAddressAllowed('0.0.0.0', open)).toBe(false);
    expect(isAddressAllowed('not-an-ip', open)).toBe(false);
  });

  it('lets listed addresses and CIDRs through, matching IPv4-mapped forms', () => {
    const listed: SsrfPolicy = { allowPrivateNetworks: false, allowHosts: ['127.0.0.3', '::1', '127.0.1.0/24'] };
    expect(isAddressAllowed('127.0.0.3', listed)).toBe(true);
    expect(isAddressAllowed('::ffff:127.0.0.3', listed)).toBe(true);
    expect(isAddressAllowed('::1', listed)).toBe(true);
    expect(isAddressAllowed('127.0.1.200', listed)).toBe(true);
    expect(isAddressAllowed('127.0.0.2', listed)).toBe(false);
  });

  it('rejects a malformed allow-list entry as a configuration error', () => {
    expect(() => isAddressAllowed('127.0.0.1', { allowPrivateNetworks: false, allowHosts: ['example.test'] })).toThrow(/TRAWL_ALLOW_HOSTS/);
  });
});

// ---- connect-time guard, against real loopback servers -----------------------------------------

// The fixture's clients run with the guard closed (no private networks, no allowHosts) and no retries.
const fixture = new NetFixture();
/** Every connect target outside loopback: must stay empty, whatever the guard does. */
const escapes: string[] = [];
let savedConnect: PropertyDescriptor | undefined;

function connectTarget(args: unknown[]): { host: string | undefined; path: boolean } {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: string; path?: string };
    return { host: options.host, path: typeof options.path === 'string' };
  }
  return { host: typeof args[1] === 'string' ? args[1] : undefined, path: typeof first === 'string' };
}

function isLoopbackLiteral(host: string | undefined): boolean {
  if (host === undefined || net.isIP(host) === 0) return false;
  return host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));
}

beforeEach(() => {
  savedConnect = Object.getOwnPropertyDescriptor(net.Socket.prototype, 'connect');
  const original = savedConnect?.value as (this: net.Socket, ...args: unknown[]) => net.Socket;
  const guardedForTests = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const target = connectTarget(args);
    if (!target.path && !isLoopbackLiteral(target.host)) {
      escapes.push(String(target.host));
      throw new Error(`test guard: refusing a connection to ${String(target.host)}`);
    }
    return original.apply(this, args);
  };
  Object.defineProperty(net.Socket.prototype, 'connect', { ...savedConnect, value: guardedForTests });
});

afterEach(async () => {
  if (savedConnect) Object.defineProperty(net.Socket.prototype, 'connect', savedConnect);
  await fixture.cleanup();
  expect(escapes.splice(0)).toEqual([]);
});

/** A server that answers "reached" unless given a handler; its `connections` show whether the guard let a client through. */
const canary = (host = '127.0.0.1', port = 0, handler: http.RequestListener = (_req, res) => res.end('reached')): Promise<TestServer> =>
  fixture.serve(handler, { host, port });
const client = fixture.client.bind(fixture);
const signal = (): AbortSignal => fixture.budget().signal;

/** A resolver stub: answers each call with the next list (the last one repeats); counts calls. */
function stubLookup(...answers: string[][]): LookupFunction & { calls: number } {
  const lookup = ((_host: string, _options: unknown, callback: (err: null, addresses: Array<{ address: string; family: number }>) => void) => {
    const answer = answers[Math.min(lookup.calls, answers.length - 1)] ?? [];
    lookup.calls++;
    setImmediate(() => callback(null, answer.map((address) => ({ address, family: net.isIP(address) }))));
  }) as unknown as LookupFunction & { calls: number };
  lookup.calls = 0;
  return lookup;
}

async function blocked(promise: Promise<unknown>): Promise<TrawlError> {
  const err = await failure(promise);
  expect(err.code).toBe('TRAWL_SSRF_BLOCKED');
  return err;
}

describe('guarded connector', () => {
  it('refuses a media URL to 127.0.0.1 before connecting', async () => {
    const target = await canary();
    const err = await blocked(client().open(`${target.url}/img.jpg`, { signal: signal(), purpose: 'media' }));
    expect(err.message).toContain('loopback');
    expect(err.context).toMatchObject({ address: '127.0.0.1', addressClass: 'loopback' });
    expect(target.connections).toBe(0);
  });

  it('allows it via allowHosts (address or CIDR) or allowPrivateNetworks', async () => {
    const target = await canary();
    for (const ssrf of [
      { allowPrivateNetworks: false, allowHosts: ['127.0.0.1'] },
      { allowPrivateNetworks: false, allowHosts: ['127.0.0.0/8'] },
      { allowPrivateNetworks: true, allowHosts: [] },
    ]) {
      const response = await client({ ssrf }).getText(`${target.url}/`, { signal: signal(), purpose: 'media' });
      expect(response.data).toBe('reached');
    }
  });

  it('refuses loopback in disguise: mapped IPv6, hex, short and integer forms, ::1', async () => {
    const target = await canary();
    const port = target.port;
    for (const url of [`http://[::ffff:127.0.0.1]:${port}/`, `http://0x7f.1:${port}/`, `http://127.1:${port}/`, `http://2130706433:${port}/`, `http://[::1]:${port}/`]) {
      await blocked(client().open(url, { signal: signal(), purpose: 'media' }));
    }
    expect(target.connections).toBe(0);
  });

  it('refuses a name that resolves to loopback, and a name with one bad record among good ones', async () => {
    const target = await canary('127.0.0.2');
    const err = await blocked(client({ lookup: stubLookup(['127.0.0.2']) }).open(`http://media.test:${target.port}/`, { signal: signal(), purpose: 'media' }));
    expect(err.message).toContain('media.test');
    const mixed = client({ lookup: stubLookup(['127.0.0.3', '127.0.0.2']), ssrf: { allowPrivateNetworks: false, allowHosts: ['127.0.0.3'] } });
    await blocked(mixed.open(`http://media.test:${target.port}/`, { signal: signal(), purpose: 'media' }));
    expect(target.connections).toBe(0);
  });

  it('connects to the address it checked, so DNS rebinding cannot swap the target', async () => {
    const allowed = await canary('127.0.0.3');
    let evil: TestServer | undefined;
    try {
      evil = await canary('127.0.0.2', allowed.port);
    } catch {
      evil = undefined; // port taken on 127.0.0.2: the allowed server still proves where we went
    }
    const lookup = stubLookup(['127.0.0.3'], ['127.0.0.2']);
    const c = client({ lookup, ssrf: { allowPrivateNetworks: false, allowHosts: ['127.0.0.3'] } });
    const response = await c.getText(`http://rebind.test:${allowed.port}/`, { signal: signal(), purpose: 'media' });
    expect(response.data).toBe('reached');
    expect(allowed.connections).toBe(1);
    expect(evil?.connections ?? 0).toBe(0);
    expect(lookup.calls).toBe(1);
  });

  it('bounds a resolver that never answers by the request timeout', async () => {
    const silent = (() => undefined) as unknown as LookupFunction;
    const started = Date.now();
    const err = await client({ lookup: silent, requestTimeoutMs: 300 })
      .open('http://hang.test:9/', { signal: signal(), purpose: 'media' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRAWL_REQUEST_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('rejects an invalid TRAWL_ALLOW_HOSTS entry when the client is built', () => {
    expect(() => client({ ssrf: { allowPrivateNetworks: false, allowHosts: ['nonsense'] } })).toThrow(/TRAWL_ALLOW_HOSTS/);
  });
});

describe('trust and redirects', () => {
  it('lets a trusted API origin reach 127.0.0.1 while the same URL as media is refused', async () => {
    const api = await canary('127.0.0.1', 0, (_req, res) => res.end('{"ok":true}'));
    const c = client({ trustedOrigins: [api.url] });
    expect((await c.getJson(`${api.url}/v1/search`, { signal: signal() })).data).toEqual({ ok: true });
    const before = api.connections;
    await blocked(c.open(`${api.url}/v1/search`, { signal: signal(), purpose: 'media' }));
    expect(api.connections).toBe(before);
  });

  it('re-checks every hop: an allowed server redirecting to loopback is refused', async () => {
    const target = await canary();
    const jump = await canary('127.0.0.3', 0, (_req, res) => res.writeHead(302, { location: `${target.url}/secret` }).end());
    const c = client({ ssrf: { allowPrivateNetworks: false, allowHosts: ['127.0.0.3'] } });
    await blocked(c.open(`${jump.url}/img.jpg`, { signal: signal(), purpose: 'media' }));
    expect(jump.connections).toBe(1);
    expect(target.connections).toBe(0);
  });

  it('does not extend API trust to the target of a redirect', async () => {
    const target = await canary('127.0.0.2');
    const api = await canary('127.0.0.1', 0, (_req, res) => res.writeHead(302, { location: `${target.url}/internal` }).end());
    const c = client({ trustedOrigins: [api.url] });
    await blocked(c.getJson(`${api.url}/v1/search`, { signal: signal() }));
    expect(api.connections).toBe(1);
    expect(target.connections).toBe(0);
  });
});

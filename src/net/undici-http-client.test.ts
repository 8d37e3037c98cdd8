import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { TrawlError } from '../errors.js';
import { loadConfig } from '../config/config.js';
import { httpClientOptionsFrom } from './undici-http-client.js';
import { failure, NetFixture, type TestServer } from './test-server.test-helper.js';

// Real node:http servers on 127.0.0.1 port 0; every server and client is closed after each test.
// The SSRF guard is open here (its own tests are in ssrf-guard.test.ts); API calls retry.

const fixture = new NetFixture({ ssrf: { allowPrivateNetworks: true, allowHosts: [] }, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 } });
afterEach(() => fixture.cleanup());
const serve = (handler: http.RequestListener): Promise<TestServer> => fixture.serve(handler);
const client = fixture.client.bind(fixture);
const budget = fixture.budget.bind(fixture);

async function readAll(body: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) bytes += chunk.byteLength;
  return bytes;
}

/** Waits (bounded) until the server has no open socket: the client really hung up. */
async function socketsClosed(served: TestServer, withinMs = 2000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (served.sockets.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return served.sockets.size === 0;
}

/** Sends headers and `prefix` bytes, then keeps the connection silent. */
const stallAfter =
  (prefix: number, contentLength = 1_000_000) =>
  (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-length': contentLength });
    res.write(Buffer.alloc(prefix, 1));
  };

describe('request phase', () => {
  it('sends the User-Agent and asks for identity encoding', async () => {
    let seen: http.IncomingHttpHeaders = {};
    const s = await serve((req, res) => {
      seen = req.headers;
      res.end('ok');
    });
    const response = await client().getText(`${s.url}/`, { signal: budget().signal, headers: { 'X-Extra': 'yes' } });
    expect(response.data).toBe('ok');
    expect(seen['user-agent']).toBe('trawl-test/1');
    expect(seen['accept-encoding']).toBe('identity');
    expect(seen['x-extra']).toBe('yes');
  });

  it('fails with TRAWL_REQUEST_TIMEOUT when headers never come, and hangs up', async () => {
    const s = await serve(() => undefined);
    const started = Date.now();
    const err = await failure(client({ requestTimeoutMs: 300 }).open(`${s.url}/never`, { signal: budget().signal, purpose: 'media' }));
    expect(err.code).toBe('TRAWL_REQUEST_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await socketsClosed(s)).toBe(true);
  });

  it("surfaces the caller's budget reason, not a network error, when the budget ends first", async () => {
    const s = await serve(() => undefined);
    const err = await failure(client({ requestTimeoutMs: 5000 }).open(`${s.url}/never`, { signal: budget(300).signal, purpose: 'media' }));
    expect(err.code).toBe('TRAWL_SOURCE_TIMEOUT');
    expect(await socketsClosed(s)).toBe(true);
  });

  it('maps a refused connection to TRAWL_NETWORK', async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await new Promise<void>((resolve) => s.server.close(() => resolve()));
    const err = await failure(client().open(`${url}/`, { signal: budget().signal, purpose: 'media' }));
    expect(err.code).toBe('TRAWL_NETWORK');
  });

  it('refuses non-http URLs with TRAWL_BAD_URL', async () => {
    for (const url of ['file:///etc/passwd', 'not a url', 'ftp://127.0.0.1/x']) {
      expect((await failure(client().open(url, { signal: budget().signal, purpose: 'media' }))).code).toBe('TRAWL_BAD_URL');
    }
  });

  it('refuses a body in an encoding we did not ask for', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(Buffer.alloc(100));
    });
    expect((await failure(client().open(`${s.url}/`, { signal: budget().signal, purpose: 'media' }))).code).toBe('TRAWL_BAD_RESPONSE');
  });
});

describe('body guard', () => {
  it("ends with the parent's reason when the caller aborts mid-body, and hangs up", async () => {
    const s = await serve(stallAfter(1000));
    const b = budget();
    const response = await client().open(`${s.url}/`, { signal: b.signal, purpose: 'media' });
    const reason = new TrawlError('TRAWL_CANCELLED', 'user cancelled the job');
    const reading = readAll(response.body);
    setTimeout(() => b.abort(reason), 100);
    await expect(reading).rejects.toBe(reason);
    expect(await socketsClosed(s)).toBe(true);
  });

  it('fails with TRAWL_BODY_IDLE when the body stalls', async () => {
    const s = await serve(stallAfter(10));
    const started = Date.now();
    const response = await client({ requestTimeoutMs: 300 }).open(`${s.url}/`, { signal: budget().signal, purpose: 'media' });
    expect((await failure(readAll(response.body))).code).toBe('TRAWL_BODY_IDLE');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await socketsClosed(s)).toBe(true);
  });

  it('fails a 1-byte trickle with TRAWL_TOO_SLOW well before any idle timeout', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 100_000 });
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const c = client({ requestTimeoutMs: 5000, minSpeed: { bytesPerSecond: 1000, windowMs: 500 } });
    const response = await c.open(`${s.url}/`, { signal: budget().signal, purpose: 'media' });
    expect((await failure(readAll(response.body))).code).toBe('TRAWL_TOO_SLOW');
    expect(Date.now() - started).toBeLessThan(2500);
    expect(await socketsClosed(s)).toBe(true);
  });

  it('catches a trickle whose tiny chunks arrive faster than the check tick', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 100_000 });
      const timer = setInterval(() => res.write('x'), 20);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const c = client({ requestTimeoutMs: 5000, minSpeed: { bytesPerSecond: 2000, windowMs: 500 } });
    const response = await c.open(`${s.url}/`, { signal: budget().signal, purpose: 'media' });
    expect((await failure(readAll(response.body))).code).toBe('TRAWL_TOO_SLOW');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('lets a slow but steady body above the limit through', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 30 * 200 });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(Buffer.alloc(200, 7));
        if (++sent === 30) {
          clearInterval(timer);
          res.end();
        }
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
    const c = client({ requestTimeoutMs: 5000, minSpeed: { bytesPerSecond: 1000, windowMs: 500 } });
    const response = await c.open(`${s.url}/`, { signal: budget().signal, purpose: 'media' });
    expect(await readAll(response.body)).toBe(6000);
  });

  it('does not blame a slow reader on the network', async () => {
    const s = await serve((_req, res) => res.end(Buffer.alloc(5 * 1024, 1)));
    const response = await client({ requestTimeoutMs: 200 }).open(`${s.url}/`, { signal: budget().signal, purpose: 'media' });
    let bytes = 0;
    for await (const chunk of response.body) {
      bytes += chunk.byteLength;
      await new Promise((r) => setTimeout(r, 400));
    }
    expect(bytes).toBe(5 * 1024);
  });

  it('refuses a declared Content-Length over the cap before reading the body', async () => {
    const s = await serve(stallAfter(10, 10_000_000_000));
    const started = Date.now();
    const err = await failure(client({ maxFileSize: 1000 }).open(`${s.url}/`, { signal: budget().signal, purpose: 'media' }));
    expect(err.code).toBe('TRAWL_TOO_LARGE');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await socketsClosed(s)).toBe(true);
  });

  it('cuts an endless chunked body at the cap', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200);
      const pump = (): void => {
        while (!res.destroyed && res.write(Buffer.alloc(16 * 1024))) {
          /* fill the socket buffer */
        }
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const response = await client({ maxFileSize: 200_000 }).open(`${s.url}/`, { signal: budget().signal, purpose: 'media' });
    let bytes = 0;
    const err = await failure(
      (async () => {
        for await (const chunk of response.body) bytes += chunk.byteLength;
      })(),
    );
    expect(err.code).toBe('TRAWL_TOO_LARGE');
    expect(bytes).toBeLessThanOrEqual(200_000);
    expect(await socketsClosed(s)).toBe(true);
  });

  it('reports a body cut short of its Content-Length as TRAWL_TRUNCATED', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 100 });
      res.write(Buffer.alloc(50));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const response = await client().open(`${s.url}/`, { signal: budget().signal, purpose: 'media' });
    expect((await failure(readAll(response.body))).code).toBe('TRAWL_TRUNCATED');
  });

  it('discard() hangs up on an unread body', async () => {
    const s = await serve(stallAfter(1000));
    const response = await client().open(`${s.url}/`, { signal: budget().signal, purpose: 'media' });
    await response.discard();
    await response.discard();
    expect(await socketsClosed(s)).toBe(true);
  });
});

describe('redirects', () => {
  const redirector = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const path = req.url ?? '/';
    const chain = /^\/r\/(\d+)$/.exec(path);
    if (chain?.[1]) {
      const left = Number(chain[1]);
      res.writeHead(302, { location: left > 1 ? `/r/${left - 1}` : '/ok' });
      return void res.end('moved');
    }
    const targets: Record<string, string> = { '/a': '/b', '/b': '/a', '/rel/x': '../ok', '/file': 'file:///etc/passwd', '/ftp': 'ftp://127.0.0.1/x' };
    const target = targets[path];
    if (target) {
      res.writeHead(path === '/rel/x' ? 307 : 301, { location: target });
      return void res.end();
    }
    if (path === '/none') return void res.writeHead(302).end();
    res.end(`landed ${path}`);
  };

  it('follows a chain within the limit, resolving relative Locations', async () => {
    const s = await serve(redirector);
    const response = await client().getText(`${s.url}/r/5`, { signal: budget().signal });
    expect(response.data).toBe('landed /ok');
    expect(response.url).toBe(`${s.url}/ok`);
    const relative = await client().getText(`${s.url}/rel/x`, { signal: budget().signal });
    expect(relative.url).toBe(`${s.url}/ok`);
  });

  it('stops loops and chains over the limit with TRAWL_TOO_MANY_REDIRECTS', async () => {
    const s = await serve(redirector);
    expect((await failure(client().open(`${s.url}/a`, { signal: budget().signal, purpose: 'media' }))).code).toBe('TRAWL_TOO_MANY_REDIRECTS');
    expect(s.hits).toEqual(['/a', '/b']);
    expect((await failure(client().open(`${s.url}/r/6`, { signal: budget().signal, purpose: 'media' }))).code).toBe('TRAWL_TOO_MANY_REDIRECTS');
  });

  it('refuses redirects to non-http schemes or without a Location', async () => {
    const s = await serve(redirector);
    for (const path of ['/file', '/ftp', '/none']) {
      expect((await failure(client().open(`${s.url}${path}`, { signal: budget().signal, purpose: 'media' }))).code).toBe('TRAWL_BAD_REDIRECT');
    }
  });

  it('does not carry credentials to another origin', async () => {
    let landedWith: http.IncomingHttpHeaders = {};
    const target = await serve((req, res) => {
      landedWith = req.headers;
      res.end('ok');
    });
    const origin = await serve((_req, res) => res.writeHead(302, { location: `${target.url}/x` }).end());
    await client().getText(`${origin.url}/`, { signal: budget().signal, headers: { Authorization: 'Bearer k', 'X-Keep': '1' } });
    expect(landedWith.authorization).toBeUndefined();
    expect(landedWith['x-keep']).toBe('1');
  });
});

describe('statuses and retries (getJson/getText)', () => {
  /** Answers each request with the next scripted [status, headers]; then 200 `{"ok":true}`. */
  const scripted = (...script: Array<[number, Record<string, string>?]>) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
    const [status, headers] = script.shift() ?? [200];
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(status === 200 ? '{"ok":true}' : '{"error":"nope"}');
  };

  it('retries a 503 and returns the 200', async () => {
    const s = await serve(scripted([503]));
    const response = await client().getJson<{ ok: boolean }>(`${s.url}/api`, { signal: budget().signal });
    expect(response.data).toEqual({ ok: true });
    expect(s.hits).toHaveLength(2);
  });

  it('honours Retry-After seconds', async () => {
    const s = await serve(scripted([429, { 'retry-after': '1' }]));
    const started = Date.now();
    await client().getJson(`${s.url}/api`, { signal: budget().signal });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(s.hits).toHaveLength(2);
  });

  it('fails fast with TRAWL_RATE_LIMITED when Retry-After is beyond the budget', async () => {
    const s = await serve(scripted([429, { 'retry-after': '120' }]));
    const started = Date.now();
    const err = await failure(client().getJson(`${s.url}/api`, { signal: budget(4000).signal }));
    expect(err.code).toBe('TRAWL_RATE_LIMITED');
    expect(err.message).toMatch(/asked to wait 2m/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(s.hits).toHaveLength(1);
  });

  it('falls back to backoff for a garbage Retry-After', async () => {
    const s = await serve(scripted([503, { 'retry-after': 'later, maybe' }]));
    const started = Date.now();
    await client().getJson(`${s.url}/api`, { signal: budget().signal });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(s.hits).toHaveLength(2);
  });

  it('does not retry a 404 and maps 401 on an API call to TRAWL_AUTH', async () => {
    const missing = await serve(scripted([404], [404]));
    expect((await failure(client().getJson(`${missing.url}/api`, { signal: budget().signal }))).code).toBe('TRAWL_HTTP_STATUS');
    expect(missing.hits).toHaveLength(1);
    const denied = await serve(scripted([401]));
    expect((await failure(client().getJson(`${denied.url}/api`, { signal: budget().signal }))).code).toBe('TRAWL_AUTH');
    const media = await serve(scripted([403]));
    expect((await failure(client().open(`${media.url}/img`, { signal: budget().signal, purpose: 'media' }))).code).toBe('TRAWL_HTTP_STATUS');
  });

  it('reports invalid JSON as TRAWL_BAD_RESPONSE', async () => {
    const s = await serve((_req, res) => res.end('<html>rate limited</html>'));
    const err = await failure(client().getJson(`${s.url}/api`, { signal: budget().signal }));
    expect(err.code).toBe('TRAWL_BAD_RESPONSE');
    expect(err.message).toContain('<html>');
  });

  it('decodes text in the declared charset', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=iso-8859-1' });
      res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    });
    expect((await client().getText(`${s.url}/`, { signal: budget().signal })).data).toBe('café');
  });
});

describe('httpClientOptionsFrom', () => {
  it('takes limits, SSRF policy and trusted origins from the config', () => {
    const config = loadConfig({
      cwd: '/nonexistent-trawl-dir',
      env: { TRAWL_ORIGIN_PEXELS: 'http://127.0.0.1:9001', TRAWL_ALLOW_HOSTS: '127.0.0.3', TRAWL_REQUEST_TIMEOUT: '3s', TRAWL_HOST_CONCURRENCY: '4' },
    });
    const options = httpClientOptionsFrom(config);
    expect(options).toMatchObject({
      requestTimeoutMs: 3000,
      maxRedirects: 5,
      connections: 4,
      ssrf: { allowPrivateNetworks: false, allowHosts: ['127.0.0.3'] },
      trustedOrigins: ['http://127.0.0.1:9001'],
    });
  });
});

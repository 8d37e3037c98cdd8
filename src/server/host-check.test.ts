/**
 * The DNS-rebinding guard (regression: `Host: evil.example` used to list jobs and start one, 201).
 * Only loopback names, the listen address and TRAWL_SERVER_NAMES are answered; anything else is a
 * 403 TRAWL_HOST_NOT_ALLOWED that changes nothing, on every route. Raw requests, since fetch cannot
 * forge a Host header.
 */
import http from 'node:http';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostnameOf } from './host-check.js';
import type { RunningServer } from './server.js';
import { type TestBed, buildTestApp, startTestBed, startTestServer } from './test-support.test-helper.js';

const EVIL_HOSTS = ['evil.example', 'evil.example:7777', 'localhost.evil.example', '127.0.0.1.evil.example', 'sub.localhost', 'localhost.', 'example.com', '[::2]', 'bad host'];
const EVERY_ROUTE = ['/api/health', '/api/jobs', '/api/jobs/abc', '/api/jobs/abc/events', '/api/events', '/api/sources', '/api/items/abc/file', '/api/openapi.json', '/metrics', '/docs', '/', '/jobs/abc', '/assets/app.js'];

interface ErrorBody {
  error: { code: string; message: string };
}

let bed: TestBed;
beforeAll(async () => {
  bed = await startTestBed({ start: false, env: { TRAWL_SERVER_NAMES: 'trawl.example.com,.home.example' } });
});
afterAll(async () => {
  await bed.close();
});

describe('the Host header', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp(bed, { host: 'my-box.example' });
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(['localhost', 'LOCALHOST:7777', '127.0.0.1', '127.0.0.1:7777', '127.45.6.7:1', '[::1]', '[::1]:7777', 'my-box.example', 'my-box.example:80', 'trawl.example.com', 'TRAWL.example.com:443', 'home.example', 'nas.home.example:7777'])('%s is answered', async (host) => {
    const answer = await app.inject({ method: 'GET', url: '/api/health', headers: { host } });
    expect(answer.statusCode).toBe(200);
  });

  it.each(EVIL_HOSTS)('%j gets 403 TRAWL_HOST_NOT_ALLOWED on every route, and starts no job', async (host) => {
    for (const url of EVERY_ROUTE) {
      const answer = await app.inject({ method: 'GET', url, headers: { host } });
      expect(answer.statusCode, url).toBe(403);
      expect(answer.json<ErrorBody>().error.code, url).toBe('TRAWL_HOST_NOT_ALLOWED');
    }
    const post = await app.inject({ method: 'POST', url: '/api/jobs', headers: { host }, payload: { query: 'cats', sources: ['openverse'] } });
    expect(post.statusCode).toBe(403);
    expect(post.json<ErrorBody>().error.message).toMatch(/add it to TRAWL_SERVER_NAMES/);
    expect(await bed.runtime.deps.store.listJobs()).toEqual([]);
  });

  it('is checked before the token, so a rebound page cannot even learn that one is needed', async () => {
    const secured = await buildTestApp(bed, { token: 'host-token' });
    try {
      const answer = await secured.inject({ method: 'GET', url: '/api/jobs', headers: { host: 'evil.example', authorization: 'Bearer host-token' } });
      expect(answer.statusCode).toBe(403);
      expect(answer.headers['www-authenticate']).toBeUndefined();
    } finally {
      await secured.close();
    }
  });

  it('is parsed without its port, IPv6 literals keeping their brackets', () => {
    expect(['Localhost:7777', '[::1]:80', '127.0.0.1', 'a.b:1', 'a:b:c', '[::1', ''].map(hostnameOf)).toEqual(['localhost', '[::1]', '127.0.0.1', 'a.b', undefined, undefined, undefined]);
  });
});

describe('raw requests to a listening server', () => {
  let server: RunningServer;
  let port = 0;
  beforeAll(async () => {
    server = await startTestServer(bed);
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a forged Host on the API, the event streams, the metrics and the pages, and starts nothing', async () => {
    for (const path of EVERY_ROUTE) {
      const answer = await raw({ port, path, host: 'evil.example' });
      expect(answer.status, path).toBe(403);
      expect(answer.headers['content-type'], path).toMatch(/^application\/json/);
      expect((JSON.parse(answer.body) as ErrorBody).error.code, path).toBe('TRAWL_HOST_NOT_ALLOWED');
    }
    const post = await raw({ port, path: '/api/jobs', host: 'evil.example', method: 'POST', body: JSON.stringify({ query: 'cats', sources: ['openverse'] }) });
    expect(post.status).toBe(403);
    const cancel = await raw({ port, path: '/api/jobs/abc/cancel', host: 'evil.example', method: 'POST', body: '{}' });
    expect(cancel.status).toBe(403);
    expect(await bed.runtime.deps.store.listJobs()).toEqual([]);
  });

  it('answers the names the server is reached by', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, '127.0.0.1', 'trawl.example.com']) {
      expect((await raw({ port, path: '/api/jobs', host })).status, host).toBe(200);
    }
  });

  it('refuses an HTTP/1.0 request without a Host header', async () => {
    const answer = await rawSocket(port, 'GET /api/jobs HTTP/1.0\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.[01] 403 /);
    expect(answer).toContain('TRAWL_HOST_NOT_ALLOWED');
  });
});

/** One request with exactly the Host header given. */
function raw(request: { port: number; path: string; host: string; method?: string; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: request.host };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const req = http.request({ host: '127.0.0.1', port: request.port, path: request.path, method: request.method ?? 'GET', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Writes `text` on a fresh socket and reads until the server closes it. */
function rawSocket(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

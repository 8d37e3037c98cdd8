import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost } from './auth.js';
import { startServer } from './server.js';
import { SseClient, type TestBed, buildTestApp, startTestBed, startTestServer } from './test-support.test-helper.js';

const TOKEN = 'correct horse battery staple';

let bed: TestBed;
beforeAll(async () => {
  bed = await startTestBed({ start: false });
});
afterAll(async () => {
  await bed.close();
});

describe('with TRAWL_API_TOKEN set', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp(bed, { token: TOKEN });
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(['/api/health', '/api/jobs', '/api/sources', '/api/openapi.json', '/api/no-such-route', '/metrics'])('GET %s needs the bearer token', async (url) => {
    const none = await app.inject({ method: 'GET', url });
    expect(none.statusCode).toBe(401);
    expect(none.json<{ error: { code: string } }>().error.code).toBe('TRAWL_UNAUTHORIZED');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await app.inject({ method: 'GET', url, headers: { authorization: 'Bearer correct horse battery stapler' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json<{ error: { message: string } }>().error.message).toMatch(/wrong token/);
    const right = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.statusCode).toBe(url === '/api/no-such-route' ? 404 : 200);
  });

  it('refuses a job without the token before reading it, storing nothing', async () => {
    const answer = await app.inject({ method: 'POST', url: '/api/jobs', payload: { query: 'cats', sources: ['openverse'] } });
    expect(answer.statusCode).toBe(401);
    expect(await bed.runtime.deps.store.listJobs()).toEqual([]);
    const ok = await app.inject({ method: 'POST', url: '/api/jobs', headers: { authorization: `bearer ${TOKEN}` }, payload: { query: 'cats', sources: ['openverse'] } });
    expect(ok.statusCode).toBe(201);
  });

  it('takes ?access_token= on the event streams and item files only', async () => {
    const jobs = await app.inject({ method: 'GET', url: `/api/jobs?access_token=${encodeURIComponent(TOKEN)}` });
    expect(jobs.statusCode).toBe(401);
    // An <img> or <video> cannot send headers: the token in the URL gets past auth (404: no such item).
    const file = await app.inject({ method: 'GET', url: `/api/items/nope/file?access_token=${encodeURIComponent(TOKEN)}` });
    expect(file.statusCode).toBe(404);
    const fileWithout = await app.inject({ method: 'GET', url: '/api/items/nope/file' });
    expect(fileWithout.statusCode).toBe(401);
    const sneaky = await app.inject({ method: 'GET', url: `/%61pi/health` });
    expect(sneaky.statusCode).toBe(401);
  });

  it('leaves the docs page public', async () => {
    expect((await app.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(200);
  });
});

describe('event streams with TRAWL_API_TOKEN set', () => {
  it('accept the token in the URL or the header, and refuse without it', async () => {
    const server = await startTestServer(bed, { token: TOKEN });
    try {
      const refused = await fetch(`${server.url}/api/events`);
      expect(refused.status).toBe(401);
      const wrong = await fetch(`${server.url}/api/events?access_token=nope`);
      expect(wrong.status).toBe(401);
      for (const client of [
        await SseClient.open(`${server.url}/api/events?access_token=${encodeURIComponent(TOKEN)}`),
        await SseClient.open(`${server.url}/api/events`, { authorization: `Bearer ${TOKEN}` }),
      ]) {
        expect(client.response.status).toBe(200);
        expect(client.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
        client.close();
      }
    } finally {
      await server.close();
    }
  });
});

describe('without a token', () => {
  it('answers every route', async () => {
    const app = await buildTestApp(bed);
    try {
      expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/jobs', headers: { authorization: 'Bearer anything' } })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('refuses to listen on a non-loopback host, naming the setting', async () => {
    const config = { ...bed.config, apiToken: undefined };
    const options = { runtime: bed.runtime, queue: bed.queue, config, port: 0 };
    for (const host of ['0.0.0.0', '::', 'example.invalid']) {
      await expect(startServer({ ...options, host })).rejects.toMatchObject({ code: 'TRAWL_BAD_CONFIG', message: expect.stringContaining('TRAWL_API_TOKEN') as string });
    }
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.0.0.2', true],
    ['127.255.255.254', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['0.0.0.0', false],
    ['::', false],
    ['localhost.example.invalid', false],
    ['', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

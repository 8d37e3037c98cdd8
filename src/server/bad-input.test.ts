import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBed, buildTestApp, startTestBed } from './test-support.test-helper.js';

let bed: TestBed;
let app: FastifyInstance;
beforeAll(async () => {
  bed = await startTestBed({ start: false });
  app = await buildTestApp(bed);
});
afterAll(async () => {
  await app.close();
  await bed.close();
});

interface ErrorBody {
  error: { code: string; message: string };
}

const expectBadInput = (answer: { statusCode: number; json<T>(): T }, field: string): string => {
  expect(answer.statusCode).toBe(400);
  const { error } = answer.json<ErrorBody>();
  expect(error.code).toBe('TRAWL_BAD_INPUT');
  expect(error.message.startsWith(`${field}: `), error.message).toBe(true);
  return error.message;
};

describe('bad job requests answer 400 naming the field, and store nothing', () => {
  it.each([
    ['a number as query', { query: 5 }, 'query'],
    ['no query', { sources: ['openverse'] }, 'query'],
    ['an empty query', { query: '' }, 'query'],
    ['a blank query', { query: '   ' }, 'query'],
    ['a 10,000-character query', { query: 'x'.repeat(10_000) }, 'query'],
    ['a query with control characters', { query: 'cats\u0000dogs' }, 'query'],
    ['an unknown source', { query: 'cats', sources: ['myspace'] }, 'sources'],
    ['a malformed source id', { query: 'cats', sources: ['My Space'] }, 'sources[0]'],
    ['sources as an object', { query: 'cats', sources: { a: 1 } }, 'sources'],
    ['no sources', { query: 'cats', sources: [] }, 'sources'],
    ['an unknown type', { query: 'cats', type: 'gif' }, 'type'],
    ['a negative limit', { query: 'cats', limit: -1 }, 'limit'],
    ['a huge limit', { query: 'cats', limit: 1_000_000 }, 'limit'],
    ['a fractional limit', { query: 'cats', limit: 2.5 }, 'limit'],
    ['a limit as text', { query: 'cats', limit: '5' }, 'limit'],
    ['a bad duration', { query: 'cats', timeouts: { job: 'soon' } }, 'timeouts.job'],
    ['a negative duration', { query: 'cats', timeouts: { source: -5 } }, 'timeouts.source'],
    ['an unknown timeout', { query: 'cats', timeouts: { connect: '1s' } }, 'timeouts.connect'],
    ['an unknown field', { query: 'cats', colour: 'red' }, 'colour'],
    ['a server-side field', { query: 'cats', outDir: '/etc' }, 'outDir'],
    ['another server-side field', { query: 'cats', maxConcurrentSources: 3 }, 'maxConcurrentSources'],
    ['an array as body', ['cats'], 'body'],
    ['filters as text', { query: 'cats', filters: 'big' }, 'filters'],
    ['an unknown filter', { query: 'cats', filters: { colour: 'red' } }, 'filters.colour'],
    ['a zero minimum width', { query: 'cats', filters: { minWidth: 0 } }, 'filters.minWidth'],
    ['a minimum height as text', { query: 'cats', filters: { minHeight: '1080' } }, 'filters.minHeight'],
    ['a huge minimum width', { query: 'cats', filters: { minWidth: 1_000_000 } }, 'filters.minWidth'],
    ['an unknown orientation', { query: 'cats', filters: { orientation: 'round' } }, 'filters.orientation'],
    ['an unknown licence code in a list', { query: 'cats', filters: { license: ['cc0', 'gpl'] } }, 'filters.license'],
    ['an unknown licence in a comma text', { query: 'cats', filters: { license: 'commercial,free' } }, 'filters.license'],
    ['an empty licence list', { query: 'cats', filters: { license: [] } }, 'filters.license'],
    ['a licence as a number', { query: 'cats', filters: { license: 5 } }, 'filters.license'],
    ['safe search as a word', { query: 'cats', filters: { safeSearch: 'maybe' } }, 'filters.safeSearch'],
    ['safe search as a number', { query: 'cats', filters: { safeSearch: 0 } }, 'filters.safeSearch'],
    ['an unknown format', { query: 'cats', filters: { format: 'jpeg,bmp' } }, 'filters.format'],
  ])('%s', async (_name, payload, field) => {
    expectBadInput(await app.inject({ method: 'POST', url: '/api/jobs', payload: payload as Record<string, unknown> }), field);
    expect(await bed.runtime.deps.store.listJobs()).toEqual([]);
  });

  it('shows what it got, cut short, and what is allowed', async () => {
    const long = expectBadInput(await app.inject({ method: 'POST', url: '/api/jobs', payload: { query: 'x'.repeat(10_000) } }), 'query');
    expect(long).toContain('(10000 characters)');
    expect(long.length).toBeLessThan(200);
    const limit = expectBadInput(await app.inject({ method: 'POST', url: '/api/jobs', payload: { query: 'cats', limit: -1 } }), 'limit');
    expect(limit).toBe('limit: must be a whole number from 1 to 1000; got -1');
    const unknown = expectBadInput(await app.inject({ method: 'POST', url: '/api/jobs', payload: { query: 'cats', colour: 'red' } }), 'colour');
    expect(unknown).toBe('colour: is not a known field; allowed: query, sources, type, limit, timeouts, filters');
    const filter = expectBadInput(await app.inject({ method: 'POST', url: '/api/jobs', payload: { query: 'cats', filters: { license: 'cc0,free' } } }), 'filters.license');
    expect(filter).toMatch(/unknown licence "free"; use licence codes \(cc0, .*\) or groups \(open, commercial, modify\)/);
  });

  it('refuses invalid JSON, an empty JSON body, no body, a non-JSON body and a too-large body', async () => {
    const json = { 'content-type': 'application/json' };
    expectBadInput(await app.inject({ method: 'POST', url: '/api/jobs', headers: json, payload: '{"query": "cats",' }), 'body');
    expectBadInput(await app.inject({ method: 'POST', url: '/api/jobs', headers: json, payload: '' }), 'body');
    expectBadInput(await app.inject({ method: 'POST', url: '/api/jobs' }), 'body');
    expectBadInput(await app.inject({ method: 'POST', url: '/api/jobs', headers: { 'content-type': 'text/plain' }, payload: 'cats' }), 'body');
    const big = JSON.stringify({ query: 'cats', padding: 'x'.repeat(70 * 1024) });
    const message = expectBadInput(await app.inject({ method: 'POST', url: '/api/jobs', headers: json, payload: big }), 'body');
    expect(message).toMatch(/65536 bytes/);
    expect(await bed.runtime.deps.store.listJobs()).toEqual([]);
  });
});

describe('bad query and path parameters answer 400 naming them', () => {
  it.each([
    ['/api/jobs?limit=-1', 'limit'],
    ['/api/jobs?limit=0', 'limit'],
    ['/api/jobs?limit=5000', 'limit'],
    ['/api/jobs?limit=abc', 'limit'],
    ['/api/jobs?limit=1.5', 'limit'],
    ['/api/jobs?status=sleeping', 'status'],
    ['/api/jobs?status=running,', 'status'],
    ['/api/jobs?colour=red', 'colour'],
    ['/api/events?lastEventId=-3', 'lastEventId'],
    ['/api/events?lastEventId=x', 'lastEventId'],
    ['/api/events?access_token=a&since=4', 'since'],
    [`/api/jobs/${'x'.repeat(200)}`, 'id'],
  ])('GET %s', async (url, field) => {
    expectBadInput(await app.inject({ method: 'GET', url }), field);
  });

  it('refuses a Last-Event-ID header that is not an event id', async () => {
    expectBadInput(await app.inject({ method: 'GET', url: '/api/events', headers: { 'last-event-id': 'yesterday' } }), 'last-event-id');
  });
});

describe('unexpected errors', () => {
  it('answer 500 TRAWL_INTERNAL without internals, and log the details', async () => {
    const { store } = bed.runtime.deps;
    const original = store.listJobs.bind(store);
    store.listJobs = () => Promise.reject(new Error('disk on fire at /secret/path'));
    try {
      const answer = await app.inject({ method: 'GET', url: '/api/jobs' });
      expect(answer.statusCode).toBe(500);
      expect(answer.json()).toEqual({ error: { code: 'TRAWL_INTERNAL', message: 'internal error; the server log has the details' } });
      expect(answer.body).not.toContain('secret');
    } finally {
      store.listJobs = original;
    }
    const { readFile } = await import('node:fs/promises');
    const log = await readFile(`${bed.config.dataDir}/logs/trawl.log`, 'utf8');
    expect(log).toContain('disk on fire at /secret/path');
    expect(log).toContain('HTTP REQUEST FAILED');
  });

  it('answer 503 TRAWL_DATABASE when the database is unreachable, naming no host, and log the details', async () => {
    const { store } = bed.runtime.deps;
    const original = store.listJobs.bind(store);
    const { TrawlError } = await import('../errors.js');
    store.listJobs = () => Promise.reject(new TrawlError('TRAWL_DATABASE', 'cannot list jobs: PostgreSQL database postgres://trawl:***@127.0.0.9:5432/secretdb refused the connection'));
    try {
      const answer = await app.inject({ method: 'GET', url: '/api/jobs' });
      expect(answer.statusCode).toBe(503);
      expect(answer.json<ErrorBody>().error.code).toBe('TRAWL_DATABASE');
      expect(answer.body).not.toContain('secretdb');
    } finally {
      store.listJobs = original;
    }
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(`${bed.config.dataDir}/logs/trawl.log`, 'utf8')).toContain('secretdb');
  });
});

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, renderDocsPage } from './docs-page.js';
import type { OpenApiDocument } from './openapi.js';
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

describe('the OpenAPI document', () => {
  it('lists every API route with the schemas the server validates and answers with', async () => {
    const answer = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const doc = answer.json<OpenApiDocument>();
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
    expect(routes.sort()).toEqual(
      [
        'GET /metrics',
        'POST /api/jobs',
        'GET /api/jobs',
        'GET /api/jobs/{id}',
        'GET /api/jobs/{id}/items',
        'GET /api/jobs/{id}/failures',
        'POST /api/jobs/{id}/cancel',
        'GET /api/items/{id}/file',
        'GET /api/jobs/{id}/events',
        'GET /api/events',
        'GET /api/sources',
        'GET /api/health',
        'GET /api/openapi.json',
      ].sort(),
    );
    const create = doc.paths['/api/jobs']?.post;
    expect(create?.requestBody?.content['application/json']?.schema).toEqual({ $ref: '#/components/schemas/JobRequest' });
    expect(create?.responses['201']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Job' });
    expect(create?.responses['4XX']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(doc.components.schemas.JobRequest).toMatchObject({ additionalProperties: false, required: ['query'], properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } });
    expect(Object.keys(doc.components.schemas.Job?.properties as object)).toEqual(expect.arrayContaining(['sources', 'worker', 'heartbeatAt', 'budgets']));
    const list = doc.paths['/api/jobs']?.get;
    expect(list?.parameters.map((p) => [p.name, p.in, p.required])).toEqual([['status', 'query', false], ['limit', 'query', false]]);
    const events = doc.paths['/api/jobs/{id}/events']?.get;
    expect(events?.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:id', 'query:lastEventId', 'query:access_token', 'header:last-event-id']);
    expect(Object.keys(events?.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    // This server has no token: every secured operation may also be called without one.
    expect(events?.security).toEqual([{ bearerToken: [] }, { accessToken: [] }, {}]);
    expect(doc.paths['/metrics']?.get?.security).toEqual([{ bearerToken: [] }, {}]);
    expect(Object.keys(doc.paths['/metrics']?.get?.responses ?? {})).toEqual(['200', '4XX', '5XX']);
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) as string }]);
    expect(doc.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
    expect(JSON.stringify(doc)).not.toContain('"#/components/schemas/undefined"');
  });

  it('requires the bearer token on every secured operation when the server has one', async () => {
    const secured = await buildTestApp(bed, { token: 'docs-token' });
    try {
      const doc = (await secured.inject({ method: 'GET', url: '/api/openapi.json', headers: { authorization: 'Bearer docs-token' } })).json<OpenApiDocument>();
      expect(doc.paths['/api/jobs']?.post?.security).toEqual([{ bearerToken: [] }]);
      expect(doc.paths['/api/jobs/{id}/events']?.get?.security).toEqual([{ bearerToken: [] }, { accessToken: [] }]);
      expect(doc.paths['/metrics']?.get?.security).toEqual([{ bearerToken: [] }]);
      expect(doc.components.securitySchemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    } finally {
      await secured.close();
    }
  });
});

describe('/docs', () => {
  it('is one readable page of the routes, their parameters, bodies and answers, with no script', async () => {
    const answer = await app.inject({ method: 'GET', url: '/docs' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.headers['content-security-policy']).toMatch(/default-src 'none'/);
    const html = answer.body;
    expect(html).toContain('<span class="path">/api/jobs/{id}/cancel</span>');
    expect(html).toContain('<td>lastEventId</td><td>query</td>');
    expect(html).toContain('<td>query</td><td>string</td><td>yes</td><td>a text of 1 to 500 characters</td>');
    expect(html).toContain('id="schema-Job"');
    expect(html).not.toMatch(/<script/i);
  });

  it('escapes every text it shows', () => {
    expect(escapeHtml(`<img src=x onerror="alert('x')">&`)).toBe('&#60;img src=x onerror=&#34;alert(&#39;x&#39;)&#34;&#62;&#38;');
    const evil = '<x-evil onload=alert(1)>';
    const doc: OpenApiDocument = {
      openapi: '3.1.0',
      info: { title: evil, version: evil, description: '<script>alert(1)</script>', license: { name: evil, identifier: evil } },
      servers: [{ url: evil, description: evil }],
      paths: {
        [`/x/${evil}`]: {
          [evil]: {
            operationId: `"${evil}`,
            tags: [evil],
            summary: evil,
            description: evil,
            parameters: [{ name: evil, in: 'query', required: false, description: evil, schema: { type: 'string', enum: [evil], default: evil } }],
            responses: { '200': { description: evil, content: { [evil]: { schema: {} } } } },
          },
        },
      },
      components: { schemas: { [evil]: { properties: { [evil]: { type: evil, description: evil } } } }, securitySchemes: {} },
    };
    const html = renderDocsPage(doc);
    expect(html).not.toContain('<x-evil');
    expect(html).not.toMatch(/<script/i);
    expect(html.split('&#60;x-evil onload=alert(1)&#62;').length).toBeGreaterThan(12);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });
});

describe('the dashboard', () => {
  it('answers 503 with how to build it while web/dist is missing', async () => {
    for (const url of ['/', '/jobs/123']) {
      const answer = await app.inject({ method: 'GET', url });
      expect(answer.statusCode).toBe(503);
      expect(answer.body.trim()).toBe('dashboard not built: run npm run build');
    }
  });

  it('serves the build at /, its assets, and index.html for client routes', async () => {
    const root = path.join(bed.dir, 'web-dist');
    await mkdir(path.join(root, 'assets'), { recursive: true });
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Trawl</title>');
    await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    const web = await buildTestApp(bed, { webRoot: root });
    try {
      for (const url of ['/', '/jobs/123', '/sources']) {
        const answer = await web.inject({ method: 'GET', url });
        expect(answer.statusCode, url).toBe(200);
        expect(answer.body).toBe('<!doctype html><title>Trawl</title>');
        expect(answer.headers['content-type']).toMatch(/^text\/html/);
      }
      const asset = await web.inject({ method: 'GET', url: '/assets/app.js' });
      expect(asset.body).toBe('console.log(1)');
      expect(asset.headers['content-type']).toMatch(/javascript/);
      expect((await web.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
      expect((await web.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
      expect((await web.inject({ method: 'GET', url: '/api/nothing' })).json()).toMatchObject({ error: { code: 'TRAWL_NOT_FOUND' } });
    } finally {
      await web.close();
    }
  });
});

import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_STYLE } from './docs-page.js';
import { API_CSP, DASHBOARD_CSP } from './security-headers.js';
import { type TestBed, buildTestApp, startTestBed } from './test-support.test-helper.js';

let bed: TestBed;
let app: FastifyInstance;
beforeAll(async () => {
  bed = await startTestBed({ start: false });
  const root = path.join(bed.dir, 'web-dist');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Trawl</title>');
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  app = await buildTestApp(bed, { webRoot: root });
});
afterAll(async () => {
  await app.close();
  await bed.close();
});

describe('security headers', () => {
  it.each([
    ['the dashboard', '/', 200, DASHBOARD_CSP],
    ['a client route', '/jobs/abc', 200, DASHBOARD_CSP],
    ['a dashboard asset', '/assets/app.js', 200, DASHBOARD_CSP],
    ['a missing asset', '/assets/none.js', 404, DASHBOARD_CSP],
    ['an API answer', '/api/jobs', 200, API_CSP],
    ['an API error', '/api/jobs/nope', 404, API_CSP],
    ['the metrics', '/metrics', 200, API_CSP],
  ])('%s carries nosniff, no-referrer and its policy', async (_what, url, status, policy) => {
    const answer = await app.inject({ method: 'GET', url });
    expect(answer.statusCode).toBe(status);
    expect(answer.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'content-security-policy': policy });
  });

  it("gives the dashboard no inline script and no framing, and JSON nothing at all", () => {
    expect(DASHBOARD_CSP).toMatch(/(^|; )default-src 'self'(;|$)/);
    expect(DASHBOARD_CSP).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
    expect(DASHBOARD_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*|data:|https?:/);
    expect(API_CSP).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('lets /docs have exactly its own inline style, by hash, and no script', async () => {
    const answer = await app.inject({ method: 'GET', url: '/docs' });
    const hash = createHash('sha256').update(DOCS_STYLE).digest('base64');
    expect(answer.headers['content-security-policy']).toBe(`default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
    expect(answer.body).toContain(`<style>${DOCS_STYLE}</style>`);
    expect(answer.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
  });

  it('is on refusals too (a forged Host)', async () => {
    const answer = await app.inject({ method: 'GET', url: '/', headers: { host: 'evil.example' } });
    expect(answer.statusCode).toBe(403);
    expect(answer.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'content-security-policy': DASHBOARD_CSP });
  });
});

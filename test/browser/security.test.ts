/**
 * The dashboard's defences in a real browser: it works under its Content-Security-Policy (no
 * violation reported on any page, the gallery's images and the budget bars included), it is
 * reached as http://127.0.0.1:<port> and http://localhost:<port> (the Host check lets both in),
 * and an SVG or HTML file served as an item's media cannot run script.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../src/domain.js';
import { CHROMIUM_MISSING, type Dashboard, SKIP_BROWSER_SUITE, runJob, startDashboard } from './support.js';

const SUITE = SKIP_BROWSER_SUITE ? `dashboard security in Chromium (skipped: ${CHROMIUM_MISSING})` : 'dashboard security in Chromium';

/** Collects every CSP violation the page reports, from the first script on. */
const RECORD_VIOLATIONS = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
`;

interface Watched {
  page: Page;
  /** Page errors, and console messages about the Content-Security-Policy or blocked scripts. */
  problems: string[];
  violations(): Promise<string[]>;
  close(): Promise<void>;
}

describe.skipIf(SKIP_BROWSER_SUITE)(SUITE, () => {
  let d: Dashboard | undefined;
  beforeAll(async () => {
    d = await startDashboard();
  });
  afterAll(async () => {
    await d?.close();
  });

  const dashboard = (): Dashboard => {
    if (d === undefined) throw new Error('the dashboard did not start (see beforeAll)');
    return d;
  };

  /** Opens `url` in a fresh context, recording violations, page errors and CSP console messages. */
  async function watch(url: string): Promise<Watched> {
    const context = await dashboard().browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (message) => {
      if (/content security policy|sandboxed|refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    await page.addInitScript(RECORD_VIOLATIONS);
    await page.goto(url);
    return { page, problems, violations: () => page.evaluate<string[]>('window.__violations ?? []'), close: () => context.close() };
  }

  it('works under its policy on every page: no violation, images shown, budget bars drawn', async () => {
    const d = dashboard();
    const job = await runJob(d, { query: 'csp fox', sources: ['pexels', 'openverse'], limit: 2 });
    expect(job.status).toBe('completed');
    const w = await watch(new URL(`/jobs/${job.id}`, d.server.url).href);
    try {
      const { page } = w;
      await expect.poll(() => page.getByTestId('gallery-item').count()).toBe(4);
      const images = page.locator('[data-testid="gallery-item"] img');
      for (const image of await images.all()) {
        await image.scrollIntoViewIfNeeded();
        await expect.poll(() => image.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
      }
      // The bar's width is set from script as a style property, which the policy allows.
      const fill = page.locator('.budget-fill').first();
      expect(await fill.evaluate((el) => (el as unknown as { style: { width: string } }).style.width)).toMatch(/%$/);
      // The stylesheet applied (it is a file of the build, not inline).
      expect(await page.evaluate('getComputedStyle(document.body).margin')).toBe('0px');
      await page.getByRole('link', { name: 'Sources', exact: true }).click();
      await expect.poll(() => page.locator('[data-testid^="sources-row-"]').count()).toBeGreaterThan(0);
      await page.getByRole('link', { name: 'Jobs', exact: true }).click();
      await expect.poll(() => page.getByTestId('job-row').count()).toBeGreaterThan(0);
      expect(await w.violations()).toEqual([]);
      expect(w.problems).toEqual([]);
      // The canary: markup that slipped in with an inline script is blocked, and reported.
      await page.evaluate(`const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.append(s)`);
      await expect.poll(() => w.violations()).toEqual([expect.stringMatching(/^script-src-elem inline/) as string]);
      expect(await page.evaluate('window.__inline')).toBeUndefined();
    } finally {
      await w.close();
    }
  });

  it('shows /docs with its inline style allowed by hash and nothing blocked', async () => {
    const w = await watch(new URL('/docs', dashboard().server.url).href);
    try {
      expect(await w.page.evaluate('getComputedStyle(document.body).maxWidth')).toBe('960px');
      expect(await w.violations()).toEqual([]);
      expect(w.problems).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it.each(['127.0.0.1', 'localhost'])('is reached as http://%s:<port>, its API calls and event streams included', async (name) => {
    const d = dashboard();
    const job = await runJob(d, { query: `via ${name}`, sources: ['openverse'], limit: 1 });
    const url = new URL(d.server.url);
    url.hostname = name;
    const w = await watch(new URL(`/jobs/${job.id}`, url).href);
    try {
      await expect.poll(() => w.page.getByTestId('job-status').getAttribute('data-status')).toBe('completed');
      await expect.poll(() => w.page.getByTestId('event-log').textContent()).toMatch(/job completed/);
      expect(await w.violations()).toEqual([]);
      expect(w.problems).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it.each([
    ['an SVG', 'evil.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><script>document.title="ran";fetch("/api/jobs",{method:"POST",headers:{"content-type":"application/json"},body:JSON.stringify({query:"svg ran"})})</script><rect width="10" height="10"/></svg>'],
    ['an HTML file', 'evil.html', 'text/html', '<!doctype html><title>media</title><script>document.title="ran";fetch("/api/jobs",{method:"POST",headers:{"content-type":"application/json"},body:JSON.stringify({query:"html ran"})})</script><p>media</p>'],
  ])('serves %s as media sandboxed: nosniff, no script run, nothing started', async (_what, name, contentType, body) => {
    const d = dashboard();
    const { store } = d.bed.runtime.deps;
    const item = await mediaItem(d, name, contentType, body);
    const before = (await store.listJobs({ limit: 1000 })).length;
    const w = await watch(new URL(`/api/items/${item.id}/file`, d.server.url).href);
    try {
      const answer = await w.page.request.get(new URL(`/api/items/${item.id}/file`, d.server.url).href);
      expect(answer.headers()['x-content-type-options']).toBe('nosniff');
      expect(answer.headers()['content-security-policy']).toMatch(/(^|; )sandbox(;|$)/);
      expect(answer.headers()['content-security-policy']).toMatch(/default-src 'none'/);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await w.page.title()).not.toBe('ran');
      expect((await store.listJobs({ limit: 1000 })).length).toBe(before);
      // Chromium says it blocked the script: there was one to run.
      expect(w.problems.join('\n')).toMatch(/sandboxed|Content Security Policy/i);
    } finally {
      await w.close();
    }
  });
});

/** An item of a job of its own whose file is `body`, recorded as `contentType`. */
async function mediaItem(d: Dashboard, name: string, contentType: string, body: string): Promise<Item> {
  const { store } = d.bed.runtime.deps;
  const file = path.join(d.bed.dir, name);
  await writeFile(file, body);
  const jobId = `media-${name.replace(/\W/g, '-')}`;
  await store.createJob({ id: jobId, query: name, type: 'image', limit: 1, outDir: d.bed.dir, budgets: { requestMs: 1000, sourceMs: 1000, jobMs: 1000 }, sources: [], createdAt: new Date().toISOString() });
  const item: Item = {
    id: `${jobId}-item`, jobId, source: 'openverse', kind: 'image', url: `http://127.0.0.1/${name}`, pageUrl: null, title: name, author: null, authorUrl: null,
    license: null, licenseUrl: null, licenseCode: null, width: 10, height: 10, path: file, bytes: Buffer.byteLength(body), sha256: '0'.repeat(64), contentType, createdAt: new Date().toISOString(),
  };
  await store.addItem(item);
  return item;
}

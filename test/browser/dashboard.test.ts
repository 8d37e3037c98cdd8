/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
 * server, engine and simulator: start a job from the form and watch it finish, a source over its
 * budget flagged, cancelling a running job, the gallery, network text rendered as text, and a
 * screenshot of a finished job page (test-artifacts/job-page.png).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain.js';
import { ARTIFACTS_DIR, CHROMIUM_MISSING, type Dashboard, type OpenedPage, SKIP_BROWSER_SUITE, chooseSources, jobIdOf, openPage, runJob, startDashboard } from './support.js';

const SUITE = SKIP_BROWSER_SUITE ? `dashboard in Chromium (skipped: ${CHROMIUM_MISSING})` : 'dashboard in Chromium';
const XSS = '<img src=x onerror=window.__xss=1>';
const END_MS = 30_000;

/** Records every class a source row ever had, so a state shown for a moment can be asserted later. */
const RECORD_ROW_CLASSES = `
  window.__rowClasses = {};
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('[data-testid^="source-row-"]')) {
      const seen = (window.__rowClasses[el.dataset.testid] ??= []);
      for (const c of el.classList) if (!seen.includes(c)) seen.push(c);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
`;

const status = (locator: Locator): Promise<string | null> => locator.getAttribute('data-status');
const classes = async (locator: Locator): Promise<string[]> => ((await locator.getAttribute('class')) ?? '').split(/\s+/);

describe.skipIf(SKIP_BROWSER_SUITE)(SUITE, () => {
  let d: Dashboard | undefined;
  let opened: OpenedPage | undefined;

  beforeAll(async () => {
    d = await startDashboard();
  });

  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    d?.bed.sim.clearFaults();
  });

  afterAll(async () => {
    await d?.close();
  });

  /** The dashboard (started in beforeAll) and a page on it, closed after the test. */
  async function open(pathname: string, initScript?: string): Promise<{ d: Dashboard } & OpenedPage> {
    if (d === undefined) throw new Error('the dashboard did not start (see beforeAll)');
    opened = await openPage(d, pathname, initScript);
    return { d, ...opened };
  }

  it('starts a job from the form and follows it live until every source is done', async () => {
    const { d, page, errors } = await open('/');
    await page.getByTestId('query').fill('red fox');
    await chooseSources(page, ['pexels', 'openverse']);
    await page.getByTestId('limit').fill('3');
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\/[^/]+$/);
    const id = jobIdOf(page);

    await expect.poll(() => status(page.getByTestId('job-status')), { timeout: END_MS }).toBe('completed');
    for (const source of ['pexels', 'openverse']) {
      await expect.poll(() => status(page.getByTestId(`source-row-${source}`))).toBe('done');
    }
    const stored = await d.bed.runtime.deps.store.getJob(id);
    expect(stored).toMatchObject({ query: 'red fox', limit: 3, status: 'completed', downloaded: 6 });
    expect(stored?.sources.map((run) => run.source).sort()).toEqual(['openverse', 'pexels']);
    await expect.poll(() => page.getByTestId('event-log').textContent()).toMatch(/job completed/);

    // The job list shows it finished too.
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    const row = page.locator(`[data-testid="job-row"][data-job-id="${id}"]`);
    await expect.poll(() => status(row.getByTestId('job-status'))).toBe('completed');
    expect(errors).toEqual([]);
  });

  it('sends the form\'s filters: the created job carries them, and its page shows them and the filtered counts', async () => {
    const { d, page, errors } = await open('/');
    await page.getByTestId('query').fill('wallpapers');
    await chooseSources(page, ['openverse']);
    await page.getByTestId('limit').fill('3');
    await page.getByTestId('filter-minWidth').fill('5000');
    await page.getByTestId('filter-minHeight').fill('300');
    await page.getByTestId('filter-orientation').selectOption('landscape');
    await page.getByTestId('filter-license-commercial').check();
    await page.getByTestId('filter-license-cc-by-nc').check();
    await page.getByTestId('filter-safeSearch').uncheck();
    await page.getByTestId('filter-format-jpeg').check();
    await page.getByTestId('filter-format-webp').check();
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\/[^/]+$/);
    const id = jobIdOf(page);

    const answer = await fetch(`${d.server.url}/api/jobs/${id}`);
    const job = (await answer.json()) as Job;
    expect(job.filters).toEqual({
      minWidth: 5000,
      minHeight: 300,
      orientation: 'landscape',
      license: ['cc0', 'pdm', 'cc-by', 'cc-by-sa', 'cc-by-nd', 'cc-by-nc', 'pexels', 'pixabay', 'unsplash'],
      safeSearch: false,
      format: ['jpeg', 'webp'],
    });
    await expect.poll(() => status(page.getByTestId('job-status')), { timeout: END_MS }).toBe('completed');
    expect(await page.getByTestId('job-filters').textContent()).toMatch(/min width 5000, min height 300, landscape, licence cc0\|.*format jpeg\|webp, safe search off/);
    // No Openverse candidate is 5000 px wide: all three are filtered, the source is done.
    await expect.poll(() => page.getByTestId('source-row-openverse').getByTestId('filtered-count').textContent()).toBe('3 filtered');
    expect(errors).toEqual([]);
  });

  it('flags a source that runs over its budget: amber past 80%, red once timed out', async () => {
    const { d, page, errors } = await open('/', RECORD_ROW_CLASSES);
    d.bed.sim.setFaults([{ target: 'openverse', fault: 'hang' }]);
    await page.getByTestId('query').fill('slow fox');
    await chooseSources(page, ['pexels', 'openverse']);
    await page.getByTestId('limit').fill('2');
    await page.getByTestId('timeout-request').fill('30s');
    // 5 s: the amber window (80–100 % of the budget) is a whole second, four dashboard redraws,
    // so a busy machine cannot make the test miss it.
    await page.getByTestId('timeout-source').fill('5s');
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\/[^/]+$/);

    const slow = page.getByTestId('source-row-openverse');
    await expect.poll(() => status(slow), { timeout: END_MS }).toBe('timed_out');
    expect(await classes(slow)).toEqual(expect.arrayContaining(['over-budget', 'alert-over']));
    expect(await slow.getByTestId('source-error').textContent()).toMatch(/TRAWL_SOURCE_TIMEOUT/);
    const fast = page.getByTestId('source-row-pexels');
    expect(await status(fast)).toBe('done');
    expect(await classes(fast)).not.toContain('over-budget');
    await expect.poll(() => status(page.getByTestId('job-status'))).toBe('completed');
    // The engine's 80% alert reaches the log, and the row was amber while it ran on.
    await expect.poll(() => page.getByTestId('event-log').textContent()).toMatch(/ALERT openverse: .*80%/);
    const seen = await page.evaluate<Record<string, string[]>>('window.__rowClasses');
    expect(seen['source-row-openverse']).toContain('alert-warning');
    expect(seen['source-row-pexels']).not.toContain('over-budget');
    // The sources page names the timeout among the source's recent runs.
    await page.getByRole('link', { name: 'Sources', exact: true }).click();
    await expect.poll(() => page.getByTestId('sources-row-openverse').textContent()).toMatch(/timed out.*TRAWL_SOURCE_TIMEOUT/);
    // Its health, from the engine's own record (earlier tests in this suite may have run it too):
    // not every run ok, the timeout as its last error, and one failure is not enough to open the breaker.
    const health = page.getByTestId('sources-row-openverse').getByTestId('source-health');
    expect(await health.getAttribute('data-breaker')).toBe('closed');
    expect(await health.textContent()).toMatch(/\b(?!100%)\d+% of \d+ runs ok.*circuit closed.*TRAWL_SOURCE_TIMEOUT/);
    expect(await page.getByTestId('sources-row-pexels').getByTestId('source-health').textContent()).toMatch(/100% of \d+ runs ok/);
    expect(errors).toEqual([]);
  });

  it('cancels a running job: it ends cancelled and its stalled downloads are let go', async () => {
    const { d, page, errors } = await open('/');
    const { sim } = d.bed;
    sim.setFaults([{ target: '*:media', fault: 'stall' }]);
    await page.getByTestId('query').fill('stuck fox');
    await chooseSources(page, ['pexels']);
    await page.getByTestId('limit').fill('2');
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\/[^/]+$/);
    await expect.poll(() => status(page.getByTestId('job-status'))).toBe('running');
    await expect.poll(() => sim.requests().filter((r) => r.fault === 'stall').length).toBeGreaterThan(0);

    await page.getByTestId('cancel').click();
    await expect.poll(() => status(page.getByTestId('job-status'))).toBe('cancelled');
    await expect.poll(() => status(page.getByTestId('source-row-pexels'))).toBe('cancelled');
    expect(await page.getByTestId('cancel').count()).toBe(0);
    await sim.waitForClosed((r) => r.fault === 'stall', 5_000);
    expect((await d.bed.runtime.deps.store.getJob(jobIdOf(page)))?.status).toBe('cancelled');
    expect(errors).toEqual([]);
  });

  it('shows the gallery: titles, loaded images, a video player per video item', async () => {
    if (d === undefined) throw new Error('the dashboard did not start');
    const job = await runJob(d, { query: 'river otter', sources: ['pexels', 'wikimedia_commons'], type: 'all', limit: 2 });
    expect(job.status).toBe('completed');
    const items = await d.bed.runtime.deps.store.listItems(job.id);
    const { page, errors } = await open(`/jobs/${job.id}`);

    const tiles = page.getByTestId('gallery-item');
    await expect.poll(() => tiles.count(), { timeout: 10_000 }).toBe(items.length);
    const titles = await page.getByTestId('item-title').allTextContents();
    expect(titles.sort()).toEqual(items.map((item) => item.title ?? 'Untitled').sort());
    expect(titles.every((title) => title.trim() !== '')).toBe(true);

    const image = page.locator('[data-testid="gallery-item"][data-kind="image"] img').first();
    await image.scrollIntoViewIfNeeded();
    await expect.poll(() => image.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);

    const video = page.locator('[data-testid="gallery-item"][data-kind="video"] video').first();
    expect(await video.count()).toBe(1);
    const src = await video.getAttribute('src');
    const file = await page.request.get(new URL(src ?? '', d.server.url).href);
    expect(file.status()).toBe(200);
    expect(file.headers()['content-type']).toMatch(/^video\//);
    expect(errors).toEqual([]);
  });

  it('renders markup in a query and in titles from the network as text', async () => {
    const { page, errors } = await open('/');
    // The simulated Openverse puts the query into its titles: "<img …> 1", "<img …> 2".
    await page.getByTestId('query').fill(XSS);
    await chooseSources(page, ['openverse']);
    await page.getByTestId('limit').fill('2');
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\/[^/]+$/);
    const id = jobIdOf(page);
    await expect.poll(() => status(page.getByTestId('job-status')), { timeout: END_MS }).toBe('completed');
    await expect.poll(() => page.getByTestId('gallery-item').count()).toBe(2);

    expect(await page.locator('h1.job-title').textContent()).toBe(XSS);
    expect((await page.getByTestId('item-title').allTextContents()).sort()).toEqual([`${XSS} 1`, `${XSS} 2`]);
    expect(await page.getByText(`${XSS} 1`, { exact: true }).isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    const row = page.locator(`[data-testid="job-row"][data-job-id="${id}"]`);
    expect(await row.locator('.job-query').textContent()).toBe(XSS);

    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(errors).toEqual([]);
    // The canary works: the same text parsed as markup does make the element; its inline handler
    // then meets the second defence, the Content-Security-Policy, and never runs.
    await page.evaluate(`document.body.insertAdjacentHTML('beforeend', ${JSON.stringify(XSS)})`);
    await expect.poll(() => page.locator('img[src="x"]').count()).toBe(1);
    await expect.poll(() => page.evaluate('document.querySelector(\'img[src="x"]\').complete')).toBe(true);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
  });

  it('saves a screenshot of a finished job page with its gallery', async () => {
    if (d === undefined) throw new Error('the dashboard did not start');
    const job = await runJob(d, { query: 'red fox', sources: ['pexels', 'openverse', 'wikimedia_commons'], type: 'all', limit: 3 });
    expect(job.status).toBe('completed');
    const items = await d.bed.runtime.deps.store.listItems(job.id);
    const { page, errors } = await open(`/jobs/${job.id}`);
    await expect.poll(() => page.getByTestId('gallery-item').count(), { timeout: 10_000 }).toBe(items.length);
    // Images load lazily: bring each into view so the screenshot shows them all.
    for (const image of await page.locator('[data-testid="gallery-item"] img').all()) {
      await image.scrollIntoViewIfNeeded();
      await expect.poll(() => image.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    }
    await page.evaluate('window.scrollTo(0, 0)');
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, 'job-page.png');
    const png = await page.screenshot({ path: file, fullPage: true });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(errors).toEqual([]);
  });
});

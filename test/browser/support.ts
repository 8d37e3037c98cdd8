/**
 * Browser-test support: the real server (simulator, throw-away data dir, runtime, job queue, the
 * built dashboard) on 127.0.0.1, driven by Debian's Chromium through playwright-core.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import type { Job } from '../../src/domain.js';
import type { RunningServer } from '../../src/server/server.js';
import { type TestBed, startTestBed, startTestServer, waitForJob } from '../../src/server/test-support.test-helper.js';
import type { ApiJobInput } from '../../src/services/job-queue.js';
import { ROOT } from '../support/harness.js';

/** Debian's Chromium; `.ci/run` installs it. Never a browser downloaded by playwright. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why the suite cannot run without the browser, and how to fix it. */
export const CHROMIUM_MISSING = `${CHROMIUM_PATH} does not exist: install Debian's chromium: apt-get install -y chromium`;

/**
 * Skip the suite on a developer machine without Chromium; in CI (`CI` set) run it, so the missing
 * browser fails it with {@link CHROMIUM_MISSING} rather than passing silently.
 */
export const SKIP_BROWSER_SUITE = !existsSync(CHROMIUM_PATH) && !process.env.CI;

/** Where `npm run build` puts the dashboard. */
export const WEB_ROOT = path.join(ROOT, 'web/dist');

/** Where tests leave screenshots (gitignored). */
export const ARTIFACTS_DIR = path.join(ROOT, 'test-artifacts');

/** How every test starts Chromium: headless, sandbox-free (containers), nothing fetched in the background. */
export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The server, its simulator and engine, and a browser pointed at it. */
export interface Dashboard {
  bed: TestBed;
  server: RunningServer;
  browser: Browser;
  /** Closes the browser, the server, then the engine and simulator; removes the data dir. */
  close(): Promise<void>;
}

/**
 * Starts everything. Throws with the fix when Chromium or the dashboard build is missing.
 * Whatever started before a failure is closed again.
 */
export async function startDashboard(): Promise<Dashboard> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(CHROMIUM_MISSING);
  if (!existsSync(path.join(WEB_ROOT, 'index.html'))) throw new Error(`${WEB_ROOT}/index.html is missing: run \`npm run build\` first (npm test does)`);
  const bed = await startTestBed({ simulator: { itemsPerQuery: 6 } });
  let server: RunningServer | undefined;
  try {
    server = await startTestServer(bed, { webRoot: WEB_ROOT });
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
    const running = server;
    return {
      bed,
      server,
      browser,
      async close() {
        await browser.close();
        await running.close();
        await bed.close();
      },
    };
  } catch (err) {
    await server?.close();
    await bed.close();
    throw err;
  }
}

/** A page in a fresh browser context, and the uncaught errors it has thrown so far. */
export interface OpenedPage {
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** Opens `pathname` on the server in a new context; `initScript` runs before the app's own code. */
export async function openPage(d: Dashboard, pathname: string, initScript?: string): Promise<OpenedPage> {
  const context = await d.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  if (initScript !== undefined) await page.addInitScript(initScript);
  await page.goto(new URL(pathname, d.server.url).href);
  return { page, errors, close: () => context.close() };
}

/** Submits a job straight to the queue (not through the page) and waits for it to end. */
export async function runJob(d: Dashboard, input: ApiJobInput, timeoutMs = 30_000): Promise<Job> {
  const job = await d.bed.queue.submit(input);
  return waitForJob(d.bed, job.id, ['completed', 'failed', 'timed_out', 'cancelled'], timeoutMs);
}

/** Ticks exactly the sources in `ids` in the job form (once the list has loaded). */
export async function chooseSources(page: Page, ids: readonly string[]): Promise<void> {
  const boxes = page.locator('input[type="checkbox"][data-testid^="source-"]');
  await boxes.first().waitFor();
  for (const box of await boxes.all()) {
    const id = (await box.getAttribute('data-testid'))?.slice('source-'.length) ?? '';
    if (ids.includes(id)) await box.check();
    else if (await box.isEnabled()) await box.uncheck();
  }
}

/** The job id in a job page's URL (`/jobs/<id>`). */
export function jobIdOf(page: Page): string {
  const match = /\/jobs\/([^/?#]+)$/.exec(new URL(page.url()).pathname);
  if (!match?.[1]) throw new Error(`not on a job page: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

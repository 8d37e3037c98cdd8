/**
 * Clients of the all-jobs event stream for the SSE latency benchmark. Each notes, for every event,
 * the wall-clock time it had parsed it: a Node fetch() client using the dashboard's own SSE parser,
 * and Debian's Chromium running a fetch() reader in a page of the server's origin.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { parseSseText } from '../web/src/sse-parse.js';

/** An event as a client saw it: whose, which, and when it was parsed (epoch ms). */
export interface Arrival {
  jobId: string;
  name: string;
  at: number;
}

/** A connected stream; `arrivals()` is what it has parsed so far. */
export interface StreamClient {
  readonly label: string;
  arrivals(): Promise<Arrival[]>;
  close(): Promise<void>;
}

const CHROMIUM_PATH = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The jobId of an event's JSON data, or null. */
function jobIdOf(data: string): string | null {
  try {
    const parsed = JSON.parse(data) as { jobId?: unknown };
    return typeof parsed.jobId === 'string' ? parsed.jobId : null;
  } catch {
    return null;
  }
}

/** Opens `url` with fetch() in this process; resolves once the server has answered (and subscribed). */
export async function openNodeClient(url: string): Promise<StreamClient> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  if (!response.ok || response.body === null) throw new Error(`${url} answered ${response.status}`);
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const seen: Arrival[] = [];
  const decoder = new TextDecoder();
  const pump = (async () => {
    let rest = '';
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return;
      const parsed = parseSseText(rest + decoder.decode(chunk.value, { stream: true }));
      const at = Date.now();
      rest = parsed.rest;
      for (const frame of parsed.frames) {
        const jobId = jobIdOf(frame.data);
        if (jobId !== null) seen.push({ jobId, name: frame.event, at });
      }
    }
  })().catch(() => undefined);
  return {
    label: 'node fetch',
    arrivals: () => Promise.resolve([...seen]),
    async close() {
      controller.abort();
      await pump;
    },
  };
}

/** The page's reader: the same block parsing, in the browser, timed with the browser's clock. */
const PAGE_READER = (url: string): string => `
  window.__arrivals = [];
  window.__connected = (async () => {
    const response = await fetch(${JSON.stringify(url)});
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        const at = Date.now();
        for (let cut = buffer.indexOf('\\n\\n'); cut >= 0; cut = buffer.indexOf('\\n\\n')) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const name = /^event: (.*)$/m.exec(block);
          const data = /^data: (.*)$/m.exec(block);
          if (!name || !data) continue;
          window.__arrivals.push({ jobId: JSON.parse(data[1]).jobId, name: name[1], at });
        }
      }
    })();
    return response.status;
  })();
`;

/**
 * Opens the stream in Chromium, in a page of the server's origin (`pageUrl`), or resolves to null
 * when Debian's Chromium is not installed.
 */
export async function openBrowserClient(pageUrl: string, streamPath: string): Promise<StreamClient | null> {
  if (!existsSync(CHROMIUM_PATH)) return null;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(pageUrl);
    await page.evaluate(PAGE_READER(streamPath));
    const status = await page.evaluate('window.__connected');
    if (status !== 200) throw new Error(`${streamPath} answered ${String(status)} in the browser`);
    return {
      label: 'chromium fetch',
      arrivals: () => page.evaluate<Arrival[]>('window.__arrivals'),
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

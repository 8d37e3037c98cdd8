/**
 * What every row of the fault suite checks, in one place: the job ends inside its budget, the
 * failing item carries its code, nothing partial is left, the rest of the job is unharmed, and the
 * process's sockets come back to their baseline. Also the hooks the simulator cannot offer: a stub
 * resolver (loopback answers only), a connect that never completes, and media URLs rewritten to
 * other (always loopback) hosts.
 */
import { createHash } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { Candidate } from '../../../src/domain.js';
import { createHttpClient, httpClientOptionsFrom } from '../../../src/net/undici-http-client.js';
import type { JobInput } from '../../../src/services/job-request.js';
import type { JobReport } from '../../../src/services/report.js';
import { openverseSource } from '../../../src/sources/openverse.source.js';
import type { Source } from '../../../src/sources/source.js';
import { type EngineRun, type Harness, leftoverTempFiles, runEngine } from '../../support/harness.js';

/** Open TCP sockets of this process (servers' listening sockets are not counted). */
export function openTcpSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
}

/** Polls until `probe` is true; fails naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Options of {@link runRow} beyond the harness's own. */
export interface RowOptions {
  env?: Record<string, string>;
  sources?: readonly Source[];
  /** A stub resolver for the media client (it must answer loopback addresses only). */
  lookup?: LookupFunction;
}

/** A finished row: the engine's run plus what the process looked like around it. */
export interface RowRun extends EngineRun {
  /** Peak growth (bytes) of JS heap + array buffers while the job ran, sampled every 20 ms. */
  heapGrowth: number;
}

/**
 * Runs one job with the real engine (as `trawl fetch` does) and checks what every row promises
 * whatever its fault: a terminal state, no temp file anywhere under the working directory, and the
 * process's TCP sockets back to the count before the run.
 */
export async function runRow(h: Harness, input: JobInput, options: RowOptions = {}): Promise<RowRun> {
  const sockets = openTcpSockets();
  const used = (): number => {
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const heapBefore = used();
  let heapPeak = heapBefore;
  const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, used())), 20);
  let stubbed: ReturnType<typeof createHttpClient> | undefined;
  try {
    const run = await runEngine(h, input, {
      ...(options.env ? { env: options.env } : {}),
      ...(options.sources ? { sources: options.sources } : {}),
      onRuntime: (runtime) => {
        if (options.lookup === undefined) return;
        stubbed = createHttpClient({ ...httpClientOptionsFrom(runtime.deps.config), lookup: options.lookup });
        runtime.deps.http = stubbed;
      },
    });
    expect(['completed', 'failed', 'timed_out', 'cancelled']).toContain(run.job.status);
    expect(run.report.sources.every((s) => !['pending', 'running'].includes(s.status))).toBe(true);
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
    return { ...run, heapGrowth: heapPeak - heapBefore };
  } finally {
    clearInterval(sampler);
    await stubbed?.close();
    await waitUntil(`open TCP sockets back to ${sockets}`, () => openTcpSockets() <= sockets);
  }
}

/** The failures of a report as `{ path → code }`, keyed by the media URL's path. */
export function failureCodes(report: JobReport): Record<string, string> {
  return Object.fromEntries(report.failures.map((f) => [new URL(f.url).pathname, f.code]));
}

/**
 * A row's verdict: the job completed, `failed` (URL → code) are its only failures, the other items
 * of the job (`total` in all) are saved intact, it ended inside `budgetMs`, and the simulator's side
 * of every faulted exchange is closed too.
 */
export async function expectRow(h: Harness, run: RowRun, failed: Record<string, string>, budgetMs: number, total = 4): Promise<void> {
  expect(failureCodes(run.report)).toEqual(failed);
  expect(run.job.status).toBe('completed');
  expect(run.report.downloaded).toBe(total - Object.keys(failed).length);
  expect(run.elapsedMs).toBeLessThan(budgetMs);
  await expectItemsIntact(h, run.report);
  await h.sim.waitForClosed((r) => r.fault !== null, 2_000);
}

/** Every saved item's file exists with its recorded size and sha256, inside the output directory. */
export async function expectItemsIntact(h: Harness, report: JobReport): Promise<void> {
  const out = path.join(h.cwd, 'downloads');
  for (const item of report.items) {
    const file = path.resolve(h.cwd, item.path);
    expect(file.startsWith(`${out}${path.sep}`), file).toBe(true);
    const bytes = await readFile(file);
    expect(bytes.length).toBe(item.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(item.sha256);
  }
}

/** Openverse (no key needed) with its candidates' URLs rewritten by `rewrite(url, index)`; null keeps one out. */
export function rewrittenSource(rewrite: (url: URL, index: number) => string | null): Source {
  return {
    ...openverseSource,
    async *search(request, context) {
      let index = 0;
      for await (const page of openverseSource.search(request, context)) {
        const out: Candidate[] = [];
        for (const candidate of page) {
          const url = rewrite(new URL(candidate.url), index++);
          if (url !== null) out.push({ ...candidate, url });
        }
        yield out;
      }
    },
  };
}

/** A TCP listener that only counts who connects: the canary no request may ever reach. */
export interface Canary {
  readonly host: string;
  readonly port: number;
  connections(): number;
  close(): Promise<void>;
}

/** Starts a canary on `host` (a loopback address) and `port` (0 = any free port). */
export async function startCanary(host: string, port = 0): Promise<Canary> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as net.AddressInfo).port;
  return {
    host,
    port: bound,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A resolver answering from `answers(hostname, call)` (1-based call count per name); every call is recorded. */
export function stubResolver(answers: (hostname: string, call: number) => string | NodeJS.ErrnoException): { lookup: LookupFunction; calls: string[] } {
  const calls: string[] = [];
  const lookup = ((hostname: string, _options: unknown, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
    calls.push(hostname);
    const answer = answers(hostname, calls.filter((name) => name === hostname).length);
    setImmediate(() => {
      if (typeof answer !== 'string') callback(answer, []);
      else callback(null, [{ address: answer, family: net.isIPv6(answer) ? 6 : 4 }]);
    });
  }) as unknown as LookupFunction;
  return { lookup, calls };
}

/** A resolver error as dns.lookup reports it. */
export function dnsError(code: 'ENOTFOUND' | 'EAI_AGAIN', hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, hostname });
}

/**
 * Makes every TCP connect to `port` on 127.0.0.1 hang for ever (a SYN nobody answers), by hooking
 * `net.connect`, which undici's connector calls. Returns the undo; other connections are untouched.
 */
export function blackholeConnects(port: number): { attempts: () => number; restore: () => void } {
  const original = net.connect;
  let attempts = 0;
  const hooked = ((...args: Parameters<typeof net.connect>) => {
    const options = args[0] as unknown;
    const target = typeof options === 'object' && options !== null ? (options as { port?: unknown; host?: unknown }) : {};
    if (Number(target.port) === port && target.host === '127.0.0.1') {
      attempts++;
      // A socket that never connects: no handle, no traffic; undici's timers end it.
      return new net.Socket();
    }
    return original(...args);
  }) as typeof net.connect;
  net.connect = hooked;
  return {
    attempts: () => attempts,
    restore: () => {
      net.connect = original;
    },
  };
}

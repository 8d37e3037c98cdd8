/**
 * Test support for the server and the job queue: a simulator on 127.0.0.1, a throw-away data
 * dir, a real runtime and queue wired to them, the app (inject) or a listening server (port 0), and
 * a small SSE client over fetch.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Config, loadConfig } from '../config/config.js';
import type { Job } from '../domain.js';
import { JobQueue } from '../services/job-queue.js';
import { type Runtime, openRuntime } from '../services/runtime.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../sim/simulator.js';
import type { StoredEvent } from '../store/store.js';
import { type AppOptions, buildApp } from './app.js';
import { type RunningServer, startServer } from './server.js';
import type { EventFeed } from '../engine/event-recorder.js';

/** The runtime's live events, counting subscribers: a stream that has let go leaves none. */
export class CountingFeed implements EventFeed {
  listeners = 0;
  constructor(private readonly inner: Runtime['events']) {}

  start(): Promise<void> {
    return this.inner.start();
  }

  onRecorded(listener: (event: StoredEvent) => void): () => void {
    this.listeners++;
    const off = this.inner.onRecorded(listener);
    let subscribed = true;
    return () => {
      if (subscribed) this.listeners--;
      subscribed = false;
      off();
    };
  }
}

export interface TestBed {
  sim: Simulator;
  dir: string;
  config: Config;
  runtime: Runtime;
  queue: JobQueue;
  feed: CountingFeed;
  close(): Promise<void>;
}

export interface TestBedOptions {
  simulator?: SimulatorOptions;
  env?: Record<string, string>;
  maxConcurrentJobs?: number;
  /** Start the queue (default true). */
  start?: boolean;
}

/** A simulator, a data dir, a runtime and a (started) queue; `close()` stops and removes all. */
export async function startTestBed(options: TestBedOptions = {}): Promise<TestBed> {
  const sim = await startSimulator({ itemsPerQuery: 6, ...options.simulator });
  const dir = await mkdtemp(path.join(tmpdir(), 'trawl-server-'));
  const config = loadConfig({ env: { ...sim.env(), TRAWL_DATA_DIR: path.join(dir, 'data'), ...options.env }, cwd: dir });
  const runtime = await openRuntime(config);
  const queue = new JobQueue(runtime, options.maxConcurrentJobs === undefined ? {} : { maxConcurrentJobs: options.maxConcurrentJobs });
  if (options.start ?? true) queue.start();
  return {
    sim,
    dir,
    config,
    runtime,
    queue,
    feed: new CountingFeed(runtime.events),
    async close() {
      await queue.stop();
      await runtime.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type TestAppOptions = Partial<Pick<AppOptions, 'webRoot' | 'sse' | 'host'>> & { token?: string };

function appOptions(bed: TestBed, options: TestAppOptions): AppOptions {
  const config: Config = { ...bed.config, apiToken: options.token };
  return {
    runtime: { deps: bed.runtime.deps, logger: bed.runtime.logger, events: bed.feed },
    queue: bed.queue,
    config,
    ...(options.webRoot === undefined ? {} : { webRoot: options.webRoot }),
    ...(options.sse === undefined ? {} : { sse: options.sse }),
    ...(options.host === undefined ? {} : { host: options.host }),
  };
}

/** The app on the bed, not listening (for inject). */
export function buildTestApp(bed: TestBed, options: TestAppOptions = {}): Promise<FastifyInstance> {
  return buildApp(appOptions(bed, options));
}

/** The app on the bed, listening on 127.0.0.1, a free port. */
export function startTestServer(bed: TestBed, options: TestAppOptions = {}): Promise<RunningServer> {
  return startServer({ ...appOptions(bed, options), host: '127.0.0.1', port: 0 });
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the job is in one of `statuses` and returns it. */
export function waitForJob(bed: TestBed, id: string, statuses: readonly Job['status'][], timeoutMs = 15_000): Promise<Job> {
  return waitFor(`job ${id} to be ${statuses.join(' or ')}`, async () => {
    const job = await bed.runtime.deps.store.getJob(id);
    return job !== undefined && statuses.includes(job.status) ? job : undefined;
  }, timeoutMs);
}

/** One parsed SSE block: an event (id, name, data) or a comment. */
export interface SseFrame {
  id?: number;
  event?: string;
  data?: unknown;
  comment?: string;
  retry?: number;
}

/** A Server-Sent Events client over fetch, reading frame by frame. */
export class SseClient {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private ended = false;

  private constructor(
    readonly response: Response,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly controller: AbortController,
  ) {}

  /** Opens the stream; resolves once the response headers arrived (body unread). */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const controller = new AbortController();
    const response = await fetch(url, { headers, signal: controller.signal });
    if (response.body === null) throw new Error('no body');
    return new SseClient(response, response.body.getReader(), controller);
  }

  /** The next frame, or undefined when the server ended the stream. */
  async next(timeoutMs = 10_000): Promise<SseFrame | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cut = this.buffer.indexOf('\n\n');
      if (cut >= 0) {
        const block = this.buffer.slice(0, cut);
        this.buffer = this.buffer.slice(cut + 2);
        return parseFrame(block);
      }
      if (this.ended) return undefined;
      const chunk = await withTimeout(this.reader.read(), deadline - Date.now());
      if (chunk.done) this.ended = true;
      else this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** Event frames (comments and retry lines skipped) until `stop` matches one, or the stream ends. */
  async events(stop: (frame: SseFrame) => boolean = () => false, timeoutMs = 15_000): Promise<SseFrame[]> {
    const out: SseFrame[] = [];
    const deadline = Date.now() + timeoutMs;
    for (let frame = await this.next(timeoutMs); frame !== undefined; frame = await this.next(deadline - Date.now())) {
      if (frame.event === undefined) continue;
      out.push(frame);
      if (stop(frame)) break;
    }
    return out;
  }

  /** Whether the server has ended the stream (reads what is left). */
  async endedByServer(timeoutMs = 5_000): Promise<boolean> {
    while ((await this.next(timeoutMs)) !== undefined);
    return this.ended;
  }

  /** Goes away, as a closed browser tab does. */
  close(): void {
    this.controller.abort();
  }
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else if (line.startsWith('id: ')) frame.id = Number(line.slice(4));
    else if (line.startsWith('event: ')) frame.event = line.slice(7);
    else if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6)) as unknown;
    else if (line.startsWith('retry: ')) frame.retry = Number(line.slice(7));
  }
  return frame;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no SSE data within ${ms} ms`)), Math.max(0, ms));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

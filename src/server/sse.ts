/**
 * Server-Sent Events of the job event log: first the events a client missed (from the store),
 * then the live ones, with no gap and no duplicate. The stream subscribes to live events *before*
 * it reads the store, so an event recorded during the replay is either in the replay or arrives
 * live; live events with an id at or below the last one sent are dropped.
 */
import type { ServerResponse } from 'node:http';
import { TERMINAL_JOB_STATUSES } from '../domain.js';
import type { TrawlLogger } from '../logging/logger.js';
import type { EventFeed } from '../engine/event-recorder.js';
import type { Store, StoredEvent } from '../store/store.js';
import { BASE_SECURITY_HEADERS } from './security-headers.js';

/** Which events one stream carries, where it resumes, and its timing. */
export interface EventStreamOptions {
  /** Only this job's events, ending after its `job.finished`; all jobs (never ending) when absent. */
  jobId?: string;
  /** Resume after this event id (Last-Event-ID). Without it a job stream replays all of the job's
   *  events and the all-jobs stream starts with the live ones. */
  afterId?: number;
  /** How often a `: ping` comment keeps proxies from closing an idle stream. */
  pingMs: number;
  /** How long the stream of a job that has just ended waits for its `job.finished` to arrive live. */
  finishGraceMs: number;
  logger: Pick<TrawlLogger, 'warn' | 'error'>;
}

const HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
  // Written past Fastify's hooks, so the headers every answer carries are added here.
  ...BASE_SECURITY_HEADERS,
} as const;
const PAGE_SIZE = 500;
/** Live events waiting for a slow client; past this the stream closes and the client resumes later. */
const MAX_BACKLOG = 10_000;
/** A job that ended longer ago than this will not see its job.finished arrive any more. */
const RECENT_FINISH_MS = 10_000;
/** Tells EventSource how long to wait before it reconnects. */
const RETRY_MS = 2000;

/** One event as an SSE frame. */
export function formatEvent(event: StoredEvent): string {
  return `id: ${event.id}\nevent: ${event.name.replace(/[\r\n]/g, ' ')}\ndata: ${JSON.stringify(event.data ?? null)}\n\n`;
}

/** One client's event stream on a hijacked response. Call `run()` once; `closed` settles when it is over. */
export class EventStream {
  /** Settles once the stream is over: ended, or the client went away. */
  readonly closed: Promise<void>;
  private resolveClosed: () => void = () => {};
  private readonly backlog: StoredEvent[] = [];
  private lastSent: number;
  private live = false;
  private writing = false;
  private isClosed = false;
  private unsubscribe: () => void = () => {};
  private ping: NodeJS.Timeout | undefined;
  private grace: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly feed: EventFeed,
    private readonly store: Pick<Store, 'listEvents' | 'listAllEvents' | 'getJob'>,
    private readonly options: EventStreamOptions,
  ) {
    this.lastSent = options.afterId ?? 0;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  /** Sends the headers, replays what the client missed, then streams live events. Never rejects. */
  async run(): Promise<void> {
    this.unsubscribe = this.feed.onRecorded((event) => this.onLive(event));
    this.res.once('close', () => this.close());
    if (this.res.destroyed) return this.close();
    this.res.writeHead(200, HEADERS);
    this.res.write(`retry: ${RETRY_MS}\n\n`);
    this.ping = setInterval(() => this.sendPing(), this.options.pingMs);
    try {
      await this.replay();
      this.live = true;
      await this.drain();
      if (this.options.jobId !== undefined) await this.endIfFinished(this.options.jobId);
    } catch (err) {
      this.options.logger.error({ err, jobId: this.options.jobId }, 'EVENT STREAM FAILED');
      this.close();
    }
  }

  /** Ends the stream and releases everything it holds (subscription, timers, backlog). Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.unsubscribe();
    clearInterval(this.ping);
    clearTimeout(this.grace);
    this.backlog.length = 0;
    if (!this.res.writableEnded) this.res.end();
    this.resolveClosed();
  }

  private async replay(): Promise<void> {
    const { jobId, afterId } = this.options;
    if (jobId !== undefined) {
      for (const event of await this.store.listEvents(jobId, afterId)) if (!(await this.send(event))) return;
      return;
    }
    if (afterId === undefined) return;
    for (let after = afterId; ; ) {
      const page = await this.store.listAllEvents(after, PAGE_SIZE);
      for (const event of page) if (!(await this.send(event))) return;
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE_SIZE) return;
      after = last.id;
    }
  }

  private onLive(event: StoredEvent): void {
    if (this.isClosed || (this.options.jobId !== undefined && event.jobId !== this.options.jobId)) return;
    if (this.backlog.length >= MAX_BACKLOG) {
      this.options.logger.warn({ jobId: this.options.jobId, backlog: this.backlog.length }, 'EVENT STREAM CLIENT TOO SLOW: closed; it may resume with Last-Event-ID');
      this.close();
      return;
    }
    this.backlog.push(event);
    this.drain().catch((err: unknown) => {
      this.options.logger.error({ err }, 'EVENT STREAM FAILED');
      this.close();
    });
  }

  /** Writes the live backlog in order; one writer at a time, and none before the replay is done. */
  private async drain(): Promise<void> {
    if (this.writing || !this.live) return;
    this.writing = true;
    try {
      for (let event = this.backlog.shift(); event !== undefined; event = this.backlog.shift()) {
        if (!(await this.send(event))) return;
      }
    } finally {
      this.writing = false;
    }
  }

  /** Sends an event unless already sent; false once the stream is over. */
  private async send(event: StoredEvent): Promise<boolean> {
    if (this.isClosed) return false;
    if (event.id <= this.lastSent) return true;
    this.lastSent = event.id;
    await this.write(formatEvent(event));
    if (this.options.jobId !== undefined && event.name === 'job.finished') this.close();
    return !this.isClosed;
  }

  /** Writes a chunk and, when the socket's buffer is full, waits for it to drain (or the client to leave). */
  private async write(chunk: string): Promise<void> {
    if (this.isClosed || this.res.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  private sendPing(): void {
    // A stream busy with a backlog is not idle; a ping would only add to its buffer.
    if (!this.isClosed && !this.res.writableNeedDrain) this.res.write(': ping\n\n');
  }

  /** A job that has already ended: its job.finished was replayed, is on its way, or will never come. */
  private async endIfFinished(jobId: string): Promise<void> {
    if (this.isClosed) return;
    const job = await this.store.getJob(jobId);
    if (this.isClosed || job === undefined || !TERMINAL_JOB_STATUSES.includes(job.status)) return;
    const endedAgo = Date.now() - Date.parse(job.finishedAt ?? '');
    if (endedAgo < RECENT_FINISH_MS) this.grace = setTimeout(() => this.close(), this.options.finishGraceMs);
    else this.close();
  }
}

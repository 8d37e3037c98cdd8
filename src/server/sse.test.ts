import { EventEmitter } from 'node:events';
import { type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Job } from '../domain.js';
import type { StoredEvent } from '../store/store.js';
import type { RunningServer } from './server.js';
import { EventStream, formatEvent } from './sse.js';
import { SseClient, type SseFrame, type TestBed, startTestBed, startTestServer, waitFor, waitForJob } from './test-support.test-helper.js';

let bed: TestBed;
let server: RunningServer;
beforeEach(async () => {
  bed = await startTestBed();
  server = await startTestServer(bed, { sse: { pingMs: 60_000, finishGraceMs: 500 } });
});
afterEach(async () => {
  await server.close();
  await bed.close();
});

/** A job slow enough (≈1 s) to be watched while it runs. */
const submitSlowJob = async (query = 'cats'): Promise<Job> => {
  bed.sim.setFaults([{ target: 'openverse:media', fault: 'slow', bytesPerSecond: 40_000 }]);
  const answer = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, sources: ['openverse'], limit: 3 }) });
  expect(answer.status).toBe(201);
  return (await answer.json()) as Job;
};

const storedIds = async (jobId: string): Promise<number[]> => (await bed.runtime.deps.store.listEvents(jobId)).map((event) => event.id);
const ids = (frames: SseFrame[]): number[] => frames.map((frame) => frame.id ?? -1);

/** A ServerResponse stand-in whose buffer is "full" (write returns false) while `full` is set. */
class FakeResponse extends EventEmitter {
  readonly chunks: string[] = [];
  full = false;
  destroyed = false;
  writableEnded = false;
  get writableNeedDrain(): boolean {
    return this.full;
  }
  writeHead(): this {
    return this;
  }
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return !this.full;
  }
  end(): void {
    this.writableEnded = true;
  }
  events(): number[] {
    return this.chunks.flatMap((chunk) => /^id: (\d+)/.exec(chunk)?.[1] ?? []).map(Number);
  }
}

describe('a job event stream', () => {
  it('delivers the job\'s events in order while it runs, ends with job.finished, then closes', async () => {
    const job = await submitSlowJob();
    const client = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`);
    expect(client.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(client.response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(client.response.headers.get('cache-control')).toMatch(/no-cache/);
    const frames = await client.events();
    expect(await client.endedByServer()).toBe(true);
    expect(frames[0]?.event).toBe('job.started');
    expect(frames.at(-1)).toMatchObject({ event: 'job.finished', data: { jobId: job.id, job: { id: job.id, status: 'completed', downloaded: 3 } } });
    expect(frames.filter((frame) => frame.event === 'item.saved')).toHaveLength(3);
    expect(frames.every((frame) => (frame.data as { jobId: string }).jobId === job.id)).toBe(true);
    await bed.runtime.flush();
    expect(ids(frames)).toEqual(await storedIds(job.id));
  });

  it('resumes after Last-Event-ID (header or query) missing nothing and repeating nothing', async () => {
    const job = await submitSlowJob();
    const first = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`);
    const head = await first.events((frame) => frame.event === 'source.started');
    first.close();
    const last = head.at(-1)?.id ?? 0;
    const resumed = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`, { 'last-event-id': String(last) });
    const rest = await resumed.events();
    expect(await resumed.endedByServer()).toBe(true);
    await bed.runtime.flush();
    const all = await storedIds(job.id);
    expect([...ids(head), ...ids(rest)]).toEqual(all);
    const byQuery = await SseClient.open(`${server.url}/api/jobs/${job.id}/events?lastEventId=${all[1] ?? 0}`);
    expect(ids(await byQuery.events())).toEqual(all.slice(2));
    const headerWins = await SseClient.open(`${server.url}/api/jobs/${job.id}/events?lastEventId=0`, { 'last-event-id': String(all.at(-2)) });
    expect(ids(await headerWins.events())).toEqual(all.slice(-1));
  });

  it('replays a job that has already ended, then closes; a job cancelled while queued ends with its job.finished', async () => {
    const job = await submitSlowJob();
    await waitForJob(bed, job.id, ['completed']);
    await bed.runtime.flush();
    const client = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`);
    expect(ids(await client.events())).toEqual(await storedIds(job.id));
    expect(await client.endedByServer()).toBe(true);

    await bed.queue.stop();
    const queued = (await (await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"dogs","sources":["openverse"]}' })).json()) as Job;
    const watcher = await SseClient.open(`${server.url}/api/jobs/${queued.id}/events`);
    await fetch(`${server.url}/api/jobs/${queued.id}/cancel`, { method: 'POST' });
    const frames = await watcher.events();
    expect(frames.map((frame) => frame.event)).toEqual(['job.finished']);
    expect(frames[0]?.data).toMatchObject({ job: { status: 'cancelled' } });
    expect(await watcher.endedByServer()).toBe(true);
  });

  it('stops its work when the client goes away: no listener left', async () => {
    const job = await submitSlowJob();
    const client = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`);
    const all = await SseClient.open(`${server.url}/api/events`);
    expect(bed.feed.listeners).toBe(2);
    await client.next();
    client.close();
    all.close();
    await waitFor('the streams to let go', () => bed.feed.listeners === 0, 2_000);
  });
});

describe('the all-jobs event stream', () => {
  it('streams live events of every job and stays open; lastEventId=0 replays the whole log first', async () => {
    const client = await SseClient.open(`${server.url}/api/events`);
    const one = await submitSlowJob('one');
    const two = await submitSlowJob('two');
    const finished = new Set<string>();
    const frames = await client.events((frame) => {
      if (frame.event === 'job.finished') finished.add((frame.data as { jobId: string }).jobId);
      return finished.size === 2;
    });
    expect([...finished].sort()).toEqual([one.id, two.id].sort());
    expect(ids(frames)).toEqual([...ids(frames)].sort((a, b) => a - b));
    await bed.runtime.flush();
    const stored = [...(await storedIds(one.id)), ...(await storedIds(two.id))].sort((a, b) => a - b);
    expect(ids(frames)).toEqual(stored);
    expect(bed.feed.listeners).toBe(1);
    client.close();

    const replay = await SseClient.open(`${server.url}/api/events?lastEventId=0`);
    expect(ids(await replay.events((frame) => frame.id === stored.at(-1)))).toEqual(stored);
    replay.close();
  });

  it('sends a ping comment on the heartbeat interval', async () => {
    const fast = await startTestServer(bed, { sse: { pingMs: 50, finishGraceMs: 500 } });
    try {
      const client = await SseClient.open(`${fast.url}/api/events`);
      const comments: string[] = [];
      for (let frame = await client.next(); comments.length < 2 && frame !== undefined; frame = await client.next()) if (frame.comment !== undefined) comments.push(frame.comment);
      expect(comments).toEqual(['ping', 'ping']);
      client.close();
    } finally {
      await fast.close();
    }
  });

  it('ends open streams when the server closes', async () => {
    const client = await SseClient.open(`${server.url}/api/events`);
    await server.close();
    expect(await client.endedByServer()).toBe(true);
    server = await startTestServer(bed);
  });
});

describe('EventStream', () => {
  it('drops live events already replayed, and loses none recorded during the replay', async () => {
    const event = (id: number): StoredEvent => ({ id, jobId: 'j', name: 'source.progress', data: { jobId: 'j', n: id }, at: '' });
    let live: (e: StoredEvent) => void = () => {};
    const feed = { onRecorded: (listener: (e: StoredEvent) => void) => ((live = listener), () => {}) };
    const store = {
      // Events 3 and 4 are recorded while the replay reads the store: 3 is in the page, 4 is not.
      listEvents: () => {
        live(event(3));
        live(event(4));
        return Promise.resolve([event(1), event(2), event(3)]);
      },
      listAllEvents: () => Promise.resolve([]),
      getJob: () => Promise.resolve(undefined),
    };
    const http = createServer((_req, res) => {
      void new EventStream(res, feed, store, { jobId: 'j', pingMs: 60_000, finishGraceMs: 10, logger: console }).run().then(() => {
        live(event(2));
        live(event(5));
        live({ ...event(6), name: 'job.finished' });
        live(event(7));
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const client = await SseClient.open(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
      expect(ids(await client.events())).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await client.endedByServer()).toBe(true);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('waits for the socket to drain before writing more, and releases its listener and timers when the client leaves', async () => {
    vi.useFakeTimers();
    try {
      const res = new FakeResponse();
      let live: ((e: StoredEvent) => void) | undefined;
      const feed = { onRecorded: (listener: (e: StoredEvent) => void) => ((live = listener), () => (live = undefined)) };
      const store = { listEvents: () => Promise.resolve([]), listAllEvents: () => Promise.resolve([]), getJob: () => Promise.resolve(undefined) };
      const stream = new EventStream(res as unknown as ServerResponse, feed, store, { pingMs: 15_000, finishGraceMs: 10, logger: console });
      await stream.run();
      expect(vi.getTimerCount()).toBe(1);
      res.full = true;
      for (const id of [1, 2, 3]) live?.({ id, jobId: 'j', name: 'source.progress', data: {}, at: '' });
      await vi.advanceTimersByTimeAsync(0);
      expect(res.events()).toEqual([1]);
      res.full = false;
      res.emit('drain');
      await vi.advanceTimersByTimeAsync(0);
      expect(res.events()).toEqual([1, 2, 3]);
      await vi.advanceTimersByTimeAsync(15_000);
      expect(res.chunks.at(-1)).toBe(': ping\n\n');
      res.emit('close');
      expect(live).toBeUndefined();
      expect(vi.getTimerCount()).toBe(0);
      expect(res.writableEnded).toBe(true);
      await stream.closed;
    } finally {
      vi.useRealTimers();
    }
  });

  it('frames an event as id, event and one data line', () => {
    expect(formatEvent({ id: 7, jobId: 'j', name: 'alert', data: { jobId: 'j', message: 'two\nlines' }, at: '' })).toBe('id: 7\nevent: alert\ndata: {"jobId":"j","message":"two\\nlines"}\n\n');
  });
});

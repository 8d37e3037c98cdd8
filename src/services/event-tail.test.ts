import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventFeed } from '../engine/event-recorder.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite.store.js';
import type { StoredEvent } from '../store/store.js';
import { EventTail, TAIL_POLL_MS } from './event-tail.js';

const job = (id: string) => ({
  id,
  query: 'q',
  type: 'image' as const,
  limit: 1,
  outDir: 'out',
  budgets: { requestMs: 1000, sourceMs: 2000, jobMs: 3000 },
  sources: [],
  createdAt: new Date().toISOString(),
});

/** A local feed the test fires by hand (this process's recorder). */
class ManualFeed implements EventFeed {
  readonly listeners = new Set<(event: StoredEvent) => void>();
  onRecorded(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  fire(event: StoredEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

const until = async (what: string, check: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('EventTail', () => {
  let dir: string;
  let mine: SqliteStore;
  let other: SqliteStore;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'trawl-tail-'));
    mine = openSqliteStore(path.join(dir, 'trawl.db'));
    await mine.migrate();
    other = openSqliteStore(path.join(dir, 'trawl.db'));
    await mine.createJob(job('j1'));
  });
  afterEach(async () => {
    await mine.close();
    await other.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("delivers another process's events from the newest at start, in id order, each once", async () => {
    await other.appendEvent('j1', 'before.start', {});
    const tail = new EventTail(mine, new ManualFeed(), (err) => { throw err; });
    const seen: StoredEvent[] = [];
    tail.onRecorded((event) => seen.push(event));
    await tail.start();
    const ids: number[] = [];
    for (let n = 0; n < 5; n++) ids.push(await other.appendEvent('j1', `e${n}`, { n }));
    await until('five events', () => seen.length >= 5);
    await new Promise((resolve) => setTimeout(resolve, TAIL_POLL_MS * 2));
    expect(seen.map((event) => event.id)).toEqual(ids);
    expect(seen.map((event) => event.name)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    await tail.stop();
  });

  it('reads at once when this process records an event, without waiting for the poll', async () => {
    const local = new ManualFeed();
    const tail = new EventTail(mine, local, (err) => { throw err; });
    const seen: StoredEvent[] = [];
    tail.onRecorded((event) => seen.push(event));
    await tail.start();
    const id = await mine.appendEvent('j1', 'local', {});
    const started = Date.now();
    local.fire({ id, jobId: 'j1', name: 'local', data: {}, at: new Date().toISOString() });
    await until('the local event', () => seen.length === 1);
    expect(Date.now() - started).toBeLessThan(TAIL_POLL_MS);
    await tail.stop();
    expect(local.listeners.size).toBe(0);
  });

  it('pages through a long backlog and stops delivering once stopped', async () => {
    const tail = new EventTail(mine, new ManualFeed(), (err) => { throw err; });
    const seen: StoredEvent[] = [];
    tail.onRecorded((event) => seen.push(event));
    await tail.start();
    for (let n = 0; n < 1200; n++) await other.appendEvent('j1', 'bulk', { n });
    await until('1200 events', () => seen.length === 1200);
    expect(seen.every((event, n) => n === 0 || event.id > (seen[n - 1]?.id ?? 0))).toBe(true);
    await tail.stop();
    await other.appendEvent('j1', 'after.stop', {});
    await new Promise((resolve) => setTimeout(resolve, TAIL_POLL_MS * 2));
    expect(seen).toHaveLength(1200);
  });
});

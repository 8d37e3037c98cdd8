import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SERVER_URL, createTestDatabase, postgresUnavailable } from '../../../test/support/postgres.js';
import { describeStoreConformance } from '../store.conformance.js';
import type { NewJob } from '../store.js';
import { maskDatabaseUrl } from './postgres-errors.js';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../sqlite/migrations.js';
import { MIGRATIONS } from './postgres-migrations.js';
import { openPostgresStore, type PostgresStore } from './postgres.store.js';

const problem = await postgresUnavailable();
const skipped = problem === undefined ? undefined : `skipped: ${problem}`;
if (skipped !== undefined) console.warn(`postgres.store.test.ts ${skipped}`);

const drops: Array<() => Promise<void>> = [];
/** A new, empty database on the test server (dropped after the file); its URL. */
async function freshDatabase(): Promise<string> {
  const db = await createTestDatabase();
  drops.push(() => db.drop());
  return db.url;
}

// Dropping a database forces a checkpoint, which a busy machine can make slow: drop them all at
// once, and give it time.
const DROP_TIMEOUT_MS = 60_000;
afterAll(async () => {
  await Promise.all(drops.splice(0).map((drop) => drop()));
}, DROP_TIMEOUT_MS);

if (skipped === undefined) {
  const conformanceUrl = await freshDatabase();
  describeStoreConformance('PostgresStore (conformance)', () => Promise.resolve(openPostgresStore(conformanceUrl)));
} else {
  describe.skip(`PostgresStore (conformance) — ${skipped}`, () => {
    it('passes the store conformance suite', () => undefined);
  });
}

const newJob = (id: string, createdAt: string): NewJob => ({
  id,
  query: 'fox',
  type: 'image',
  limit: 1,
  outDir: 'out',
  budgets: { requestMs: 1000, sourceMs: 2000, jobMs: 3000 },
  sources: [],
  createdAt,
});

const at = (n: number): string => new Date(Date.UTC(2030, 0, 1, 0, 0, n)).toISOString();

/** Resolves once `count` calls were made to the returned listener. */
function callCounter(): { listener: () => void; calls: () => number; reach: (count: number) => Promise<void> } {
  let calls = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  return {
    listener: () => {
      calls++;
      for (const wait of waiting.filter((w) => w.count <= calls)) wait.resolve();
    },
    calls: () => calls,
    reach: (count) => (calls >= count ? Promise.resolve() : new Promise((resolve) => waiting.push({ count, resolve }))),
  };
}

describe.skipIf(skipped !== undefined)(`PostgresStore (PostgreSQL specifics)${skipped === undefined ? '' : ` — ${skipped}`}`, () => {
  const opened: PostgresStore[] = [];
  const open = (url: string, poolSize = 2): PostgresStore => {
    const store = openPostgresStore(url, { poolSize });
    opened.push(store);
    return store;
  };
  /** A fresh migrated database (so its queue holds only what the test puts there), and a store on it. */
  const migrated = async (): Promise<{ url: string; store: PostgresStore }> => {
    const url = await freshDatabase();
    const store = open(url);
    await store.migrate();
    return { url, store };
  };
  let shared: string;
  /** A store on the database the tests share that need no empty queue (created once, migrated). */
  const onShared = (poolSize = 2): PostgresStore => open(shared, poolSize);
  beforeAll(async () => {
    shared = (await migrated()).url;
  }, DROP_TIMEOUT_MS);
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it('claims 20 queued jobs exactly once between 4 claimers on separate pools, oldest first', async () => {
    const { url, store } = await migrated();
    const ids = Array.from({ length: 20 }, (_, n) => `job-${String(n).padStart(2, '0')}`);
    for (const [n, id] of ids.entries()) await store.createJob(newJob(id, at(n)));
    const claimers = ['w1', 'w2', 'w3', 'w4'].map((owner) => ({ owner, store: open(url), taken: [] as string[] }));
    await Promise.all(
      claimers.map(async (claimer) => {
        for (;;) {
          const claim = await claimer.store.claimNextJob(claimer.owner, at(100));
          if (claim === undefined) return;
          expect(claim.lease.owner).toBe(claimer.owner);
          claimer.taken.push(claim.jobId);
        }
      }),
    );
    expect(claimers.flatMap((claimer) => claimer.taken).sort()).toEqual(ids);
    for (const claimer of claimers) {
      expect(claimer.taken).toEqual([...claimer.taken].sort());
      for (const id of claimer.taken) expect(await store.getJob(id)).toMatchObject({ status: 'running', worker: claimer.owner, startedAt: at(100) });
    }
  });

  it('passes over a job another transaction has locked instead of waiting for it', async () => {
    const { url, store } = await migrated();
    await store.createJob(newJob('old', at(0)));
    await store.createJob(newJob('new', at(1)));
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT id FROM jobs WHERE id = 'old' FOR UPDATE");
      const started = performance.now();
      const first = await store.claimNextJob('w1', at(5));
      expect(performance.now() - started).toBeLessThan(5000);
      expect(first).toEqual({ jobId: 'new', lease: { owner: 'w1', version: 1 } });
      await holder.query('ROLLBACK');
      expect((await store.claimNextJob('w2', at(6)))?.jobId).toBe('old');
      expect(await store.claimNextJob('w3', at(7))).toBeUndefined();
    } finally {
      await holder.end();
    }
  });

  it('gives a job claimed by id from two stores at once to exactly one of them', async () => {
    const [store, other] = [onShared(), onShared()];
    for (let n = 0; n < 10; n++) {
      const id = `race-${randomUUID()}`;
      await store.createJob(newJob(id, at(n)));
      const claims = await Promise.all([store.claimJob(id, 'wa', at(50)), other.claimJob(id, 'wb', at(50))]);
      const winners = claims.filter((lease) => lease !== undefined);
      expect(winners).toHaveLength(1);
      expect((await store.getJob(id))?.worker).toBe(winners[0]?.owner);
    }
  });

  it('migrates a new database once when several stores migrate at the same moment', async () => {
    const url = await freshDatabase();
    const stores = [open(url), open(url), open(url), open(url)];
    expect((await stores[0]?.pendingMigrations())?.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await Promise.all(stores.map((store) => store.migrate()));
    for (const store of stores) expect(await store.pendingMigrations()).toEqual([]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const rows = await client.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows.rows).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    } finally {
      await client.end();
    }
  });

  it("tells another store's listener of every appended event, until it unsubscribes", async () => {
    const [writer, reader] = [onShared(), onShared()];
    const job = `notify-${randomUUID()}`;
    await writer.createJob(newJob(job, at(0)));
    const before = await reader.latestEventId();
    const first = callCounter();
    const second = callCounter();
    const unsubscribe = await reader.onEventsAppended(first.listener);
    await reader.onEventsAppended(second.listener);
    const id = await writer.appendEvent(job, 'job.started', { n: 1 });
    await first.reach(1);
    expect((await reader.listAllEvents(before, 10)).map((event) => event.id)).toEqual([id]);
    await unsubscribe();
    await unsubscribe();
    await writer.appendEvent(job, 'job.finished', { n: 2 });
    await second.reach(2);
    expect(first.calls()).toBe(1);
  });

  it('calls a listener once more, and then never, when its connection is cut', async () => {
    const store = onShared();
    const job = `cut-${randomUUID()}`;
    await store.createJob(newJob(job, at(0)));
    const counter = callCounter();
    await store.onEventsAppended(counter.listener);
    const killer = new pg.Client({ connectionString: shared });
    await killer.connect();
    try {
      const killed = await killer.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN trawl_events'");
      expect(killed.rowCount).toBe(1);
    } finally {
      await killer.end();
    }
    await counter.reach(1);
    const witness = callCounter();
    await store.onEventsAppended(witness.listener);
    await store.appendEvent(job, 'after.cut', null);
    await witness.reach(1);
    expect(counter.calls()).toBe(1);
  });

  it('makes event ids visible in id order: a tailer of "events after id X" misses none', async () => {
    const store = onShared();
    const writers = [store, onShared(4), onShared(4)];
    const job = `order-${randomUUID()}`;
    await store.createJob(newJob(job, at(0)));
    const start = await store.latestEventId();
    const seen: number[] = [start];
    let writing = true;
    const tail = async (): Promise<void> => {
      for (;;) {
        const done = !writing;
        const page = await store.listAllEvents(seen.at(-1), 1000);
        seen.push(...page.map((event) => event.id));
        if (done && page.length === 0) return;
      }
    };
    const tailing = tail();
    await Promise.all(writers.flatMap((writer) => Array.from({ length: 4 }, async () => {
      for (let n = 0; n < 25; n++) await writer.appendEvent(job, 'tick', { n });
    })));
    writing = false;
    await tailing;
    const all = (await store.listEvents(job)).map((event) => event.id);
    expect(all).toHaveLength(300);
    expect(seen).toEqual([start, ...all]);
  });

  it('masks the password of the database URL in every error', async () => {
    const secret = 's3cret-Pa55';
    const refused = openPostgresStore(`postgres://trawl:${secret}@127.0.0.1:1/trawl`);
    opened.push(refused);
    const err: unknown = await refused.migrate().catch((caught: unknown) => caught);
    expect(err).toMatchObject({ code: 'TRAWL_DATABASE', message: expect.stringContaining('postgres://trawl:***@127.0.0.1:1/trawl') as string });
    expect(JSON.stringify({ message: (err as Error).message, context: (err as { context: unknown }).context })).not.toContain(secret);
    expect(maskDatabaseUrl(`postgresql://u:${secret}@127.0.0.1/db?password=${secret}&sslmode=disable`)).toBe('postgresql://u:***@127.0.0.1/db?password=***&sslmode=disable');
    expect(maskDatabaseUrl('postgres://u@127.0.0.1/db')).toBe('postgres://u@127.0.0.1/db');
    expect(() => openPostgresStore(`postgres://u:${secret}@[bad/db`)).toThrow(expect.objectContaining({ code: 'TRAWL_BAD_CONFIG', message: expect.not.stringContaining(secret) as string }));
  });

  it('says TRAWL_DATABASE for a database that does not exist', async () => {
    const url = new URL(TEST_SERVER_URL);
    url.pathname = `/trawl_absent_${randomUUID().slice(0, 8)}`;
    const store = openPostgresStore(url.toString());
    opened.push(store);
    await expect(store.getJob('x')).rejects.toMatchObject({ code: 'TRAWL_DATABASE', message: expect.stringContaining('does not exist') as string });
  });
});

describe('PostgreSQL migrations', () => {
  it('are the SQLite migrations, version by version and name by name', () => {
    expect(MIGRATIONS.map(({ version, name }) => ({ version, name }))).toEqual(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
  });
});

/**
 * The PostgreSQL store: a `pg.Pool` behind Kysely's PostgresDialect, for several processes on
 * several machines sharing one database. Queries come from `../queries.ts` and
 * `../lease-queries.ts` (shared with SQLite); every write SQLite makes in one transaction is one
 * transaction here, and every fenced write starts with the lease check, whose UPDATE row-locks the
 * job until the write commits. Event ids become visible in id order, and each append is announced
 * with NOTIFY (see `onEventsAppended`).
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { ErrorInfo, Item, ItemFailure, Job, SourceRun } from '../../domain.js';
import { TrawlError, type ErrorContext } from '../../errors.js';
import * as q from '../queries.js';
import { rowToEvent, rowToFailure, rowToItem, rowToJob, rowToQuota, rowToSourceOutcome, rowToSourceRun, type Database, type JobRowWithCounts } from '../schema.js';
import type { CancelOutcome, EventLogTail, JobFilter, JobPatch, Lease, NewEvent, NewJob, Store, StuckJobClose, StoredEvent, StoredQuota, StoredSourceOutcome } from '../store.js';
import { maskDatabaseUrl, toStoreError } from './postgres-errors.js';
import * as leases from './postgres-leases.js';
import { EVENTS_CHANNEL, EventSubscriptions } from './postgres-listener.js';
import type { Migration } from '../migration.js';
import { migrate, pendingMigrations } from './postgres-migrations.js';

/** How to connect to PostgreSQL. */
export interface PostgresStoreOptions {
  /** The most connections this store opens at once; default 10. */
  poolSize?: number;
  /** How long opening a connection may take before the call fails with TRAWL_DATABASE; default 10000. */
  connectTimeoutMs?: number;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * The advisory lock every `appendEvent` holds from before its INSERT until it commits (an arbitrary
 * constant, Trawl's own). Appends therefore commit in the order their ids were drawn, so a reader of
 * "events after id X" can never see id X+2 before a later-committing X+1 and then miss X+1.
 */
const EVENT_APPEND_LOCK = 7_310_002;

// BIGINT (ids, byte counts, COUNT(*)) would come back as strings; every such value Trawl stores is
// far below 2^53, so plain numbers are exact.
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/**
 * A store on the PostgreSQL database at `url` (postgres:// or postgresql://). Connects lazily: a
 * server that cannot be reached fails the first call with TRAWL_DATABASE. Call `migrate()` before
 * first use.
 * @throws TrawlError TRAWL_BAD_CONFIG when `url` is not a URL or the pool size is not a positive integer.
 */
export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): PostgresStore {
  const masked = maskDatabaseUrl(url);
  if (!URL.canParse(url)) throw new TrawlError('TRAWL_BAD_CONFIG', `TRAWL_DATABASE_URL=${masked}: not a valid postgres:// URL`);
  const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isInteger(poolSize) || poolSize < 1) throw new TrawlError('TRAWL_BAD_CONFIG', `PostgreSQL pool size must be a positive integer, got ${poolSize}`);
  const client: pg.ClientConfig = { connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, types };
  return new PostgresStore(client, poolSize, masked);
}

/** The Store on PostgreSQL; get one from `openPostgresStore`. */
export class PostgresStore implements Store {
  private readonly db: Kysely<Database>;
  private readonly subscriptions: EventSubscriptions;
  private closed = false;

  /**
   * Opens a pool of up to `poolSize` connections made with `client`; `maskedUrl` names the database
   * in errors. Prefer `openPostgresStore`.
   */
  constructor(
    client: pg.ClientConfig,
    poolSize: number,
    private readonly maskedUrl: string,
  ) {
    this.subscriptions = new EventSubscriptions(client);
    const pool = new pg.Pool({ ...client, max: poolSize });
    // An idle connection the server drops emits 'error' on the pool, which would otherwise crash the
    // process; the pool discards that connection and the next call opens a new one.
    pool.on('error', () => undefined);
    // A connection the server drops while it is checked out (between the statements of a
    // transaction, say) emits 'error' on its client, where nobody listens: that would crash the
    // process. The statement in flight fails with TRAWL_DATABASE anyway, and the pool discards a
    // client that is no longer queryable when it comes back.
    pool.on('connect', (connection) => connection.on('error', () => undefined));
    this.db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }

  migrate(): Promise<void> {
    return this.call('migrate the database', {}, () => migrate(this.db));
  }

  /** The migrations this database still lacks (for `trawl doctor`); changes nothing. */
  pendingMigrations(): Promise<Migration[]> {
    return this.call('read the schema version', {}, () => pendingMigrations(this.db));
  }

  createJob(job: NewJob): Promise<Job> {
    // The rows come back from the INSERTs themselves (one round trip for a job without sources).
    const insert = async (db: Kysely<Database>): Promise<Job> => {
      const row = await q.insertJob(db, job).returningAll().executeTakeFirstOrThrow();
      const runs = job.sources.length === 0 ? [] : await q.insertSourceRuns(db, job.id, job.sources).returningAll().execute();
      const sources = runs.sort((a, b) => a.position - b.position).map(rowToSourceRun);
      // A job just created has no items and no failures yet.
      return rowToJob({ ...row, downloaded: 0, images: 0, videos: 0, failed: 0 }, sources);
    };
    return this.call(`create job ${job.id}`, { jobId: job.id }, () => (job.sources.length === 0 ? insert(this.db) : this.db.transaction().execute(insert)));
  }

  getJob(id: string): Promise<Job | undefined> {
    return this.call(`read job ${id}`, { jobId: id }, () => this.read((trx) => this.loadJob(trx, id)));
  }

  listJobs(filter: JobFilter = {}): Promise<Job[]> {
    return this.call('list jobs', {}, () => {
      const limit = q.jobListLimit(filter.limit);
      return this.read(async (trx) => this.loadJobs(trx, await q.selectJobPage(trx, filter.status, limit).execute()));
    });
  }

  findJobIds(prefix: string, limit: number): Promise<string[]> {
    return this.call(`find jobs whose id starts with ${prefix}`, {}, async () =>
      (await q.selectJobIdsByPrefix(this.db, prefix, q.jobIdLookupLimit(limit)).execute()).map((row) => row.id),
    );
  }

  updateJob(id: string, patch: JobPatch, lease?: Lease): Promise<void> {
    const columns = q.jobPatchToColumns(patch);
    return this.call(`update job ${id}`, { jobId: id }, async () => {
      const found = await this.db.transaction().execute(async (trx) => {
        if (lease !== undefined) await leases.fence(trx, id, lease, `update job ${id}`);
        if (Object.keys(columns).length === 0) return (await q.selectJobId(trx, id).executeTakeFirst()) !== undefined;
        return (await q.updateJob(trx, id, columns).executeTakeFirst()).numUpdatedRows > 0n;
      });
      if (!found) throw new TrawlError('TRAWL_NOT_FOUND', `cannot update job ${id}: the job does not exist`, { context: { jobId: id } });
    });
  }

  claimJob(id: string, owner: string, now: string): Promise<Lease | undefined> {
    return this.call(`claim job ${id}`, { jobId: id }, () => leases.claim(this.db, id, owner, now));
  }

  /**
   * Takes the oldest queued job (by creation time, then id) for `owner`, as `claimJob` would, in one
   * statement: concurrent callers in any process each get a different job, and none waits on
   * another. Undefined when no job is queued.
   */
  claimNextJob(owner: string, now: string): Promise<leases.ClaimedJob | undefined> {
    return this.call('claim the next queued job', { worker: owner }, () => leases.claimNext(this.db, owner, now));
  }

  renewLease(id: string, lease: Lease, now: string): Promise<boolean> {
    return this.call(`heartbeat job ${id}`, { jobId: id }, () => leases.renew(this.db, id, lease, now));
  }

  requestCancel(id: string, reason: ErrorInfo, now: string): Promise<{ outcome: CancelOutcome; job: Job }> {
    return this.call(`cancel job ${id}`, { jobId: id }, () =>
      this.db.transaction().execute(async (trx) => {
        const outcome = await leases.requestCancel(trx, id, reason, now);
        const job = await this.loadJob(trx, id);
        if (job === undefined) throw new TrawlError('TRAWL_INTERNAL', `job ${id} vanished while it was being cancelled`);
        return { outcome, job };
      }),
    );
  }

  getCancelRequest(id: string): Promise<string | null> {
    return this.call(`read the cancel request of job ${id}`, { jobId: id }, () => leases.cancelRequest(this.db, id));
  }

  closeStuckJob(id: string, close: StuckJobClose): Promise<boolean> {
    return this.call(`close stuck job ${id}`, { jobId: id }, () => this.db.transaction().execute((trx) => leases.closeStuck(trx, id, close)));
  }

  saveSourceRun(jobId: string, run: SourceRun, lease?: Lease): Promise<void> {
    const what = `save source run ${run.source} of job ${jobId}`;
    return this.call(what, { jobId, source: run.source }, () => this.fenced(jobId, lease, what, (trx) => q.upsertSourceRun(trx, jobId, run).execute()));
  }

  addItem(item: Item, lease?: Lease): Promise<void> {
    const what = `add item ${item.id} to job ${item.jobId}`;
    return this.call(what, { jobId: item.jobId, source: item.source, url: item.url }, () => this.fenced(item.jobId, lease, what, (trx) => q.insertItem(trx, item).execute()));
  }

  listItems(jobId: string): Promise<Item[]> {
    return this.call(`list items of job ${jobId}`, { jobId }, async () => (await q.selectItems(this.db, jobId).execute()).map(rowToItem));
  }

  getItem(id: string): Promise<Item | undefined> {
    return this.call(`read item ${id}`, { itemId: id }, async () => {
      const row = await q.selectItem(this.db, id).executeTakeFirst();
      return row === undefined ? undefined : rowToItem(row);
    });
  }

  addFailure(jobId: string, failure: ItemFailure, lease?: Lease): Promise<void> {
    const createdAt = new Date().toISOString();
    const what = `record a failure of job ${jobId}`;
    return this.call(what, { jobId, source: failure.source, url: failure.url }, () => this.fenced(jobId, lease, what, (trx) => q.insertFailure(trx, jobId, failure, createdAt).execute()));
  }

  listFailures(jobId: string): Promise<ItemFailure[]> {
    return this.call(`list failures of job ${jobId}`, { jobId }, async () => (await q.selectFailures(this.db, jobId).execute()).map(rowToFailure));
  }

  /** Appends the event, and announces its id on `trawl_events` when it commits (see `onEventsAppended`). */
  async appendEvent(jobId: string, name: string, data: unknown): Promise<number> {
    const [id] = await this.appendEvents([{ jobId, name, data }]);
    if (id === undefined) throw new TrawlError('TRAWL_INTERNAL', `appending event ${name} of job ${jobId} returned no id`);
    return id;
  }

  /**
   * Appends the events in one transaction, in order, and announces the last id on `trawl_events`
   * when it commits (see `onEventsAppended`). All or none: an event of an unknown job (TRAWL_NOT_FOUND)
   * appends nothing.
   */
  appendEvents(events: readonly NewEvent[]): Promise<number[]> {
    const at = new Date().toISOString();
    const first = events[0];
    if (first === undefined) return Promise.resolve([]);
    return this.call(`append ${events.length} event(s) to the event log`, { jobId: first.jobId, event: first.name }, () =>
      this.db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${EVENT_APPEND_LOCK})`.execute(trx);
        const ids: number[] = [];
        // One INSERT each: the ids are drawn, and returned, in exactly the order given.
        for (const { jobId, name, data } of events) ids.push(Number((await q.insertEvent(trx, jobId, name, data, at).executeTakeFirstOrThrow()).id));
        await sql`SELECT pg_notify(${EVENTS_CHANNEL}, ${String(ids.at(-1))})`.execute(trx);
        return ids;
      }),
    );
  }

  listEvents(jobId: string, afterId?: number): Promise<StoredEvent[]> {
    return this.call(`list events of job ${jobId}`, { jobId }, async () => (await q.selectEvents(this.db, jobId, afterId).execute()).map(rowToEvent));
  }

  tailEvents(jobId: string, limit: number): Promise<EventLogTail> {
    return this.call(`read the last events of job ${jobId}`, { jobId }, async () => {
      q.checkEventLimit(limit);
      // Listed first, counted second: an event appended in between is counted, never listed without being counted.
      const events = (await q.selectLastEvents(this.db, jobId, limit).execute()).map(rowToEvent).reverse();
      const total = Number((await q.countEvents(this.db, jobId).executeTakeFirst())?.count ?? 0);
      return { events, total };
    });
  }

  listAllEvents(afterId: number | undefined, limit: number): Promise<StoredEvent[]> {
    return this.call('list events of every job', {}, async () => {
      q.checkEventLimit(limit);
      return (await q.selectAllEvents(this.db, afterId, limit).execute()).map(rowToEvent);
    });
  }

  /** The newest committed event's id, or 0; every smaller id is committed too (see `appendEvent`). */
  latestEventId(): Promise<number> {
    return this.call('read the newest event id', {}, async () => Number((await q.selectLatestEventId(this.db).executeTakeFirst())?.id ?? 0));
  }

  /**
   * Calls `listener` (no arguments) each time any process appends an event to this database, once the
   * event is readable: re-read with `listEvents`/`listAllEvents` after the last id seen. Notifications
   * may come in bursts and are not a count; a listener that falls behind loses nothing by reading
   * once. If the dedicated connection fails, the listener is called one last time and then no more:
   * subscribe again (or poll) to keep following. Resolves to the unsubscribe function.
   * @throws TrawlError TRAWL_DATABASE when the listening connection cannot be opened.
   */
  onEventsAppended(listener: () => void): Promise<() => Promise<void>> {
    return this.call('listen for new events', {}, () => {
      if (this.closed) throw new TrawlError('TRAWL_INTERNAL', 'cannot listen for new events: the store is closed');
      return this.subscriptions.add(listener);
    });
  }

  saveQuota(quota: StoredQuota): Promise<void> {
    return this.call(`save the quota of ${quota.source}`, { source: quota.source }, async () => {
      await q.upsertQuota(this.db, quota).execute();
    });
  }

  listQuotas(): Promise<StoredQuota[]> {
    return this.call('list source quotas', {}, async () => (await q.selectQuotas(this.db).execute()).map(rowToQuota));
  }

  addSourceOutcome(outcome: StoredSourceOutcome, keep: number): Promise<void> {
    return this.call(`record an outcome of ${outcome.source}`, { source: outcome.source, jobId: outcome.jobId }, async () => {
      if (!Number.isInteger(keep) || keep < 1) throw new TrawlError('TRAWL_BAD_INPUT', `outcomes to keep must be a positive integer, got ${keep}`);
      await this.db.transaction().execute(async (trx) => {
        await q.insertSourceOutcome(trx, outcome).execute();
        await q.pruneSourceOutcomes(trx, outcome.source, keep).execute();
      });
    });
  }

  listSourceOutcomes(): Promise<StoredSourceOutcome[]> {
    return this.call('list source outcomes', {}, async () => (await q.selectSourceOutcomes(this.db).execute()).map(rowToSourceOutcome));
  }

  /** Ends the event subscriptions and the pool, waiting for calls in flight; calling it again does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.subscriptions.closeAll();
    await this.db.destroy();
  }

  /** Runs `write` in a transaction, after the lease check when there is a lease. */
  private fenced(jobId: string, lease: Lease | undefined, what: string, write: (trx: Kysely<Database>) => Promise<unknown>): Promise<void> {
    return this.db.transaction().execute(async (trx) => {
      if (lease !== undefined) await leases.fence(trx, jobId, lease, what);
      await write(trx);
    });
  }

  /** Runs several reads against one snapshot, so a job and its source runs agree. */
  private read<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
  }

  private async loadJob(db: Kysely<Database>, id: string): Promise<Job | undefined> {
    const row = await q.selectJob(db, id).executeTakeFirst();
    return row === undefined ? undefined : (await this.loadJobs(db, [row]))[0];
  }

  /** Jobs from their rows, with every job's source runs fetched in one query. */
  private async loadJobs(db: Kysely<Database>, rows: JobRowWithCounts[]): Promise<Job[]> {
    if (rows.length === 0) return [];
    const runs = new Map<string, SourceRun[]>();
    for (const row of await q.selectSourceRuns(db, rows.map((job) => job.id)).execute()) {
      const list = runs.get(row.job_id) ?? [];
      list.push(rowToSourceRun(row));
      runs.set(row.job_id, list);
    }
    return rows.map((row) => rowToJob(row, runs.get(row.id) ?? []));
  }

  /** Runs store work; any failure becomes a rejected Trawl error, the database named by its masked URL. */
  private async call<T>(what: string, context: ErrorContext, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw toStoreError(err, what, this.maskedUrl, context);
    }
  }
}

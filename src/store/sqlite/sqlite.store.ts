/**
 * The SQLite store: one better-sqlite3 connection to a file in WAL mode. Queries come from
 * `../queries.ts` (shared with other adapters) and run synchronously; every write is one short
 * `BEGIN IMMEDIATE` transaction with no await inside, so several processes can share the file and a
 * busy writer makes the others wait (busy_timeout) instead of fail.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { ErrorInfo, Item, ItemFailure, Job, SourceRun } from '../../domain.js';
import { TrawlError, type ErrorContext } from '../../errors.js';
import * as q from '../queries.js';
import { rowToEvent, rowToFailure, rowToItem, rowToJob, rowToQuota, rowToSourceOutcome, rowToSourceRun, type Database as Schema, type JobRowWithCounts } from '../schema.js';
import type { CancelOutcome, EventLogTail, JobFilter, JobPatch, Lease, NewEvent, NewJob, OwnJobCancel, Store, StuckJobClose, StoredEvent, StoredQuota, StoredSourceOutcome } from '../store.js';
import type { Migration } from '../migration.js';
import { migrate, pendingMigrations } from './migrations.js';
import { createSqliteQueryBuilder, SqliteExecutor } from './sqlite-executor.js';
import { SqliteLeases } from './sqlite-leases.js';
import { openFailure, toStoreError } from './sqlite-errors.js';

/** How to open the SQLite file. */
export interface SqliteStoreOptions {
  /** How long a statement waits for another connection's lock before failing; default 5000. */
  busyTimeoutMs?: number;
  /** Open an existing file for reading only (doctor, inspection); writes and migrate() fail. */
  readonly?: boolean;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const builder: Kysely<Schema> = createSqliteQueryBuilder();

/**
 * Opens (creating it and its directory when needed) the SQLite database at `file`. Call `migrate()`
 * before first use.
 * @throws TrawlError TRAWL_DISK when the file cannot be opened or created, TRAWL_DATABASE when the
 * platform has no SQLite binary.
 */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteStore {
  const readonly = options.readonly ?? false;
  const timeout = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  try {
    if (!readonly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file, { readonly, fileMustExist: readonly, timeout });
    // journal_mode is stored in the file, so a read-only connection uses whatever the writers set.
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${timeout}`);
    db.pragma('foreign_keys = ON');
    // In WAL mode NORMAL only risks the last commits on power loss, never corruption.
    db.pragma('synchronous = NORMAL');
    return new SqliteStore(db);
  } catch (err) {
    throw openFailure(err, file);
  }
}

/** The Store on SQLite; get one from `openSqliteStore`. */
export class SqliteStore implements Store {
  private readonly executor: SqliteExecutor;
  private readonly leases: SqliteLeases;

  /** Wraps an open, configured connection; prefer `openSqliteStore`. */
  constructor(private readonly db: BetterSqlite3.Database) {
    this.executor = new SqliteExecutor(db);
    this.leases = new SqliteLeases(this.executor, builder);
  }

  migrate(): Promise<void> {
    return this.call('migrate the database', {}, () => migrate(this.db));
  }

  /** The migrations this file still lacks (for `trawl doctor`); works on a read-only store. */
  pendingMigrations(): Promise<Migration[]> {
    return this.call('read the schema version', {}, () => pendingMigrations(this.db));
  }

  createJob(job: NewJob): Promise<Job> {
    return this.call(`create job ${job.id}`, { jobId: job.id }, () =>
      this.executor.write(() => {
        this.executor.run(q.insertJob(builder, job));
        if (job.sources.length > 0) this.executor.run(q.insertSourceRuns(builder, job.id, job.sources));
        const created = this.loadJob(job.id);
        if (created === undefined) throw new TrawlError('TRAWL_INTERNAL', `job ${job.id} vanished while it was being created`);
        return created;
      }),
    );
  }

  getJob(id: string): Promise<Job | undefined> {
    return this.call(`read job ${id}`, { jobId: id }, () => this.executor.read(() => this.loadJob(id)));
  }

  listJobs(filter: JobFilter = {}): Promise<Job[]> {
    return this.call('list jobs', {}, () => {
      const page = q.selectJobPage(builder, filter.status, q.jobListLimit(filter.limit));
      return this.executor.read(() => this.loadJobs(this.executor.all(page)));
    });
  }

  findJobIds(prefix: string, limit: number): Promise<string[]> {
    return this.call(`find jobs whose id starts with ${prefix}`, {}, () =>
      this.executor.all(q.selectJobIdsByPrefix(builder, prefix, q.jobIdLookupLimit(limit))).map((row) => row.id),
    );
  }

  updateJob(id: string, patch: JobPatch, lease?: Lease): Promise<void> {
    const columns = q.jobPatchToColumns(patch);
    return this.call(`update job ${id}`, { jobId: id }, () => {
      const found = this.executor.write(() => {
        if (lease !== undefined) this.leases.fence(id, lease, `update job ${id}`);
        return Object.keys(columns).length === 0
          ? this.executor.first(q.selectJobId(builder, id)) !== undefined
          : this.executor.run(q.updateJob(builder, id, columns)) > 0;
      });
      if (!found) throw new TrawlError('TRAWL_NOT_FOUND', `cannot update job ${id}: the job does not exist`, { context: { jobId: id } });
    });
  }

  claimJob(id: string, owner: string, now: string): Promise<Lease | undefined> {
    return this.call(`claim job ${id}`, { jobId: id }, () => this.executor.write(() => this.leases.claim(id, owner, now)));
  }

  claimNextJob(owner: string, now: string): Promise<{ jobId: string; lease: Lease } | undefined> {
    return this.call('claim the next queued job', {}, () => this.executor.write(() => this.leases.claimNext(owner, now)));
  }

  renewLease(id: string, lease: Lease, now: string): Promise<boolean> {
    return this.call(`heartbeat job ${id}`, { jobId: id }, () => this.executor.write(() => this.leases.renew(id, lease, now)));
  }

  requestCancel(id: string, reason: ErrorInfo, now: string): Promise<{ outcome: CancelOutcome; job: Job }> {
    return this.call(`cancel job ${id}`, { jobId: id }, () =>
      this.executor.write(() => {
        const outcome = this.leases.requestCancel(id, reason, now);
        const job = this.loadJob(id);
        if (job === undefined) throw new TrawlError('TRAWL_INTERNAL', `job ${id} vanished while it was being cancelled`);
        return { outcome, job };
      }),
    );
  }

  /** Synchronous, unlike every other method: see `Store.cancelOwnJobNow`. Throws the store's TrawlError. */
  cancelOwnJobNow(id: string, close: OwnJobCancel): boolean {
    try {
      return this.executor.write(() => {
        if (!this.leases.cancelOwn(id, close)) return false;
        const job = this.loadJob(id);
        if (job !== undefined) this.executor.first(q.insertEvent(builder, id, 'job.finished', { jobId: id, job }, close.now));
        return true;
      });
    } catch (err) {
      throw toStoreError(err, `cancel job ${id}`, { jobId: id });
    }
  }

  getCancelRequest(id: string): Promise<string | null> {
    return this.call(`read the cancel request of job ${id}`, { jobId: id }, () => this.leases.cancelRequest(id));
  }

  closeStuckJob(id: string, close: StuckJobClose): Promise<boolean> {
    return this.call(`close stuck job ${id}`, { jobId: id }, () => this.executor.write(() => this.leases.closeStuck(id, close)));
  }

  saveSourceRun(jobId: string, run: SourceRun, lease?: Lease): Promise<void> {
    const what = `save source run ${run.source} of job ${jobId}`;
    return this.call(what, { jobId, source: run.source }, () => {
      this.executor.write(() => {
        if (lease !== undefined) this.leases.fence(jobId, lease, what);
        this.executor.run(q.upsertSourceRun(builder, jobId, run));
      });
    });
  }

  addItem(item: Item, lease?: Lease): Promise<void> {
    const what = `add item ${item.id} to job ${item.jobId}`;
    return this.call(what, { jobId: item.jobId, source: item.source, url: item.url }, () => {
      this.executor.write(() => {
        if (lease !== undefined) this.leases.fence(item.jobId, lease, what);
        this.executor.run(q.insertItem(builder, item));
      });
    });
  }

  listItems(jobId: string): Promise<Item[]> {
    return this.call(`list items of job ${jobId}`, { jobId }, () => this.executor.all(q.selectItems(builder, jobId)).map(rowToItem));
  }

  getItem(id: string): Promise<Item | undefined> {
    return this.call(`read item ${id}`, { itemId: id }, () => {
      const row = this.executor.first(q.selectItem(builder, id));
      return row === undefined ? undefined : rowToItem(row);
    });
  }

  addFailure(jobId: string, failure: ItemFailure, lease?: Lease): Promise<void> {
    const createdAt = new Date().toISOString();
    const what = `record a failure of job ${jobId}`;
    return this.call(what, { jobId, source: failure.source, url: failure.url }, () => {
      this.executor.write(() => {
        if (lease !== undefined) this.leases.fence(jobId, lease, what);
        this.executor.run(q.insertFailure(builder, jobId, failure, createdAt));
      });
    });
  }

  listFailures(jobId: string): Promise<ItemFailure[]> {
    return this.call(`list failures of job ${jobId}`, { jobId }, () => this.executor.all(q.selectFailures(builder, jobId)).map(rowToFailure));
  }

  async appendEvent(jobId: string, name: string, data: unknown): Promise<number> {
    const [id] = await this.appendEvents([{ jobId, name, data }]);
    return id ?? 0;
  }

  appendEvents(events: readonly NewEvent[]): Promise<number[]> {
    const at = new Date().toISOString();
    const first = events[0];
    const context = first === undefined ? {} : { jobId: first.jobId, event: first.name };
    return this.call(`append ${events.length} event(s) to the event log`, context, () =>
      this.executor.write(() =>
        events.map(({ jobId, name, data }) => {
          const row = this.executor.first(q.insertEvent(builder, jobId, name, data, at));
          if (row === undefined) throw new TrawlError('TRAWL_INTERNAL', `inserting event ${name} of job ${jobId} returned no id`);
          return Number(row.id);
        }),
      ),
    );
  }

  listEvents(jobId: string, afterId?: number): Promise<StoredEvent[]> {
    return this.call(`list events of job ${jobId}`, { jobId }, () =>
      this.executor.all(q.selectEvents(builder, jobId, afterId)).map(rowToEvent),
    );
  }

  tailEvents(jobId: string, limit: number): Promise<EventLogTail> {
    return this.call(`read the last events of job ${jobId}`, { jobId }, () => {
      q.checkEventLimit(limit);
      // One snapshot: the count includes exactly the events listed and those before them.
      return this.executor.read(() => ({
        events: this.executor.all(q.selectLastEvents(builder, jobId, limit)).map(rowToEvent).reverse(),
        total: Number(this.executor.first(q.countEvents(builder, jobId))?.count ?? 0),
      }));
    });
  }

  listAllEvents(afterId: number | undefined, limit: number): Promise<StoredEvent[]> {
    return this.call('list events of every job', {}, () => {
      q.checkEventLimit(limit);
      return this.executor.all(q.selectAllEvents(builder, afterId, limit)).map(rowToEvent);
    });
  }

  latestEventId(): Promise<number> {
    return this.call('read the newest event id', {}, () => Number(this.executor.first(q.selectLatestEventId(builder))?.id ?? 0));
  }

  saveQuota(quota: StoredQuota): Promise<void> {
    return this.call(`save the quota of ${quota.source}`, { source: quota.source }, () =>
      this.executor.write(() => {
        this.executor.run(q.upsertQuota(builder, quota));
      }),
    );
  }

  listQuotas(): Promise<StoredQuota[]> {
    return this.call('list source quotas', {}, () => this.executor.all(q.selectQuotas(builder)).map(rowToQuota));
  }

  addSourceOutcome(outcome: StoredSourceOutcome, keep: number): Promise<void> {
    return this.call(`record an outcome of ${outcome.source}`, { source: outcome.source, jobId: outcome.jobId }, () => {
      if (!Number.isInteger(keep) || keep < 1) throw new TrawlError('TRAWL_BAD_INPUT', `outcomes to keep must be a positive integer, got ${keep}`);
      this.executor.write(() => {
        this.executor.run(q.insertSourceOutcome(builder, outcome));
        this.executor.run(q.pruneSourceOutcomes(builder, outcome.source, keep));
      });
    });
  }

  listSourceOutcomes(): Promise<StoredSourceOutcome[]> {
    return this.call('list source outcomes', {}, () => this.executor.all(q.selectSourceOutcomes(builder)).map(rowToSourceOutcome));
  }

  /** Closes the connection; calling it again does nothing. */
  close(): Promise<void> {
    if (this.db.open) {
      this.executor.clear();
      this.db.close();
    }
    return Promise.resolve();
  }

  private loadJob(id: string): Job | undefined {
    const row = this.executor.first(q.selectJob(builder, id));
    return row === undefined ? undefined : this.loadJobs([row])[0];
  }

  /** Jobs from their rows, with every job's source runs fetched in one query. */
  private loadJobs(rows: JobRowWithCounts[]): Job[] {
    if (rows.length === 0) return [];
    const runs = new Map<string, SourceRun[]>();
    for (const row of this.executor.all(q.selectSourceRuns(builder, rows.map((job) => job.id)))) {
      const list = runs.get(row.job_id) ?? [];
      list.push(rowToSourceRun(row));
      runs.set(row.job_id, list);
    }
    return rows.map((row) => rowToJob(row, runs.get(row.id) ?? []));
  }

  /**
   * Runs synchronous store work and settles with its result; a failure becomes a rejected Trawl
   * error (never a synchronous throw), whatever SQLite raised.
   */
  private call<T>(what: string, context: ErrorContext, work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(toStoreError(err, what, context));
    }
  }
}

/**
 * The store's queries, built with Kysely and free of dialect-specific SQL so every adapter (SQLite
 * now, PostgreSQL later) compiles the same builders with its own Kysely instance and runs them its
 * own way. Each function returns a builder; nothing here executes anything.
 */
import type { Kysely, Updateable } from 'kysely';
import type { Item, ItemFailure, JobStatus, SourceId, SourceRun } from '../domain.js';
import { eventToRow, failureToRow, itemToRow, newJobToRow, quotaToRow, sourceOutcomeToRow, sourceRunToRow, type Database, type JobsTable } from './schema.js';
import { TrawlError } from '../errors.js';
import type { JobPatch, NewJob, StoredQuota, StoredSourceOutcome } from './store.js';

/** How many jobs `listJobs` returns when the caller does not say. */
export const DEFAULT_JOB_LIST_LIMIT = 50;
/** The most jobs one `listJobs` call returns, whatever the caller asks for. */
export const MAX_JOB_LIST_LIMIT = 1000;

/**
 * The page size for `listJobs`: the default when absent, at most `MAX_JOB_LIST_LIMIT`.
 * @throws TrawlError TRAWL_BAD_INPUT when the limit is not a positive integer.
 */
export function jobListLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_JOB_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new TrawlError('TRAWL_BAD_INPUT', `job list limit must be a positive integer, got ${limit}`);
  }
  return Math.min(limit, MAX_JOB_LIST_LIMIT);
}

/** Inserts a new job row (queued, no lease). */
export function insertJob(db: Kysely<Database>, job: NewJob) {
  return db.insertInto('jobs').values(newJobToRow(job));
}

/** Inserts a new job's source runs, positioned in the order given. Only call with at least one run. */
export function insertSourceRuns(db: Kysely<Database>, jobId: string, runs: readonly SourceRun[]) {
  return db.insertInto('source_runs').values(runs.map((run, position) => sourceRunToRow(jobId, run, position)));
}

/**
 * Jobs with the counts derived from their rows: downloaded (items), images, videos and failed.
 * Correlated count subqueries run only for the jobs selected and use the `job_id` indexes, so a
 * page of jobs costs one query however many items the store holds.
 */
export function selectJobsWithCounts(db: Kysely<Database>) {
  return db
    .selectFrom('jobs')
    .selectAll('jobs')
    .select((eb) => [
      eb.selectFrom('items').select((sub) => sub.fn.countAll().as('n')).whereRef('items.job_id', '=', 'jobs.id').as('downloaded'),
      eb
        .selectFrom('items')
        .select((sub) => sub.fn.countAll().as('n'))
        .whereRef('items.job_id', '=', 'jobs.id')
        .where('items.kind', '=', 'image')
        .as('images'),
      eb
        .selectFrom('items')
        .select((sub) => sub.fn.countAll().as('n'))
        .whereRef('items.job_id', '=', 'jobs.id')
        .where('items.kind', '=', 'video')
        .as('videos'),
      eb.selectFrom('failures').select((sub) => sub.fn.countAll().as('n')).whereRef('failures.job_id', '=', 'jobs.id').as('failed'),
    ]);
}

/** One job with its counts. */
export function selectJob(db: Kysely<Database>, id: string) {
  return selectJobsWithCounts(db).where('jobs.id', '=', id);
}

/**
 * A page of jobs, newest first (ties broken by id, so pages are stable), optionally only those in
 * the given statuses. `limit` must already be clamped (see `jobListLimit`).
 */
export function selectJobPage(db: Kysely<Database>, statuses: readonly JobStatus[] | undefined, limit: number) {
  let query = selectJobsWithCounts(db);
  if (statuses !== undefined && statuses.length > 0) query = query.where('jobs.status', 'in', statuses);
  return query.orderBy('jobs.created_at', 'desc').orderBy('jobs.id', 'desc').limit(limit);
}

/** The source runs of the given jobs, each job's in its position order. Only call with ids. */
export function selectSourceRuns(db: Kysely<Database>, jobIds: readonly string[]) {
  return db.selectFrom('source_runs').selectAll().where('job_id', 'in', jobIds).orderBy('job_id').orderBy('position');
}

/** The columns a patch changes; empty when the patch changes nothing. */
export function jobPatchToColumns(patch: JobPatch): Updateable<JobsTable> {
  const columns: Updateable<JobsTable> = {};
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.startedAt !== undefined) columns.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) columns.finished_at = patch.finishedAt;
  if (patch.elapsedMs !== undefined) columns.elapsed_ms = patch.elapsedMs;
  if (patch.worker !== undefined) columns.worker = patch.worker;
  if (patch.heartbeatAt !== undefined) columns.heartbeat_at = patch.heartbeatAt;
  if (patch.error !== undefined) {
    columns.error_code = patch.error?.code ?? null;
    columns.error_message = patch.error?.message ?? null;
  }
  return columns;
}

/** Applies non-empty patch columns to one job; affects no row when the job does not exist. */
export function updateJob(db: Kysely<Database>, id: string, columns: Updateable<JobsTable>) {
  return db.updateTable('jobs').set(columns).where('id', '=', id);
}

/**
 * The most ids one `findJobIds` call returns, as asked.
 * @throws TrawlError TRAWL_BAD_INPUT when the limit is not a positive integer.
 */
export function jobIdLookupLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new TrawlError('TRAWL_BAD_INPUT', `job id lookup limit must be a positive integer, got ${limit}`);
  return limit;
}

/**
 * The ids starting with `prefix`, in id order, at most `limit`. Compared with substr rather than
 * LIKE: LIKE ignores case in SQLite and would need `%` and `_` escaped.
 */
export function selectJobIdsByPrefix(db: Kysely<Database>, prefix: string, limit: number) {
  const length = [...prefix].length;
  return db
    .selectFrom('jobs')
    .select('id')
    .where((eb) => eb(eb.fn<string>('substr', ['id', eb.lit(1), eb.lit(length)]), '=', prefix))
    .orderBy('id')
    .limit(limit);
}

/** Whether a job exists: selects its id. */
export function selectJobId(db: Kysely<Database>, id: string) {
  return db.selectFrom('jobs').select('id').where('id', '=', id);
}

/**
 * Writes a source run's state. An existing run keeps its position; a run the job did not start with
 * is appended after the others.
 */
export function upsertSourceRun(db: Kysely<Database>, jobId: string, run: SourceRun) {
  const row = sourceRunToRow(jobId, run, 0);
  return db
    .insertInto('source_runs')
    .values((eb) => ({
      ...row,
      position: eb
        .selectFrom('source_runs')
        .select((sub) => sub.fn.coalesce(sub(sub.fn.max('position'), '+', 1), sub.lit(0)).as('next'))
        .where('job_id', '=', jobId),
    }))
    .onConflict((oc) =>
      oc.columns(['job_id', 'source']).doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        found: eb.ref('excluded.found'),
        downloaded: eb.ref('excluded.downloaded'),
        failed: eb.ref('excluded.failed'),
        duplicates: eb.ref('excluded.duplicates'),
        filtered: eb.ref('excluded.filtered'),
        started_at: eb.ref('excluded.started_at'),
        finished_at: eb.ref('excluded.finished_at'),
        elapsed_ms: eb.ref('excluded.elapsed_ms'),
        budget_ms: eb.ref('excluded.budget_ms'),
        error_code: eb.ref('excluded.error_code'),
        error_message: eb.ref('excluded.error_message'),
      })),
    );
}

/** Inserts a saved item. */
export function insertItem(db: Kysely<Database>, item: Item) {
  return db.insertInto('items').values(itemToRow(item));
}

/** A job's items, oldest first. */
export function selectItems(db: Kysely<Database>, jobId: string) {
  return db.selectFrom('items').selectAll().where('job_id', '=', jobId).orderBy('created_at').orderBy('id');
}

/** One item by id. */
export function selectItem(db: Kysely<Database>, id: string) {
  return db.selectFrom('items').selectAll().where('id', '=', id);
}

/** Inserts a failed candidate, stamped `createdAt`. */
export function insertFailure(db: Kysely<Database>, jobId: string, failure: ItemFailure, createdAt: string) {
  return db.insertInto('failures').values(failureToRow(jobId, failure, createdAt));
}

/** A job's failures in the order they were recorded. */
export function selectFailures(db: Kysely<Database>, jobId: string) {
  return db.selectFrom('failures').selectAll().where('job_id', '=', jobId).orderBy('id');
}

/** Appends an event and returns its id. */
export function insertEvent(db: Kysely<Database>, jobId: string, name: string, data: unknown, at: string) {
  return db.insertInto('job_events').values(eventToRow(jobId, name, data, at)).returning('id');
}

/** A job's events in id order, only those after `afterId` when given. */
export function selectEvents(db: Kysely<Database>, jobId: string, afterId: number | undefined) {
  let query = db.selectFrom('job_events').selectAll().where('job_id', '=', jobId);
  if (afterId !== undefined) query = query.where('id', '>', afterId);
  return query.orderBy('id');
}

/** Throws TRAWL_BAD_INPUT unless `limit` is a positive integer: the size of an event page or tail. */
export function checkEventLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new TrawlError('TRAWL_BAD_INPUT', `event page limit must be a positive integer, got ${limit}`);
}

/** A job's last `limit` events, newest first. */
export function selectLastEvents(db: Kysely<Database>, jobId: string, limit: number) {
  return db.selectFrom('job_events').selectAll().where('job_id', '=', jobId).orderBy('id', 'desc').limit(limit);
}

/** How many events a job has. */
export function countEvents(db: Kysely<Database>, jobId: string) {
  return db.selectFrom('job_events').select((eb) => eb.fn.countAll().as('count')).where('job_id', '=', jobId);
}

/** A page of every job's events in id order, only those after `afterId` when given. */
export function selectAllEvents(db: Kysely<Database>, afterId: number | undefined, limit: number) {
  let query = db.selectFrom('job_events').selectAll();
  if (afterId !== undefined) query = query.where('id', '>', afterId);
  return query.orderBy('id').limit(limit);
}

/** The newest event's id (null when there is none). */
export function selectLatestEventId(db: Kysely<Database>) {
  return db.selectFrom('job_events').select((eb) => eb.fn.max('id').as('id'));
}

/** Records a source's latest quota, replacing the previous one. */
export function upsertQuota(db: Kysely<Database>, quota: StoredQuota) {
  const row = quotaToRow(quota);
  return db
    .insertInto('source_quotas')
    .values(row)
    .onConflict((oc) => oc.column('source').doUpdateSet({ remaining: row.remaining, limit_count: row.limit_count, reset_at: row.reset_at, updated_at: row.updated_at }));
}

/** Every source's latest quota. */
export function selectQuotas(db: Kysely<Database>) {
  return db.selectFrom('source_quotas').selectAll().orderBy('source');
}

/** Records one source run outcome. */
export function insertSourceOutcome(db: Kysely<Database>, outcome: StoredSourceOutcome) {
  return db.insertInto('source_outcomes').values(sourceOutcomeToRow(outcome));
}

/** Deletes a source's outcomes older than its newest `keep`. */
export function pruneSourceOutcomes(db: Kysely<Database>, source: SourceId, keep: number) {
  return db
    .deleteFrom('source_outcomes')
    .where('source', '=', source)
    .where('id', 'not in', db.selectFrom('source_outcomes').select('id').where('source', '=', source).orderBy('id', 'desc').limit(keep));
}

/** Every remembered source outcome, in the order they were added. */
export function selectSourceOutcomes(db: Kysely<Database>) {
  return db.selectFrom('source_outcomes').selectAll().orderBy('id');
}

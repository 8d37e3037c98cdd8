/**
 * The lease, fencing, cancel-request and reaping queries, built with Kysely and free of
 * dialect-specific SQL like `queries.ts`. Every condition that decides who may write is inside the
 * statement itself (a conditional UPDATE), so it holds however many processes share the database:
 * the caller only looks at how many rows changed.
 */
import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { ErrorInfo, SourceRunStatus } from '../domain.js';
import type { Database } from './schema.js';
import type { Lease, OwnJobCancel, StuckJobClose } from './store.js';

/** Source-run states that are still open: a job that ends closes them. */
const OPEN_RUN_STATUSES: readonly SourceRunStatus[] = ['pending', 'running'];

/**
 * Queued → running for `owner`, bumping the fencing version: the UPDATE without its row condition.
 * Always add `status = 'queued'` and which job (`claimQueuedJob`, or the PostgreSQL claim-next).
 */
export function claimUpdate(db: Kysely<Database>, owner: string, now: string) {
  return db.updateTable('jobs').set((eb) => ({
    status: 'running',
    worker: owner,
    heartbeat_at: now,
    started_at: now,
    cancel_requested_at: null,
    lease_version: eb(eb.ref('lease_version'), '+', 1),
  }));
}

/** Claims job `id` for `owner`. Changes one row, or none when the job is not queued. */
export function claimQueuedJob(db: Kysely<Database>, id: string, owner: string, now: string) {
  return claimUpdate(db, owner, now).where('id', '=', id).where('status', '=', 'queued');
}

/** The oldest queued job's id: the next one a worker claims. */
export function selectOldestQueuedJob(db: Kysely<Database>) {
  return db.selectFrom('jobs').select('id').where('status', '=', 'queued').orderBy('created_at').orderBy('id').limit(1);
}

/** The job's current fencing version (read right after a claim, in the same transaction). */
export function selectLeaseVersion(db: Kysely<Database>, id: string) {
  return db.selectFrom('jobs').select('lease_version').where('id', '=', id);
}

/**
 * Touches the job only while `lease` still holds it (running, same owner, same version): one row
 * changed means held. Sets nothing new, so it can open any fenced write transaction (and, on a
 * database with row locks, locks the job row until that transaction ends).
 */
export function holdLease(db: Kysely<Database>, id: string, lease: Lease) {
  return heldBy(db.updateTable('jobs').set((eb) => ({ lease_version: eb.ref('lease_version') })), id, lease);
}

/** The heartbeat: moves `heartbeat_at` to `now` while `lease` holds the job. */
export function renewLease(db: Kysely<Database>, id: string, lease: Lease, now: string) {
  return heldBy(db.updateTable('jobs').set({ heartbeat_at: now }), id, lease);
}

type JobUpdate = UpdateQueryBuilder<Database, 'jobs', 'jobs', UpdateResult>;

function heldBy(query: JobUpdate, id: string, lease: Lease): JobUpdate {
  return query.where('id', '=', id).where('worker', '=', lease.owner).where('lease_version', '=', lease.version).where('status', '=', 'running');
}

/** Ends a queued job `cancelled` with `reason`; changes no row when it is not queued. */
export function cancelQueuedJob(db: Kysely<Database>, id: string, reason: ErrorInfo, now: string) {
  return db
    .updateTable('jobs')
    .set({ status: 'cancelled', finished_at: now, error_code: reason.code, error_message: reason.message })
    .where('id', '=', id)
    .where('status', '=', 'queued');
}

/** Ends a job running under `owner` as `cancelled` (its process quits at once); no row when another holds or ended it. */
export function cancelOwnRunningJob(db: Kysely<Database>, id: string, close: OwnJobCancel) {
  return db
    .updateTable('jobs')
    .set({ status: 'cancelled', finished_at: close.now, elapsed_ms: close.elapsedMs, error_code: close.reason.code, error_message: close.reason.message })
    .where('id', '=', id)
    .where('worker', '=', close.owner)
    .where('status', '=', 'running');
}

/** Flags a running job for cancellation, keeping the first request's time; no row when it is not running. */
export function flagCancelRequested(db: Kysely<Database>, id: string, now: string) {
  return db
    .updateTable('jobs')
    .set((eb) => ({ cancel_requested_at: eb.fn.coalesce('cancel_requested_at', eb.val(now)) }))
    .where('id', '=', id)
    .where('status', '=', 'running');
}

/** When a cancel of the job was requested. */
export function selectCancelRequest(db: Kysely<Database>, id: string) {
  return db.selectFrom('jobs').select('cancel_requested_at').where('id', '=', id);
}

/**
 * Fails a running job whose last sign of life (heartbeat, else start, else creation) is older than
 * `close.staleBefore`, bumping its fencing version. ISO-8601 UTC timestamps compare as text.
 */
export function failStuckJob(db: Kysely<Database>, id: string, close: StuckJobClose) {
  return db
    .updateTable('jobs')
    .set((eb) => ({
      status: 'failed',
      finished_at: close.now,
      elapsed_ms: close.elapsedMs,
      error_code: close.error.code,
      error_message: close.error.message,
      lease_version: eb(eb.ref('lease_version'), '+', 1),
    }))
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where((eb) => eb(eb.fn.coalesce('heartbeat_at', 'started_at', 'created_at'), '<', close.staleBefore));
}

/**
 * Fails a reaped job's open source runs with `error`, counting what they saved and failed from the
 * items and failures tables: a running source only writes its counts when it ends, and its worker
 * never got there.
 */
export function failReapedSourceRuns(db: Kysely<Database>, jobId: string, error: ErrorInfo, now: string) {
  return db
    .updateTable('source_runs')
    .set((eb) => {
      const saved = eb.selectFrom('items').select((sub) => sub.fn.countAll<number>().as('n')).whereRef('items.job_id', '=', 'source_runs.job_id').whereRef('items.source', '=', 'source_runs.source');
      const failed = eb.selectFrom('failures').select((sub) => sub.fn.countAll<number>().as('n')).whereRef('failures.job_id', '=', 'source_runs.job_id').whereRef('failures.source', '=', 'source_runs.source');
      const seen = eb(saved, '+', failed);
      return {
        status: 'failed',
        finished_at: now,
        error_code: error.code,
        error_message: error.message,
        downloaded: saved,
        failed,
        found: eb.case().when('found', '<', seen).then(seen).else(eb.ref('found')).end().$notNull(),
      };
    })
    .where('job_id', '=', jobId)
    .where('status', 'in', OPEN_RUN_STATUSES);
}

/** Closes a job's still-open source runs (pending or running) with `status` and `error`. */
export function closeOpenSourceRuns(db: Kysely<Database>, jobId: string, status: SourceRunStatus, error: ErrorInfo, now: string) {
  return db
    .updateTable('source_runs')
    .set({ status, finished_at: now, error_code: error.code, error_message: error.message })
    .where('job_id', '=', jobId)
    .where('status', 'in', OPEN_RUN_STATUSES);
}

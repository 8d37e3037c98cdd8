/**
 * The PostgreSQL side of leases: claiming (one job by id, or the oldest queued one with
 * `FOR UPDATE SKIP LOCKED`), heartbeats, the fence every leased write passes, cancel requests and
 * reaping. Each function runs on the Kysely instance or transaction it is given; the store opens the
 * transactions, so a check and the write it guards commit together. Every deciding condition is in
 * the statement itself, which is what makes them safe across processes and machines.
 */
import type { Kysely } from 'kysely';
import type { ErrorInfo } from '../../domain.js';
import { TrawlError } from '../../errors.js';
import * as lq from '../lease-queries.js';
import { selectJobId } from '../queries.js';
import type { Database } from '../schema.js';
import type { CancelOutcome, Lease, StuckJobClose } from '../store.js';

/** A job taken from the queue by `claimNext`. */
export interface ClaimedJob {
  jobId: string;
  lease: Lease;
}

/** Claims a queued job in one conditional UPDATE; undefined when it is not queued. */
export async function claim(db: Kysely<Database>, id: string, owner: string, now: string): Promise<Lease | undefined> {
  const row = await lq.claimQueuedJob(db, id, owner, now).returning('lease_version').executeTakeFirst();
  return row === undefined ? undefined : { owner, version: Number(row.lease_version) };
}

/**
 * Claims the oldest queued job (by creation time, then id) in one statement. `SKIP LOCKED` makes
 * concurrent claimers pass over a row another one is taking instead of waiting for it, so each
 * claims a different job and none blocks; the outer `status = 'queued'` re-checks the row once
 * locked. Undefined when no job is queued (or every queued one is being taken right now).
 */
export async function claimNext(db: Kysely<Database>, owner: string, now: string): Promise<ClaimedJob | undefined> {
  const row = await lq
    .claimUpdate(db, owner, now)
    .where((eb) => eb('id', '=', lq.selectOldestQueuedJob(db).forUpdate().skipLocked()))
    .where('status', '=', 'queued')
    .returning(['id', 'lease_version'])
    .executeTakeFirst();
  return row === undefined ? undefined : { jobId: row.id, lease: { owner, version: Number(row.lease_version) } };
}

/** Whether `lease` still holds the job, moving its heartbeat to `now` if so. */
export async function renew(db: Kysely<Database>, id: string, lease: Lease, now: string): Promise<boolean> {
  const result = await lq.renewLease(db, id, lease, now).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Lets a leased write through only while `lease` holds the job. Run first inside the write's
 * transaction: its UPDATE row-locks the job until that transaction ends, so a reaper or another
 * claim waits for the write instead of slipping in between; the throw rolls the transaction back.
 * @throws TrawlError TRAWL_LEASE_LOST, or TRAWL_NOT_FOUND for an unknown job.
 */
export async function fence(trx: Kysely<Database>, id: string, lease: Lease, what: string): Promise<void> {
  const held = await lq.holdLease(trx, id, lease).executeTakeFirst();
  if (held.numUpdatedRows > 0n) return;
  if ((await selectJobId(trx, id).executeTakeFirst()) === undefined) {
    throw new TrawlError('TRAWL_NOT_FOUND', `cannot ${what}: the job does not exist`, { context: { jobId: id } });
  }
  throw new TrawlError(
    'TRAWL_LEASE_LOST',
    `cannot ${what}: worker ${lease.owner} no longer holds job ${id} (lease ${lease.version}); another process closed or took it, so nothing was written`,
    { context: { jobId: id, worker: lease.owner, leaseVersion: lease.version } },
  );
}

/** Cancels a queued job, flags a running one, or reports it ended. Run inside a transaction. */
export async function requestCancel(trx: Kysely<Database>, id: string, reason: ErrorInfo, now: string): Promise<CancelOutcome> {
  const cancelled = await lq.cancelQueuedJob(trx, id, reason, now).executeTakeFirst();
  if (cancelled.numUpdatedRows > 0n) {
    await lq.closeOpenSourceRuns(trx, id, 'cancelled', reason, now).execute();
    return 'cancelled';
  }
  const flagged = await lq.flagCancelRequested(trx, id, now).executeTakeFirst();
  if (flagged.numUpdatedRows > 0n) return 'requested';
  if ((await selectJobId(trx, id).executeTakeFirst()) === undefined) {
    throw new TrawlError('TRAWL_NOT_FOUND', `cannot cancel job ${id}: the job does not exist`, { context: { jobId: id } });
  }
  return 'ended';
}

/** When a cancel of the job was requested, or null (also for an unknown job). */
export async function cancelRequest(db: Kysely<Database>, id: string): Promise<string | null> {
  return (await lq.selectCancelRequest(db, id).executeTakeFirst())?.cancel_requested_at ?? null;
}

/** Fails a stuck job and its open runs; false when it is not running or not stale. Run inside a transaction. */
export async function closeStuck(trx: Kysely<Database>, id: string, close: StuckJobClose): Promise<boolean> {
  const failed = await lq.failStuckJob(trx, id, close).executeTakeFirst();
  if (failed.numUpdatedRows === 0n) return false;
  await lq.failReapedSourceRuns(trx, id, close.error, close.now).execute();
  return true;
}

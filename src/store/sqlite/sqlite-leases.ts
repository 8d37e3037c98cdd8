/**
 * The SQLite side of leases: claiming, heartbeats, the fence every leased write passes, cancel
 * requests and reaping. Every method is synchronous and must run inside one of the executor's
 * transactions (the store opens them), so a check and the write it guards commit together.
 */
import type { Kysely } from 'kysely';
import type { ErrorInfo } from '../../domain.js';
import { TrawlError } from '../../errors.js';
import * as lq from '../lease-queries.js';
import { selectJobId } from '../queries.js';
import type { Database } from '../schema.js';
import type { CancelOutcome, Lease, OwnJobCancel, StuckJobClose } from '../store.js';
import type { SqliteExecutor } from './sqlite-executor.js';

/** Lease operations on one connection; SqliteStore wraps each in a transaction. */
export class SqliteLeases {
  constructor(
    private readonly executor: SqliteExecutor,
    private readonly builder: Kysely<Database>,
  ) {}

  /** Claims a queued job; undefined when it is not queued. Run inside a write transaction. */
  claim(id: string, owner: string, now: string): Lease | undefined {
    if (this.executor.run(lq.claimQueuedJob(this.builder, id, owner, now)) === 0) return undefined;
    const row = this.executor.first(lq.selectLeaseVersion(this.builder, id));
    if (row === undefined) throw new TrawlError('TRAWL_INTERNAL', `job ${id} vanished while it was being claimed`);
    return { owner, version: Number(row.lease_version) };
  }

  /** Claims the oldest queued job; undefined when none is queued. Run inside a write transaction (its lock keeps other workers out). */
  claimNext(owner: string, now: string): { jobId: string; lease: Lease } | undefined {
    const next = this.executor.first(lq.selectOldestQueuedJob(this.builder));
    if (next === undefined) return undefined;
    const lease = this.claim(next.id, owner, now);
    return lease === undefined ? undefined : { jobId: next.id, lease };
  }

  /** Whether `lease` still holds the job, moving its heartbeat to `now` if so. */
  renew(id: string, lease: Lease, now: string): boolean {
    return this.executor.run(lq.renewLease(this.builder, id, lease, now)) > 0;
  }

  /**
   * Lets a leased write through only while `lease` holds the job. Run first inside the write's
   * transaction; the throw rolls it back.
   * @throws TrawlError TRAWL_LEASE_LOST, or TRAWL_NOT_FOUND for an unknown job.
   */
  fence(id: string, lease: Lease, what: string): void {
    if (this.executor.run(lq.holdLease(this.builder, id, lease)) > 0) return;
    if (this.executor.first(selectJobId(this.builder, id)) === undefined) {
      throw new TrawlError('TRAWL_NOT_FOUND', `cannot ${what}: the job does not exist`, { context: { jobId: id } });
    }
    throw new TrawlError(
      'TRAWL_LEASE_LOST',
      `cannot ${what}: worker ${lease.owner} no longer holds job ${id} (lease ${lease.version}); another process closed or took it, so nothing was written`,
      { context: { jobId: id, worker: lease.owner, leaseVersion: lease.version } },
    );
  }

  /** Cancels a queued job, flags a running one, or reports it ended. Run inside a write transaction. */
  requestCancel(id: string, reason: ErrorInfo, now: string): CancelOutcome {
    if (this.executor.run(lq.cancelQueuedJob(this.builder, id, reason, now)) > 0) {
      this.executor.run(lq.closeOpenSourceRuns(this.builder, id, 'cancelled', reason, now));
      return 'cancelled';
    }
    if (this.executor.run(lq.flagCancelRequested(this.builder, id, now)) > 0) return 'requested';
    if (this.executor.first(selectJobId(this.builder, id)) === undefined) {
      throw new TrawlError('TRAWL_NOT_FOUND', `cannot cancel job ${id}: the job does not exist`, { context: { jobId: id } });
    }
    return 'ended';
  }

  /**
   * Ends a job queued, or running under `close.owner`, as `cancelled`, its open runs too; false when
   * it is neither. Run inside a write transaction.
   */
  cancelOwn(id: string, close: OwnJobCancel): boolean {
    const ended =
      this.executor.run(lq.cancelQueuedJob(this.builder, id, close.reason, close.now)) > 0 ||
      this.executor.run(lq.cancelOwnRunningJob(this.builder, id, close)) > 0;
    if (ended) this.executor.run(lq.closeOpenSourceRuns(this.builder, id, 'cancelled', close.reason, close.now));
    return ended;
  }

  /** When a cancel of the job was requested, or null (also for an unknown job). */
  cancelRequest(id: string): string | null {
    return this.executor.first(lq.selectCancelRequest(this.builder, id))?.cancel_requested_at ?? null;
  }

  /** Fails a stuck job and its open runs; false when it is not running or not stale. Run inside a write transaction. */
  closeStuck(id: string, close: StuckJobClose): boolean {
    if (this.executor.run(lq.failStuckJob(this.builder, id, close)) === 0) return false;
    this.executor.run(lq.failReapedSourceRuns(this.builder, id, close.error, close.now));
    return true;
  }
}

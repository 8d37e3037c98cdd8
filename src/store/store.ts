/**
 * The store port: everything Trawl persists about jobs. One interface, an adapter per database
 * (`sqlite/sqlite.store.ts` now, PostgreSQL later), one conformance suite every adapter passes
 * (`store.conformance.ts`). All methods are async so a networked database fits the same shape.
 */
import type { ErrorInfo, Filters, Item, ItemFailure, Job, JobStatus, MediaType, SourceId, SourceRun } from '../domain.js';

/** A job as first written: queued, with its source runs pending. */
export interface NewJob {
  id: string;
  query: string;
  type: MediaType;
  limit: number;
  outDir: string;
  budgets: Job['budgets'];
  /** Absent: no filters. */
  filters?: Filters;
  sources: SourceRun[];
  createdAt: string;
}

/** Fields of a job that change while it runs; absent fields are left as they are. */
export interface JobPatch {
  status?: JobStatus;
  startedAt?: string | null;
  finishedAt?: string | null;
  elapsedMs?: number | null;
  error?: ErrorInfo | null;
  worker?: string | null;
  heartbeatAt?: string | null;
}

export interface JobFilter {
  status?: readonly JobStatus[];
  /** Newest first; default 50. */
  limit?: number;
}

/** One entry of a job's event log, in order; `id` grows within the store (SSE Last-Event-ID). */
export interface StoredEvent {
  id: number;
  jobId: string;
  name: string;
  data: unknown;
  at: string;
}

/** The end of a job's event log (see `Store.tailEvents`). */
export interface EventLogTail {
  /** The last events, oldest first. */
  events: StoredEvent[];
  /** How many events the job has in all. */
  total: number;
}

/** An event to append to a job's log. */
export interface NewEvent {
  jobId: string;
  name: string;
  data: unknown;
}

/** The last rate-limit quota a source's service announced. */
export interface StoredQuota {
  source: SourceId;
  remaining: number | null;
  limit: number | null;
  resetAt: string | null;
  updatedAt: string;
}

/** How a finished source run counts for the source's health (runs that say nothing are not kept). */
export type SourceOutcomeStatus = 'ok' | 'failed' | 'timed_out';

/** One finished run of a source, as source health and its circuit breaker remember it. */
export interface StoredSourceOutcome {
  source: SourceId;
  jobId: string;
  status: SourceOutcomeStatus;
  /** How long the run took (search and downloads together). */
  elapsedMs: number;
  /** Files the run saved (duplicates included): a timeout after saving some is slow, not down. */
  saved: number;
  /** Why it failed or timed out; null for `ok`. */
  error: ErrorInfo | null;
  /** When the run ended. */
  at: string;
}

/**
 * Proof that a worker holds a running job: its owner id and the claim's fencing token. Writes made
 * with a lease change nothing once the job has been claimed again, reaped or ended.
 */
export interface Lease {
  readonly owner: string;
  readonly version: number;
}

/** What `requestCancel` did: ended a queued job, flagged a running one, or found it already ended. */
export type CancelOutcome = 'cancelled' | 'requested' | 'ended';

/** How `closeStuckJob` ends a job whose worker stopped heartbeating. */
export interface StuckJobClose {
  /** Only a job whose last sign of life (heartbeat, else start, else creation) is older is closed. */
  staleBefore: string;
  /** The job's and its open source runs' reason (TRAWL_WORKER_LOST). */
  error: ErrorInfo;
  now: string;
  elapsedMs: number | null;
}

/** How `cancelOwnJobNow` ends a job whose process quits at once. */
export interface OwnJobCancel {
  /** The worker id the job runs under (`EngineDeps.workerId`). */
  owner: string;
  /** The job's and its open source runs' reason (TRAWL_CANCELLED). */
  reason: ErrorInfo;
  now: string;
  elapsedMs: number | null;
}

export interface Store {
  /** Brings the schema up to date (numbered migrations, each applied once). */
  migrate(): Promise<void>;
  createJob(job: NewJob): Promise<Job>;
  /** The job with its source runs and counts, or undefined. */
  getJob(id: string): Promise<Job | undefined>;
  listJobs(filter?: JobFilter): Promise<Job[]>;
  /**
   * The ids of the jobs whose id starts with `prefix` (case-sensitive), in id order, at most
   * `limit`: how `trawl jobs show|cancel` resolve an abbreviated id, as git does.
   * @throws TrawlError TRAWL_BAD_INPUT when `limit` is not a positive integer.
   */
  findJobIds(prefix: string, limit: number): Promise<string[]>;
  /**
   * Applies a patch. With a `lease`, the write is fenced: when the job is no longer running under
   * that owner and version it changes nothing and rejects with TRAWL_LEASE_LOST (so do the other
   * fenced writes below).
   */
  updateJob(id: string, patch: JobPatch, lease?: Lease): Promise<void>;
  /**
   * Takes a queued job for `owner`: running, started and heartbeating at `now`, its fencing version
   * bumped. Undefined when the job is not queued (another worker has it, or it ended).
   */
  claimJob(id: string, owner: string, now: string): Promise<Lease | undefined>;
  /**
   * Takes the oldest queued job (by creation time, then id) for `owner`, as `claimJob` does. With
   * several workers on one database each queued job goes to exactly one of them, and a worker never
   * waits for another's claim. Undefined when nothing is queued.
   */
  claimNextJob(owner: string, now: string): Promise<{ jobId: string; lease: Lease } | undefined>;
  /** Heartbeats a held job; false when the lease is lost (reaped, ended, or claimed again). */
  renewLease(id: string, lease: Lease, now: string): Promise<boolean>;
  /**
   * Cancels from any process: a queued job ends `cancelled` with `reason` (its pending runs too); a
   * running one is flagged for its worker, which sees it at its next heartbeat.
   * @throws TrawlError TRAWL_NOT_FOUND for an unknown job.
   */
  requestCancel(id: string, reason: ErrorInfo, now: string): Promise<{ outcome: CancelOutcome; job: Job }>;
  /**
   * Ends a job this process runs as `cancelled` (its open source runs too, with a `job.finished`
   * event) before returning, for a process that quits at once (a second Ctrl-C) and can no longer
   * await anything. Only a job queued, or running under `close.owner`, is changed; false otherwise.
   * Present only where the database can be written synchronously (SQLite). Elsewhere (PostgreSQL)
   * the job stays `running` until the reaper closes it, TRAWL_STUCK_AFTER after its last heartbeat.
   */
  cancelOwnJobNow?(id: string, close: OwnJobCancel): boolean;
  /** When a cancel of the job was requested (see `requestCancel`), or null. */
  getCancelRequest(id: string): Promise<string | null>;
  /**
   * Closes a running job whose worker went silent: `failed` with `close.error`, open source runs
   * too, fencing version bumped so the old owner's late writes change nothing. False (and nothing
   * changed) when the job is no longer running or showed life after `close.staleBefore`.
   */
  closeStuckJob(id: string, close: StuckJobClose): Promise<boolean>;
  /** Writes a source run's current state (status, counts, times, error); fenced by `lease` if given. */
  saveSourceRun(jobId: string, run: SourceRun, lease?: Lease): Promise<void>;
  /** Records a saved item; the job's downloaded/images/videos counts follow from the items. Fenced by `lease` if given. */
  addItem(item: Item, lease?: Lease): Promise<void>;
  listItems(jobId: string): Promise<Item[]>;
  getItem(id: string): Promise<Item | undefined>;
  addFailure(jobId: string, failure: ItemFailure, lease?: Lease): Promise<void>;
  listFailures(jobId: string): Promise<ItemFailure[]>;
  /** Appends to the job's event log and returns the event's id. */
  appendEvent(jobId: string, name: string, data: unknown): Promise<number>;
  /**
   * Appends several events (of any jobs) in one transaction, in the order given, and returns their
   * ids in that order: one commit for a burst of events instead of one each.
   */
  appendEvents(events: readonly NewEvent[]): Promise<number[]>;
  /** The job's events in order, those after `afterId` when given. */
  listEvents(jobId: string, afterId?: number): Promise<StoredEvent[]>;
  /**
   * The job's last `limit` events, oldest first, and how many it has in all: the end of a long event
   * log without reading the rest (`trawl jobs show`).
   * @throws TrawlError TRAWL_BAD_INPUT when `limit` is not a positive integer.
   */
  tailEvents(jobId: string, limit: number): Promise<EventLogTail>;
  /**
   * Every job's events in id order, at most `limit` of them, those after `afterId` when given: a
   * page of the all-jobs stream. Page on by passing the last id returned.
   */
  listAllEvents(afterId: number | undefined, limit: number): Promise<StoredEvent[]>;
  /** The newest event's id, or 0 when the log is empty: where a reader of new events starts. */
  latestEventId(): Promise<number>;
  /**
   * Calls `listener` soon after any process appends an event, where the database can push such news
   * (PostgreSQL's LISTEN/NOTIFY); absent where readers must poll. Resolves with the unsubscribe.
   */
  onEventsAppended?(listener: () => void): Promise<() => Promise<void>>;
  /** Records a source's latest announced quota (one per source, replaced). */
  saveQuota(quota: StoredQuota): Promise<void>;
  /** Every source's latest quota. */
  listQuotas(): Promise<StoredQuota[]>;
  /**
   * Records a source run's outcome and forgets that source's older ones beyond the newest `keep`,
   * so the table stays small however long Trawl runs.
   */
  addSourceOutcome(outcome: StoredSourceOutcome, keep: number): Promise<void>;
  /** Every source's remembered outcomes, oldest first (in the order they were added). */
  listSourceOutcomes(): Promise<StoredSourceOutcome[]>;
  close(): Promise<void>;
}

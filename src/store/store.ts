/**
 * The store port: everything Trawl persists about jobs. One interface, an adapter per database
 * (`sqlite/sqlite.store.ts` now, PostgreSQL later), one conformance suite every adapter passes
 * (`store.conformance.ts`). All methods are async so a networked database fits the same shape.
 */
import type { ErrorInfo, Item, ItemFailure, Job, JobStatus, MediaType, SourceId, SourceRun } from '../domain.js';

/** A job as first written: queued, with its source runs pending. */
export interface NewJob {
  id: string;
  query: string;
  type: MediaType;
  limit: number;
  outDir: string;
  budgets: Job['budgets'];
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

/** The last rate-limit quota a source's service announced. */
export interface StoredQuota {
  source: SourceId;
  remaining: number | null;
  limit: number | null;
  resetAt: string | null;
  updatedAt: string;
}

export interface Store {
  /** Brings the schema up to date (numbered migrations, each applied once). */
  migrate(): Promise<void>;
  createJob(job: NewJob): Promise<Job>;
  /** The job with its source runs and counts, or undefined. */
  getJob(id: string): Promise<Job | undefined>;
  listJobs(filter?: JobFilter): Promise<Job[]>;
  updateJob(id: string, patch: JobPatch): Promise<void>;
  /** Writes a source run's current state (status, counts, times, error). */
  saveSourceRun(jobId: string, run: SourceRun): Promise<void>;
  /** Records a saved item; the job's downloaded/images/videos counts follow from the items. */
  addItem(item: Item): Promise<void>;
  listItems(jobId: string): Promise<Item[]>;
  getItem(id: string): Promise<Item | undefined>;
  addFailure(jobId: string, failure: ItemFailure): Promise<void>;
  listFailures(jobId: string): Promise<ItemFailure[]>;
  /** Appends to the job's event log and returns the event's id. */
  appendEvent(jobId: string, name: string, data: unknown): Promise<number>;
  /** The job's events in order, those after `afterId` when given. */
  listEvents(jobId: string, afterId?: number): Promise<StoredEvent[]>;
  /** Records a source's latest announced quota (one per source, replaced). */
  saveQuota(quota: StoredQuota): Promise<void>;
  /** Every source's latest quota. */
  listQuotas(): Promise<StoredQuota[]>;
  close(): Promise<void>;
}

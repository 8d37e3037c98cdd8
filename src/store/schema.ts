/**
 * The stored shape of Trawl's data, shared by every store adapter: the Kysely `Database` interface
 * (one row type per table, snake_case columns) and the mapping between rows and domain objects
 * (camelCase). Timestamps are ISO strings exactly as the caller gave them.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import { type ErrorInfo, type Filters, type Item, type ItemFailure, type Job, type JobStatus, type LicenseCode, type MediaKind, type MediaType, NO_FILTERS, type SourceId, type SourceRun, type SourceRunStatus } from '../domain.js';
import type { ErrorCode } from '../errors.js';
import type { NewJob, SourceOutcomeStatus, StoredEvent, StoredQuota, StoredSourceOutcome } from './store.js';

/** An autoincrement key: generated on insert, never updated. */
type SerialId = ColumnType<number, never, never>;

/** One row per job; `worker`, `heartbeat_at` and `lease_version` hold its lease (fencing token). */
export interface JobsTable {
  id: string;
  query: string;
  type: MediaType;
  limit_per_kind: number;
  out_dir: string;
  status: JobStatus;
  request_ms: number;
  source_ms: number;
  job_ms: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  elapsed_ms: number | null;
  error_code: ErrorCode | null;
  error_message: string | null;
  worker: string | null;
  heartbeat_at: string | null;
  lease_version: Generated<number>;
  /** When a cancel was asked for from any process (migration 3); the worker sees it at its next heartbeat. */
  cancel_requested_at: string | null;
  /** The job's filters as JSON text (migration 5); null for jobs recorded before filters existed. */
  filters: string | null;
}

/** The last rate-limit quota each source's service announced (one row per source). */
export interface SourceQuotasTable {
  source: SourceId;
  remaining: number | null;
  limit_count: number | null;
  reset_at: string | null;
  updated_at: string;
}

/** The newest outcomes of each source's runs, for source health; `id` keeps the order they ended in. */
export interface SourceOutcomesTable {
  id: SerialId;
  source: SourceId;
  job_id: string;
  status: SourceOutcomeStatus;
  elapsed_ms: number;
  saved: number;
  error_code: ErrorCode | null;
  error_message: string | null;
  at: string;
}

/** One row per (job, source); `position` keeps the order the job asked for its sources in. */
export interface SourceRunsTable {
  job_id: string;
  source: SourceId;
  position: number;
  status: SourceRunStatus;
  found: number;
  downloaded: number;
  failed: number;
  duplicates: number;
  /** Migration 5. */
  filtered: number;
  started_at: string | null;
  finished_at: string | null;
  elapsed_ms: number | null;
  budget_ms: number | null;
  error_code: ErrorCode | null;
  error_message: string | null;
}

/** One row per saved media file. */
export interface ItemsTable {
  id: string;
  job_id: string;
  source: SourceId;
  kind: MediaKind;
  url: string;
  page_url: string | null;
  title: string | null;
  author: string | null;
  author_url: string | null;
  license: string | null;
  license_url: string | null;
  /** Migration 5; null when the source states no licence. */
  license_code: LicenseCode | null;
  width: number | null;
  height: number | null;
  path: string;
  bytes: number;
  sha256: string;
  content_type: string;
  created_at: string;
}

/** One row per failed candidate; `id` keeps insertion order. */
export interface FailuresTable {
  id: SerialId;
  job_id: string;
  source: SourceId;
  url: string;
  code: ErrorCode;
  message: string;
  created_at: string;
}

/** A job's event log; `id` is the SSE event id and grows across the whole store. */
export interface JobEventsTable {
  id: SerialId;
  job_id: string;
  name: string;
  /** JSON text. */
  data: string;
  at: string;
}

/** Every table a store adapter holds, as Kysely sees them. */
export interface Database {
  jobs: JobsTable;
  source_runs: SourceRunsTable;
  items: ItemsTable;
  failures: FailuresTable;
  job_events: JobEventsTable;
  source_quotas: SourceQuotasTable;
  source_outcomes: SourceOutcomesTable;
}

/** A job row with the counts derived from its items and failures (see `selectJobsWithCounts`). */
export type JobRowWithCounts = Selectable<JobsTable> & {
  downloaded: number | string | bigint | null;
  images: number | string | bigint | null;
  videos: number | string | bigint | null;
  failed: number | string | bigint | null;
};

function errorFromColumns(code: ErrorCode | null, message: string | null): ErrorInfo | null {
  return code === null ? null : { code, message: message ?? '' };
}

// Counts come back as numbers from SQLite and as strings (bigint) from PostgreSQL.
function count(value: number | string | bigint | null): number {
  return value === null ? 0 : Number(value);
}

/** The row a new job is first written as: queued, no lease. */
export function newJobToRow(job: NewJob): Insertable<JobsTable> {
  return {
    id: job.id,
    query: job.query,
    type: job.type,
    limit_per_kind: job.limit,
    out_dir: job.outDir,
    status: 'queued',
    request_ms: job.budgets.requestMs,
    source_ms: job.budgets.sourceMs,
    job_ms: job.budgets.jobMs,
    filters: JSON.stringify(job.filters ?? NO_FILTERS),
    created_at: job.createdAt,
    started_at: null,
    finished_at: null,
    elapsed_ms: null,
    error_code: null,
    error_message: null,
    worker: null,
    heartbeat_at: null,
  };
}

/** A job as the domain sees it, from its row (with counts) and its source runs in order. */
export function rowToJob(row: JobRowWithCounts, sources: SourceRun[]): Job {
  return {
    id: row.id,
    query: row.query,
    type: row.type,
    limit: row.limit_per_kind,
    outDir: row.out_dir,
    status: row.status,
    budgets: { requestMs: row.request_ms, sourceMs: row.source_ms, jobMs: row.job_ms },
    filters: filtersFromColumn(row.filters),
    sources,
    downloaded: count(row.downloaded),
    images: count(row.images),
    videos: count(row.videos),
    failed: count(row.failed),
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    elapsedMs: row.elapsed_ms,
    error: errorFromColumns(row.error_code, row.error_message),
    worker: row.worker,
    heartbeatAt: row.heartbeat_at,
  };
}

/** Stored filters; a field the row lacks (a job from an older version) is no constraint. */
function filtersFromColumn(text: string | null): Filters {
  return text === null ? NO_FILTERS : { ...NO_FILTERS, ...(JSON.parse(text) as Partial<Filters>) };
}

/** The row for a source run; `position` only matters when the row is first inserted. */
export function sourceRunToRow(jobId: string, run: SourceRun, position: number): Insertable<SourceRunsTable> {
  return {
    job_id: jobId,
    source: run.source,
    position,
    status: run.status,
    found: run.found,
    downloaded: run.downloaded,
    failed: run.failed,
    duplicates: run.duplicates,
    filtered: run.filtered,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    elapsed_ms: run.elapsedMs,
    budget_ms: run.budgetMs,
    error_code: run.error?.code ?? null,
    error_message: run.error?.message ?? null,
  };
}

/** A source run as the domain sees it. */
export function rowToSourceRun(row: Selectable<SourceRunsTable>): SourceRun {
  return {
    source: row.source,
    status: row.status,
    found: row.found,
    downloaded: row.downloaded,
    failed: row.failed,
    duplicates: row.duplicates,
    filtered: row.filtered,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    elapsedMs: row.elapsed_ms,
    budgetMs: row.budget_ms,
    error: errorFromColumns(row.error_code, row.error_message),
  };
}

/** The row for a saved item. */
export function itemToRow(item: Item): Insertable<ItemsTable> {
  return {
    id: item.id,
    job_id: item.jobId,
    source: item.source,
    kind: item.kind,
    url: item.url,
    page_url: item.pageUrl,
    title: item.title,
    author: item.author,
    author_url: item.authorUrl,
    license: item.license,
    license_url: item.licenseUrl,
    license_code: item.licenseCode ?? null,
    width: item.width,
    height: item.height,
    path: item.path,
    bytes: item.bytes,
    sha256: item.sha256,
    content_type: item.contentType,
    created_at: item.createdAt,
  };
}

/** An item as the domain sees it. */
export function rowToItem(row: Selectable<ItemsTable>): Item {
  return {
    id: row.id,
    jobId: row.job_id,
    source: row.source,
    kind: row.kind,
    url: row.url,
    pageUrl: row.page_url,
    title: row.title,
    author: row.author,
    authorUrl: row.author_url,
    license: row.license,
    licenseUrl: row.license_url,
    licenseCode: row.license_code,
    width: row.width,
    height: row.height,
    path: row.path,
    bytes: Number(row.bytes),
    sha256: row.sha256,
    contentType: row.content_type,
    createdAt: row.created_at,
  };
}

/** The row for a failed candidate, stamped with the time it was recorded. */
export function failureToRow(jobId: string, failure: ItemFailure, createdAt: string): Insertable<FailuresTable> {
  return { job_id: jobId, source: failure.source, url: failure.url, code: failure.code, message: failure.message, created_at: createdAt };
}

/** A failed candidate as the domain sees it. */
export function rowToFailure(row: Selectable<FailuresTable>): ItemFailure {
  return { source: row.source, url: row.url, code: row.code, message: row.message };
}

/**
 * The row for an event; `data` becomes JSON text (`undefined` is stored as `null`, since JSON has no
 * undefined).
 */
export function eventToRow(jobId: string, name: string, data: unknown, at: string): Insertable<JobEventsTable> {
  return { job_id: jobId, name, data: JSON.stringify(data) ?? 'null', at };
}

/** An event as the store returns it, its data parsed back from JSON. */
export function rowToEvent(row: Selectable<JobEventsTable>): StoredEvent {
  return { id: Number(row.id), jobId: row.job_id, name: row.name, data: JSON.parse(row.data) as unknown, at: row.at };
}

/** A source quota row as the domain sees it. */
export function rowToQuota(row: Selectable<SourceQuotasTable>): StoredQuota {
  return { source: row.source, remaining: row.remaining === null ? null : Number(row.remaining), limit: row.limit_count === null ? null : Number(row.limit_count), resetAt: row.reset_at, updatedAt: row.updated_at };
}

/** A domain quota as a row. */
export function quotaToRow(quota: StoredQuota): Insertable<SourceQuotasTable> {
  return { source: quota.source, remaining: quota.remaining, limit_count: quota.limit, reset_at: quota.resetAt, updated_at: quota.updatedAt };
}

/** A source outcome as a row. */
export function sourceOutcomeToRow(outcome: StoredSourceOutcome): Insertable<SourceOutcomesTable> {
  return {
    source: outcome.source,
    job_id: outcome.jobId,
    status: outcome.status,
    elapsed_ms: outcome.elapsedMs,
    saved: outcome.saved,
    error_code: outcome.error?.code ?? null,
    error_message: outcome.error?.message ?? null,
    at: outcome.at,
  };
}

/** A source outcome row as the domain sees it. */
export function rowToSourceOutcome(row: Selectable<SourceOutcomesTable>): StoredSourceOutcome {
  return {
    source: row.source,
    jobId: row.job_id,
    status: row.status,
    elapsedMs: Number(row.elapsed_ms),
    saved: Number(row.saved),
    error: errorFromColumns(row.error_code, row.error_message),
    at: row.at,
  };
}

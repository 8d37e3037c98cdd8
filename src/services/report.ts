import { publicItem } from '../download/manifest.js';
import type { ErrorInfo, Filters, Item, ItemFailure, Job, SourceRun } from '../domain.js';
import type { Store } from '../store/store.js';

/** One saved file in a report: an item without its job id (the report names the job once). */
export type ReportItem = Omit<Item, 'jobId'>;

/** One source's outcome in a report: its state, counts, time taken and error. */
export type ReportSource = Pick<SourceRun, 'source' | 'status' | 'found' | 'downloaded' | 'failed' | 'duplicates' | 'filtered' | 'elapsedMs' | 'error'>;

/** The `--json` report of CONTRACT.md: the job's outcome, its sources, items and failures. */
export interface JobReport {
  id: string;
  query: string;
  /** What every saved file had to meet (all null when the job set no filters). */
  filters: Filters;
  status: Job['status'];
  elapsedMs: number | null;
  downloaded: number;
  images: number;
  videos: number;
  sources: ReportSource[];
  items: ReportItem[];
  failures: ItemFailure[];
  error: ErrorInfo | null;
}

/** Builds the report of a finished (or running) job from the store. */
export async function buildReport(store: Store, job: Job): Promise<JobReport> {
  const [items, failures] = await Promise.all([store.listItems(job.id), store.listFailures(job.id)]);
  return {
    id: job.id,
    query: job.query,
    filters: job.filters,
    status: job.status,
    elapsedMs: job.elapsedMs,
    downloaded: job.downloaded,
    images: job.images,
    videos: job.videos,
    sources: job.sources.map((s) => ({ source: s.source, status: s.status, found: s.found, downloaded: s.downloaded, failed: s.failed, duplicates: s.duplicates, filtered: s.filtered, elapsedMs: s.elapsedMs, error: s.error })),
    items: items.map(publicItem),
    failures,
    error: job.error,
  };
}

/** The process exit code for a job's final status (CONTRACT.md). */
export function exitCodeFor(status: Job['status']): number {
  switch (status) {
    case 'completed':
      return 0;
    case 'timed_out':
      return 3;
    case 'cancelled':
      return 130;
    case 'failed':
    case 'queued':
    case 'running':
      return 1;
  }
}

/** Plain-text views of the `trawl jobs` results, for people (the `--json` forms print the data as is). */
import { formatDuration } from '../config/units.js';
import type { Job } from '../domain.js';
import { describeFilters } from '../filters/filters.js';
import type { LogLine } from '../logging/log-reader.js';
import type { CancelResult, JobDetails } from '../services/job-admin.js';
import type { ReapReport } from '../services/reaper.js';
import type { StoredEvent } from '../store/store.js';
import { describeRun } from './progress.js';

/** `2030-01-01 12:00:03` from an ISO time. */
function clock(iso: string | null): string {
  return iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$/, '');
}

function since(iso: string, now: Date): string {
  return `${formatDuration(Math.max(0, now.getTime() - Date.parse(iso)))} ago`;
}

/** Where a job stands in one phrase: its error, or its worker's last heartbeat while it runs. */
function standing(job: Job, now: Date): string {
  if (job.error !== null) return `${job.error.code}: ${job.error.message}`;
  if (job.status === 'running' && job.heartbeatAt !== null) return `heartbeat ${since(job.heartbeatAt, now)} from ${job.worker ?? '(unknown)'}`;
  return '';
}

/** One line per job, newest first, then a count. */
export function renderJobList(jobs: readonly Job[], now: Date): string {
  if (jobs.length === 0) return 'no jobs match\n';
  const lines = jobs.map((job) => {
    const elapsed = job.elapsedMs === null ? '-' : formatDuration(job.elapsedMs);
    const note = standing(job, now);
    return `${job.id}  ${job.status.padEnd(9)}  ${clock(job.createdAt)}  ${elapsed.padStart(6)}  ${String(job.downloaded).padStart(4)} files  "${job.query}"${note ? `  ${note}` : ''}`;
  });
  return `${lines.join('\n')}\n${jobs.length} job${jobs.length === 1 ? '' : 's'}\n`;
}

/** A job's state, sources, counts, last events and log lines. */
export function renderJobDetails(details: JobDetails, now: Date): string {
  const { job, events, eventCount, log } = details;
  const out = [
    `job ${job.id}: "${job.query}" (${job.type}, limit ${job.limit} per source and kind)`,
    `status:   ${job.status}${job.error ? ` — ${job.error.code}: ${job.error.message}` : ''}`,
    `times:    created ${clock(job.createdAt)}, started ${clock(job.startedAt)}, finished ${clock(job.finishedAt)}${job.elapsedMs === null ? '' : `, took ${formatDuration(job.elapsedMs)}`}`,
    `worker:   ${job.worker ?? '-'}${job.heartbeatAt ? `, last heartbeat ${clock(job.heartbeatAt)} (${since(job.heartbeatAt, now)})` : ''}`,
    `counts:   ${job.downloaded} saved (${job.images} images, ${job.videos} videos), ${job.failed} failed`,
    `filters:  ${describeFilters(job.filters) || 'none'}`,
    `out dir:  ${job.outDir}`,
    '',
    'sources:',
    ...job.sources.map((run) => `  ${run.source.padEnd(18)} ${describeRun(run)}`),
    '',
    `last events (${events.length} of ${eventCount}):`,
    ...events.map(renderEvent),
    '',
    `log lines (${log.length}, newest last):`,
    ...log.map(renderLogLine),
  ];
  return `${out.join('\n')}\n`;
}

function renderEvent(event: StoredEvent): string {
  const data = event.data as { source?: string; message?: string; run?: { status?: string }; job?: { status?: string } };
  const detail = [data.source, data.run?.status ?? data.job?.status, data.message].filter((part) => part !== undefined).join(' ');
  return `  ${clock(event.at)}  #${event.id}  ${event.name}${detail ? `  ${detail}` : ''}`;
}

const LOG_OMIT = new Set(['time', 'level', 'msg', 'pid', 'jobId']);

function renderLogLine(line: LogLine): string {
  const fields = Object.entries(line)
    .filter(([key]) => !LOG_OMIT.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  return `  ${clock(text(line.time) || null)}  ${text(line.level).toUpperCase().padEnd(5)}  ${text(line.msg)}  ${fields.join(' ')}`;
}

/** What `trawl jobs cancel` did, in a sentence. */
export function renderCancel(result: CancelResult, waitedFor: number): string {
  const { job } = result;
  switch (result.outcome) {
    case 'cancelled':
      return `job ${job.id} was queued; it is cancelled now\n`;
    case 'stopped':
      return `job ${job.id} stopped: ${job.status}${job.error ? ` (${job.error.message})` : ''}\n`;
    case 'still_running':
      return `cancel requested; job ${job.id} is still running after ${formatDuration(waitedFor)}: its worker ${job.worker ?? '(unknown)'} stops it at its next heartbeat (last one ${clock(job.heartbeatAt)}). If that worker is dead or frozen, trawl jobs cleanup closes the job once it is stuck.\n`;
    case 'ended':
      return `job ${job.id} had already ended: ${job.status}; nothing to cancel\n`;
  }
}

/** What `trawl jobs cleanup` did. */
export function renderCleanup(report: ReapReport): string {
  const lines = [`checked ${report.checked} running job${report.checked === 1 ? '' : 's'}: ${report.reaped.length} stuck, closed as failed`];
  for (const job of report.reaped) lines.push(`  ${job.jobId} "${job.query}": ${job.error.message}`);
  lines.push(`removed ${report.tempFilesRemoved} orphaned temp file${report.tempFilesRemoved === 1 ? '' : 's'} from ${report.sweptDirs.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * One job, live: its state from `GET /api/jobs/:id`, then every event of its stream
 * (`/api/jobs/:id/events`) applied as it arrives, the event log, and its items (fetched again
 * shortly after new items are saved). The stream is closed after `job.finished`.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Job } from '../../src/domain.js';
import { type ApiItem, ApiError, api, errorText } from './api.js';
import { type JobEventMessage, applyJobEvent, describeJobEvent, readJobEvent } from './job-events.js';
import { type StreamState, streamEvents } from './sse.js';

/** One line of the event log. */
export interface LogLine {
  key: string;
  text: string;
  tone: 'info' | 'warning' | 'error';
}

/** Everything the job page shows, and a way to put in a job the API returned (after cancel). */
export interface LiveJob {
  job: Job | null;
  /** Why the job could not be loaded (e.g. not found). */
  error: string | null;
  log: LogLine[];
  items: ApiItem[] | null;
  stream: StreamState;
  setJob: (job: Job) => void;
}

const MAX_LOG_LINES = 1000;
const REFRESH_DELAY_MS = 300;

/** Loads and follows the job `id` until the component unmounts. */
export function useJob(id: string): LiveJob {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [log, setLog] = useState<LogLine[]>([]);
  const [items, setItems] = useState<ApiItem[] | null>(null);
  const [stream, setStream] = useState<StreamState>('connecting');

  useEffect(() => {
    const page = new AbortController();
    // The stream has its own controller: it ends at job.finished, while the page keeps loading.
    const streaming = new AbortController();
    const { signal } = page;
    const loadJob = debounced(() => api.getJob(id, signal).then(setJob, (err: unknown) => !signal.aborted && setError(loadError(err))));
    const loadItems = debounced(() => api.listItems(id, signal).then((r) => setItems(r.items), () => undefined));
    loadJob.now();
    loadItems.now();
    let lineCount = 0;

    const onEvent = (event: JobEventMessage): void => {
      setJob((current) => (current ? applyJobEvent(current, event, Date.now()) : snapshotOf(event)));
      const n = lineCount++;
      setLog((lines) => appendLine(lines, event, n));
      // source.started has no start time: the job's own record has it, fetched once things settle.
      if (event.name === 'source.started') loadJob.soon();
      if (event.name === 'item.saved') loadItems.soon();
      if (event.name === 'job.finished') {
        loadItems.now();
        streaming.abort();
      }
    };
    void streamEvents(`/api/jobs/${encodeURIComponent(id)}/events`, {
      signal: streaming.signal,
      onState: (state) => !signal.aborted && setStream(state),
      onEvent: (frame) => {
        const event = readJobEvent(frame);
        if (event && event.data.jobId === id) onEvent(event);
      },
    });
    return () => {
      page.abort();
      streaming.abort();
      loadJob.cancel();
      loadItems.cancel();
    };
  }, [id]);

  return { job, error, log, items, stream, setJob };
}

function snapshotOf(event: JobEventMessage): Job | null {
  return event.name === 'job.started' || event.name === 'job.finished' ? event.data.job : null;
}

function appendLine(lines: LogLine[], event: JobEventMessage, n: number): LogLine[] {
  const tone = event.name === 'alert' ? (event.data.level === 'error' ? 'error' : 'warning') : event.name === 'item.failed' ? 'error' : 'info';
  const line: LogLine = { key: event.id ?? `local-${n}`, text: describeJobEvent(event), tone };
  const next = [...lines, line];
  return next.length > MAX_LOG_LINES ? next.slice(next.length - MAX_LOG_LINES) : next;
}

function loadError(err: unknown): string {
  return err instanceof ApiError && err.status === 404 ? 'There is no job with this id.' : errorText(err);
}

/** A loader that runs now, or once after a burst of requests settles. */
function debounced(load: () => Promise<unknown>): { now(): void; soon(): void; cancel(): void } {
  let timer = 0;
  const cancel = (): void => window.clearTimeout(timer);
  return {
    now: () => {
      cancel();
      void load();
    },
    soon: () => {
      cancel();
      timer = window.setTimeout(() => void load(), REFRESH_DELAY_MS);
    },
    cancel,
  };
}

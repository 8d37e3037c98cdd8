/**
 * The recent jobs, kept current by the all-jobs event stream (`GET /api/events`) rather than by
 * polling: one list request, then every job and source event applied as it arrives.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Job } from '../../src/domain.js';
import { api, errorText } from './api.js';
import { type JobEventMessage, applyJobEvent, readJobEvent } from './job-events.js';
import { type StreamState, streamEvents } from './sse.js';

const MAX_JOBS = 50;

/** What the job list shows: the jobs (newest first), a load error, and the stream's state. */
export interface LiveJobs {
  jobs: Job[] | null;
  error: string | null;
  stream: StreamState;
}

/** Loads the recent jobs and follows every job's events until the component unmounts. */
export function useLiveJobs(): LiveJobs {
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stream, setStream] = useState<StreamState>('connecting');

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    api.listJobs(signal).then(
      (list) => setJobs((current) => mergeLists(list.jobs, current)),
      (err: unknown) => !signal.aborted && setError(errorText(err)),
    );
    void streamEvents('/api/events', {
      signal,
      onState: (state) => !signal.aborted && setStream(state),
      onEvent: (frame) => {
        const event = readJobEvent(frame);
        if (event) setJobs((current) => applyToList(current ?? [], event));
      },
    });
    return () => controller.abort();
  }, []);

  return { jobs, error, stream };
}

/** The listed jobs plus any the stream already brought in, the newest first. */
function mergeLists(listed: Job[], streamed: Job[] | null): Job[] {
  const byId = new Map(listed.map((job) => [job.id, job]));
  // A streamed job is at least as fresh as the listed snapshot of it.
  for (const job of streamed ?? []) byId.set(job.id, job);
  return newestFirst([...byId.values()]);
}

/**
 * The list after one event. A job snapshot adds or replaces its job; other events change only
 * jobs already listed (a replay of old jobs' events then leaves the list alone).
 */
function applyToList(jobs: Job[], event: JobEventMessage): Job[] {
  const index = jobs.findIndex((job) => job.id === event.data.jobId);
  if (event.name === 'job.started' || event.name === 'job.finished') {
    const others = index === -1 ? jobs : jobs.filter((_, i) => i !== index);
    return newestFirst([event.data.job, ...others]);
  }
  const current = jobs[index];
  if (!current) return jobs;
  const next = applyJobEvent(current, event, Date.now());
  return next === current ? jobs : jobs.map((job, i) => (i === index ? next : job));
}

function newestFirst(jobs: Job[]): Job[] {
  return jobs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)).slice(0, MAX_JOBS);
}

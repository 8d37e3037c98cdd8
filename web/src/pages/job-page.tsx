/**
 * One job, live: its state and budget, a row per source, cancel and re-run, the event log and the
 * gallery of its items.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Job } from '../../../src/domain.js';
import { type NewJob, api, errorText } from '../api.js';
import { jobBudget } from '../budget.js';
import { BudgetBar } from '../components/budget-bar.js';
import { EventLog } from '../components/event-log.js';
import { Gallery } from '../components/gallery.js';
import { SourceRow } from '../components/source-row.js';
import { StatusBadge } from '../components/status-badge.js';
import { StreamBadge } from '../components/stream-badge.js';
import { describeFilters } from '../../../src/filters/filters.js';
import { formatDuration, formatTime } from '../format.js';
import { Link } from '../link.js';
import { jobPath, navigate } from '../router.js';
import { type LiveJob, useJob } from '../use-job.js';
import { useNow } from '../use-now.js';

/** The page of job `id`. */
export function JobPage({ id }: { id: string }) {
  const live = useJob(id);
  const { job, error } = live;
  if (job === null) {
    return (
      <section class="card">
        <p class={error === null ? 'muted' : 'form-error'}>{error ?? 'Loading…'}</p>
        <Link href="/">Back to the jobs</Link>
      </section>
    );
  }
  return <JobView live={live} job={job} />;
}

function JobView({ live, job }: { live: LiveJob; job: Job }) {
  const running = job.status === 'running' || job.sources.some((run) => run.status === 'running');
  const now = useNow(running);
  return (
    <>
      <JobHeader job={job} now={now} live={live} />
      <section class="card">
        <h2>Sources</h2>
        <ul class="rows source-rows">
          {job.sources.map((run) => (
            <SourceRow key={run.source} run={run} job={job} now={now} />
          ))}
        </ul>
      </section>
      <section class="card">
        <h2>Events</h2>
        <EventLog lines={live.log} />
      </section>
      <section class="card">
        <h2>
          Items <span class="muted">({live.items?.length ?? 0})</span>
        </h2>
        <Gallery items={live.items} />
      </section>
    </>
  );
}

function JobHeader({ job, now, live }: { job: Job; now: number; live: LiveJob }) {
  const budget = jobBudget(job, now);
  const flagged = budget.alert !== 'none';
  return (
    <section class={`card job-header${flagged ? ` over-budget alert-${budget.alert}` : ''}`} data-testid="job-header" data-status={job.status}>
      <div class="card-head">
        <StatusBadge status={job.status} testId="job-status" />
        <h1 class="job-title">{job.query}</h1>
        <StreamBadge state={live.stream} />
      </div>
      <p class="muted job-meta">
        {job.type} · limit {job.limit} per source · budgets {formatDuration(job.budgets.requestMs)} / {formatDuration(job.budgets.sourceMs)} /{' '}
        {formatDuration(job.budgets.jobMs)} (request / source / job) · created {formatTime(job.createdAt)} · <code>{job.id}</code>
      </p>
      <p class="muted job-filters" data-testid="job-filters">
        filters: {describeFilters(job.filters) || 'none'}
      </p>
      <BudgetBar elapsedMs={budget.elapsedMs} budgetMs={budget.budgetMs} alert={budget.alert} label="job budget" />
      <p class="counts">
        {job.downloaded} downloaded ({job.images} images, {job.videos} videos) · <span class={job.failed > 0 ? 'count-failed' : ''}>{job.failed} failed</span>
      </p>
      {job.error && (
        <p class="run-error" data-testid="job-error">
          <code>{job.error.code}</code> {job.error.message}
        </p>
      )}
      <JobActions job={job} onJob={live.setJob} />
    </section>
  );
}

function JobActions({ job, onJob }: { job: Job; onJob: (job: Job) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mounted = useRef(new AbortController());
  useEffect(() => () => mounted.current.abort(), []);

  const act = async (action: (signal: AbortSignal) => Promise<void>): Promise<void> => {
    const { signal } = mounted.current;
    setBusy(true);
    setError(null);
    try {
      await action(signal);
    } catch (err) {
      if (!signal.aborted) setError(errorText(err));
    } finally {
      if (!signal.aborted) setBusy(false);
    }
  };
  const cancel = (signal: AbortSignal) => api.cancelJob(job.id, signal).then(onJob);
  const rerun = (signal: AbortSignal) => api.createJob(rerunBody(job), signal).then((next) => navigate(jobPath(next.id)));
  const active = job.status === 'queued' || job.status === 'running';
  return (
    <div class="form-actions">
      {active && (
        <button type="button" class="danger" data-testid="cancel" disabled={busy} onClick={() => void act(cancel)}>
          Cancel
        </button>
      )}
      <button type="button" data-testid="rerun" disabled={busy} onClick={() => void act(rerun)}>
        Re-run
      </button>
      {error !== null && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The same query, sources, type, limit and budgets as `job`. */
function rerunBody(job: Job): NewJob {
  return {
    query: job.query,
    sources: job.sources.map((run) => run.source),
    type: job.type,
    limit: job.limit,
    timeouts: { request: `${job.budgets.requestMs}ms`, source: `${job.budgets.sourceMs}ms`, job: `${job.budgets.jobMs}ms` },
    filters: job.filters,
  };
}

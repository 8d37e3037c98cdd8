/** The live list of recent jobs: state, query, counts, and elapsed time against the job budget. */
import type { Job } from '../../../src/domain.js';
import { jobBudget } from '../budget.js';
import { Link } from '../link.js';
import { jobPath } from '../router.js';
import { useLiveJobs } from '../use-live-jobs.js';
import { useNow } from '../use-now.js';
import { BudgetBar } from './budget-bar.js';
import { StatusBadge } from './status-badge.js';
import { StreamBadge } from './stream-badge.js';

/** The list; it loads and follows the jobs itself. */
export function JobList() {
  const { jobs, error, stream } = useLiveJobs();
  const now = useNow(jobs?.some((job) => job.status === 'running') ?? false, 500);
  return (
    <section class="card job-list">
      <div class="card-head">
        <h2>Jobs</h2>
        <StreamBadge state={stream} />
      </div>
      {error !== null && <p class="form-error">Could not load the jobs: {error}</p>}
      {jobs === null && error === null && <p class="muted">Loading…</p>}
      {jobs?.length === 0 && <p class="muted">No jobs yet. Start one with the form.</p>}
      {jobs !== null && jobs.length > 0 && (
        <ul class="rows">
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} now={now} />
          ))}
        </ul>
      )}
    </section>
  );
}

function JobRow({ job, now }: { job: Job; now: number }) {
  const budget = jobBudget(job, now);
  const found = job.sources.reduce((sum, run) => sum + run.found, 0);
  const flagged = budget.alert !== 'none';
  return (
    <li class={`job-row${flagged ? ` over-budget alert-${budget.alert}` : ''}`} data-testid="job-row" data-job-id={job.id} data-status={job.status}>
      <StatusBadge status={job.status} testId="job-status" />
      <Link href={jobPath(job.id)} class="job-query">
        {job.query}
      </Link>
      <span class="counts">
        <span title="found">{found} found</span> · <span title="downloaded">{job.downloaded} downloaded</span> ·{' '}
        <span class={job.failed > 0 ? 'count-failed' : ''}>{job.failed} failed</span>
      </span>
      <BudgetBar elapsedMs={budget.elapsedMs} budgetMs={budget.budgetMs} alert={budget.alert} label="job budget" />
    </li>
  );
}

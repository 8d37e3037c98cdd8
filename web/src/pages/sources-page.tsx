/**
 * Every source: configured or not (and why), the media it offers, its licence policy and quota,
 * and how it fared in recent jobs (states and the last error), from `GET /api/sources` and the
 * recent jobs.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ErrorInfo, Job } from '../../../src/domain.js';
import { type SourceHealth, type SourceStatus, api, errorText } from '../api.js';
import { formatDuration, formatTime } from '../format.js';

/** How a source did in the recent jobs. */
interface RecentRuns {
  byStatus: Map<string, number>;
  lastError: ErrorInfo | null;
}

/** The sources page. */
export function SourcesPage() {
  const [sources, setSources] = useState<SourceStatus[] | null>(null);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    api.listSources(signal).then(
      (r) => setSources(r.sources),
      (err: unknown) => !signal.aborted && setError(errorText(err)),
    );
    // Recent runs are extra context: without them the table still says all that matters.
    api.listJobs(signal).then((r) => setJobs(r.jobs), () => undefined);
    return () => controller.abort();
  }, []);

  const recent = recentRuns(jobs);
  return (
    <section class="card">
      <h1>Sources</h1>
      {error !== null && <p class="form-error">Could not load the sources: {error}</p>}
      {sources === null && error === null && <p class="muted">Loading…</p>}
      {sources !== null && (
        <div class="table-scroll">
          <table class="sources-table">
            <thead>
              <tr>
                <th>Source</th>
                <th>Configured</th>
                <th>Media</th>
                <th>Licence</th>
                <th>Quota</th>
                <th>Health</th>
                <th>Recent jobs ({jobs.length})</th>
              </tr>
            </thead>
            <tbody>
              {sources.map((source) => (
                <SourceStatusRow key={source.id} source={source} recent={recent.get(source.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function SourceStatusRow({ source, recent }: { source: SourceStatus; recent: RecentRuns | undefined }) {
  return (
    <tr data-testid={`sources-row-${source.id}`} data-configured={String(source.configured)}>
      <td>
        <strong>{source.name}</strong>
        <div class="muted">
          <code>{source.id}</code>
        </div>
      </td>
      <td>
        {source.configured ? <span class="status status-done">yes</span> : <span class="status status-skipped">no</span>}
        {source.reason !== null && <div class="reason">{source.reason}</div>}
      </td>
      <td>{source.kinds.join(', ')}</td>
      <td>{source.licensePolicy}</td>
      <td>{quotaText(source.quota)}</td>
      <td>
        <HealthCell health={source.health} />
      </td>
      <td>
        <RecentCell recent={recent} />
      </td>
    </tr>
  );
}

function RecentCell({ recent }: { recent: RecentRuns | undefined }) {
  if (!recent) return <span class="muted">not used recently</span>;
  return (
    <>
      <div>{[...recent.byStatus].map(([status, count]) => `${count} ${status.replace(/_/g, ' ')}`).join(', ')}</div>
      {recent.lastError && (
        <div class="run-error">
          <code>{recent.lastError.code}</code> {recent.lastError.message}
        </div>
      )}
    </>
  );
}

const BREAKER_TEXT: Record<SourceHealth['breaker']['state'], string> = { closed: 'circuit closed', half_open: 'circuit half-open (trial run next)', open: 'circuit open' };

/** Success rate and latency of the recent runs, the breaker's state, and the last error. */
function HealthCell({ health }: { health: SourceHealth }) {
  const { breaker } = health;
  const rate = health.successRate === null ? 'no runs yet' : `${Math.round(health.successRate * 100)}% of ${health.runs} runs ok`;
  const latency = health.latencyMs.p50 === null ? '' : ` · p50 ${formatDuration(health.latencyMs.p50)}, p95 ${formatDuration(health.latencyMs.p95 ?? health.latencyMs.p50)}`;
  return (
    <div data-testid="source-health" data-breaker={breaker.state}>
      <div>
        {rate}
        {latency}
      </div>
      <div class={breaker.state === 'closed' ? 'muted' : 'run-error'}>
        {BREAKER_TEXT[breaker.state]}
        {breaker.state === 'open' && breaker.retryAt !== null && ` until ${formatTime(breaker.retryAt)}`}
      </div>
      {health.lastError && (
        <div class="run-error">
          <code>{health.lastError.code}</code> {health.lastError.message}
        </div>
      )}
    </div>
  );
}

function quotaText(quota: SourceStatus['quota']): string {
  if (quota === null) return '—';
  const left = quota.remaining === null ? '?' : String(quota.remaining);
  const of = quota.limit === null ? '' : ` of ${quota.limit}`;
  const reset = quota.resetAt === null ? '' : `, resets ${formatTime(quota.resetAt)}`;
  return `${left}${of} left${reset} (as of ${formatTime(quota.updatedAt)})`;
}

/** Per source: its run states across `jobs` (newest first) and the newest error. */
function recentRuns(jobs: readonly Job[]): Map<string, RecentRuns> {
  const result = new Map<string, RecentRuns>();
  for (const job of jobs) {
    for (const run of job.sources) {
      const entry = result.get(run.source) ?? { byStatus: new Map<string, number>(), lastError: null };
      entry.byStatus.set(run.status, (entry.byStatus.get(run.status) ?? 0) + 1);
      entry.lastError ??= run.error;
      result.set(run.source, entry);
    }
  }
  return result;
}

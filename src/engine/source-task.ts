import type { Candidate, MediaKind, SourceRun } from '../domain.js';
import { type ErrorCode, TrawlError, isTrawlError, toTrawlError } from '../errors.js';
import { availability, type Source, type SourceContext } from '../sources/source.js';
import { abortReason } from '../signal.js';
import { alertNearDeadline } from './budget-alert.js';
import { type ItemOutcome, downloadCandidate } from './item-task.js';
import type { JobContext } from './job-context.js';

/** The media kinds a job of `type` asks of `source`, in order. */
export function kindsFor(type: JobContext['request']['type'], source: Source): MediaKind[] {
  const wanted: MediaKind[] = type === 'all' ? ['image', 'video'] : [type];
  return wanted.filter((kind) => source.kinds.includes(kind));
}

/**
 * Runs one source inside a job: searches page by page under the source budget, starts a download
 * for each candidate as soon as it is found, waits for all of them, and settles the run's state.
 * Never throws: every outcome ends in `run` (done, failed, timed_out, skipped or cancelled). A
 * source whose circuit breaker is open is skipped with TRAWL_CIRCUIT_OPEN, one that states no
 * licences while the job filters on licence with TRAWL_FILTERED; every run that starts is
 * recorded in the source's health.
 */
export async function runSource(ctx: JobContext, source: Source, run: SourceRun): Promise<void> {
  const { deps, request } = ctx;
  const available = availability(source, deps.config);
  const kinds = kindsFor(request.type, source);
  if (!available.ok) return skip(ctx, run, 'TRAWL_NOT_CONFIGURED', `${source.id}: ${available.reason}`);
  const exhausted = deps.quotas.exhaustedUntil(source.id);
  if (exhausted) return skip(ctx, run, 'TRAWL_RATE_LIMITED', `${source.id}: quota exhausted until ${exhausted}`);
  if (kinds.length === 0) return skip(ctx, run, 'TRAWL_BAD_INPUT', `${source.id} offers no ${request.type}s`);
  if (request.filters.license !== null && !source.statesLicenses) {
    return skip(ctx, run, 'TRAWL_FILTERED', `${source.id} states no licences; a licence filter is set`);
  }
  if (ctx.budget.aborted) return settleUnstarted(ctx, run);
  const admission = deps.health.admit(source.id);
  if (!admission.allowed) return skip(ctx, run, 'TRAWL_CIRCUIT_OPEN', admission.reason);
  try {
    await runAdmitted(ctx, source, run, kinds);
  } finally {
    // Every admitted run is recorded, even one cut short: a half-open breaker's trial slot must come back.
    const alert = deps.health.record(ctx.job.id, run);
    if (alert) deps.bus.emit('alert', { jobId: ctx.job.id, source: source.id, ...alert });
  }
}

/** Runs a source its circuit breaker let through, from the first search to the settled run. */
async function runAdmitted(ctx: JobContext, source: Source, run: SourceRun, kinds: MediaKind[]): Promise<void> {
  const { deps, request } = ctx;
  const budget = ctx.budget.child(`source ${source.id}`, request.budgets.sourceMs, 'TRAWL_SOURCE_TIMEOUT');
  const started = Date.now();
  Object.assign(run, { status: 'running', startedAt: new Date(started).toISOString(), budgetMs: budget.remaining() });
  await deps.store.saveSourceRun(ctx.job.id, run);
  deps.bus.emit('source.started', { jobId: ctx.job.id, source: source.id, budgetMs: run.budgetMs ?? 0 });

  const sourceContext: SourceContext = {
    signal: budget.signal,
    http: deps.http,
    config: deps.config,
    reportQuota: (quota) => deps.quotas.report(source.id, quota),
  };
  const disarm = alertNearDeadline(deps.bus, budget, { jobId: ctx.job.id, source: source.id, label: `source ${source.id}` });
  const downloads: Promise<void>[] = [];
  let searchError: TrawlError | undefined;
  try {
    for (const kind of kinds) {
      let taken = 0;
      const pages = source.search({ query: request.query, kind, limit: request.limit, filters: request.filters }, sourceContext);
      for await (const page of pages) {
        for (const candidate of page.slice(0, request.limit - taken)) {
          taken++;
          run.found++;
          downloads.push(downloadCandidate(ctx, candidate, budget.signal).then((outcome) => record(ctx, run, candidate, outcome, source, sourceContext)));
        }
        progress(ctx, run);
        if (taken >= request.limit) break;
      }
    }
  } catch (err) {
    searchError = toTrawlError(err, { source: source.id, jobId: ctx.job.id });
  }
  const settled = await Promise.allSettled(downloads);
  disarm();
  budget.dispose();
  const aborted = budget.signal.aborted ? abortReason(budget.signal) : undefined;
  const downloadError = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  finish(run, started, aborted ?? searchError ?? (downloadError ? toTrawlError(downloadError.reason) : undefined));
  await closeRun(ctx, run);
}

/** Applies one candidate's outcome to the run's counts and reports it. */
async function record(ctx: JobContext, run: SourceRun, candidate: Candidate, outcome: ItemOutcome, source: Source, context: SourceContext): Promise<void> {
  const { deps } = ctx;
  const { url } = candidate;
  switch (outcome.kind) {
    case 'saved':
      run.downloaded++;
      deps.bus.emit('item.saved', { jobId: ctx.job.id, source: run.source, item: outcome.item });
      await notifyDownloaded(ctx, source, candidate, context);
      break;
    case 'duplicate':
      run.duplicates++;
      break;
    case 'filtered':
      run.filtered++;
      break;
    case 'failed': {
      run.failed++;
      const error = outcome.error.toJSON();
      await deps.store.addFailure(ctx.job.id, { source: run.source, url, ...error });
      deps.bus.emit('item.failed', { jobId: ctx.job.id, source: run.source, url, error });
      break;
    }
  }
  progress(ctx, run);
}

/** Tells the source one of its files was saved (Unsplash requires it); a failure is an alert, not an item fault. */
async function notifyDownloaded(ctx: JobContext, source: Source, candidate: Candidate, context: SourceContext): Promise<void> {
  if (!source.notifyDownloaded) return;
  try {
    await source.notifyDownloaded(candidate, context);
  } catch (err) {
    if (context.signal.aborted) return;
    const message = `${source.id}: download tracking call failed: ${toTrawlError(err).message}`;
    ctx.deps.bus.emit('alert', { jobId: ctx.job.id, level: 'warning', message, source: source.id });
  }
}

function progress(ctx: JobContext, run: SourceRun): void {
  ctx.deps.bus.emit('source.progress', { jobId: ctx.job.id, source: run.source, run: { ...run } });
}

/**
 * Settles a run that ran: a budget or cancel decides first; then a failed search that gave nothing
 * usable, or every candidate failed, is `failed`; anything else is `done` (keeping a search error
 * as a note). Filtered candidates are the source working: a filter that no candidate meets ends
 * the run `done` with nothing downloaded, not `failed`.
 */
function finish(run: SourceRun, started: number, error: TrawlError | undefined): void {
  run.finishedAt = new Date().toISOString();
  run.elapsedMs = Date.now() - started;
  run.error = error ? error.toJSON() : null;
  if (error && isTrawlError(error, 'TRAWL_SOURCE_TIMEOUT', 'TRAWL_JOB_TIMEOUT')) run.status = 'timed_out';
  else if (error && isTrawlError(error, 'TRAWL_CANCELLED')) run.status = 'cancelled';
  else if (error && run.downloaded + run.duplicates + run.filtered === 0) run.status = 'failed';
  else if (run.found > 0 && run.downloaded + run.duplicates + run.filtered === 0) {
    run.status = 'failed';
    run.error = { code: 'TRAWL_NO_RESULTS', message: `${run.source}: all ${run.found} candidates failed` };
  } else run.status = 'done';
}

/** Records a run's terminal state and announces it. */
async function closeRun(ctx: JobContext, run: SourceRun): Promise<void> {
  await ctx.deps.store.saveSourceRun(ctx.job.id, run);
  ctx.deps.bus.emit('source.finished', { jobId: ctx.job.id, source: run.source, run: { ...run } });
}

async function skip(ctx: JobContext, run: SourceRun, code: ErrorCode, message: string): Promise<void> {
  Object.assign(run, { status: 'skipped', error: { code, message }, finishedAt: new Date().toISOString() });
  await closeRun(ctx, run);
}

/** A source the job never got to (job budget over, or cancelled) takes the job's reason. */
export async function settleUnstarted(ctx: JobContext, run: SourceRun): Promise<void> {
  const reason = abortReason(ctx.budget.signal);
  const status = reason.code === 'TRAWL_CANCELLED' ? 'cancelled' : 'timed_out';
  Object.assign(run, {
    status,
    error: { code: reason.code, message: `${reason.message} before ${run.source} started` },
    finishedAt: new Date().toISOString(),
  });
  await closeRun(ctx, run);
}

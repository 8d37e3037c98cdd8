import { formatDuration } from '../config/units.js';
import type { Job, SourceRun } from '../domain.js';
import type { EventBus, JobEvent } from '../engine/events.js';

/** Where progress goes: stderr, so that stdout stays free for the report. */
export interface ProgressStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Shows a job's progress on stderr: on a terminal, one live bar per source (elapsed time against
 * its budget) redrawn in place; elsewhere, one plain line per meaningful event, so logs and CI
 * output stay readable. Returns a function that stops it (and draws the final frame).
 */
export function showProgress(bus: EventBus, stream: ProgressStream): () => void {
  return stream.isTTY ? liveBars(bus, stream) : plainLines(bus, stream);
}

function plainLines(bus: EventBus, stream: ProgressStream): () => void {
  const started = Date.now();
  const stamp = (): string => `[${formatDuration(Date.now() - started).padStart(6)}]`;
  return bus.subscribe((event: JobEvent) => {
    const line = plainLine(event);
    if (line) stream.write(`${stamp()} ${line}\n`);
  });
}

function plainLine(event: JobEvent): string | undefined {
  switch (event.name) {
    case 'job.started':
      return `job ${event.data.jobId} started: "${event.data.job.query}" from ${event.data.job.sources.map((s) => s.source).join(', ')}`;
    case 'source.started':
      return `${event.data.source}: started (budget ${formatDuration(event.data.budgetMs)})`;
    case 'item.failed':
      return `${event.data.source}: item failed ${event.data.error.code}: ${event.data.error.message}`;
    case 'source.finished':
      return `${event.data.source}: ${describeRun(event.data.run)}`;
    case 'alert':
      return `alert: ${event.data.message}`;
    case 'job.finished':
      return describeJob(event.data.job);
    case 'source.progress':
    case 'item.saved':
      return undefined;
  }
}

/** `done: 20 found, 15 saved, 2 failed, 3 filtered in 5.1s` (with the error when there is one). */
export function describeRun(run: SourceRun): string {
  const counts = `${run.found} found, ${run.downloaded} saved, ${run.failed} failed${run.filtered ? `, ${run.filtered} filtered` : ''}${run.duplicates ? `, ${run.duplicates} duplicates` : ''}`;
  const time = run.elapsedMs === null ? '' : ` in ${formatDuration(run.elapsedMs)}`;
  const why = run.error ? ` — ${run.error.code}: ${run.error.message}` : '';
  return `${run.status}: ${counts}${time}${why}`;
}

/** `job … completed: 38 saved (30 images, 8 videos) in 12.3s`. */
export function describeJob(job: Job): string {
  const time = job.elapsedMs === null ? '' : ` in ${formatDuration(job.elapsedMs)}`;
  const why = job.error ? ` — ${job.error.code}: ${job.error.message}` : '';
  return `job ${job.id} ${job.status}: ${job.downloaded} saved (${job.images} images, ${job.videos} videos), ${job.failed} failed${time}${why}`;
}

const BAR_WIDTH = 20;

function liveBars(bus: EventBus, stream: ProgressStream): () => void {
  const runs = new Map<string, SourceRun>();
  let drawn = 0;
  let jobLine = 'starting…';
  const draw = (): void => {
    const lines = [jobLine, ...[...runs.values()].map(barLine)];
    const up = drawn > 0 ? `\x1b[${drawn}A` : '';
    stream.write(`${up}${lines.map((l) => `\x1b[2K${l.slice(0, (stream.columns ?? 100) - 1)}`).join('\n')}\n`);
    drawn = lines.length;
  };
  const unsubscribe = bus.subscribe((event) => {
    if (event.name === 'job.started') {
      jobLine = `job ${event.data.jobId}: "${event.data.job.query}"`;
      for (const run of event.data.job.sources) runs.set(run.source, run);
    } else if (event.name === 'source.progress' || event.name === 'source.finished') {
      runs.set(event.data.source, event.data.run);
    } else if (event.name === 'source.started') {
      const run = runs.get(event.data.source);
      if (run) runs.set(event.data.source, { ...run, status: 'running', startedAt: new Date().toISOString(), budgetMs: event.data.budgetMs });
    } else if (event.name === 'job.finished') {
      jobLine = describeJob(event.data.job);
    }
  });
  const timer = setInterval(draw, 100);
  timer.unref();
  let stopped = false;
  return () => {
    // Once only: a second final frame would move the cursor up over whatever was written since.
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    unsubscribe();
    draw();
  };
}

function barLine(run: SourceRun): string {
  const started = run.startedAt ? Date.parse(run.startedAt) : undefined;
  const elapsed = run.elapsedMs ?? (started === undefined ? 0 : Date.now() - started);
  const budget = run.budgetMs ?? 0;
  const share = budget > 0 ? Math.min(1, elapsed / budget) : 0;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const time = budget > 0 ? `${formatDuration(elapsed)}/${formatDuration(budget)}` : '';
  const warn = share >= 0.8 && run.status === 'running' ? ' ⚠' : '';
  return `${run.source.padEnd(18)} ${bar} ${time.padEnd(13)} ${run.status.padEnd(9)} found ${run.found}  saved ${run.downloaded}  failed ${run.failed}${warn}`;
}

import type { Config } from '../config/config.js';
import type { EventBus, JobEvent } from '../engine/events.js';
import type { TrawlLogger } from './logger.js';

/**
 * Turns job events into the log lines operators already grep for: `JOB START`, `CONFIG`,
 * `SOURCE COMPLETED`, `TIMEOUT` (a source), `GLOBAL TIMEOUT` (a job), `JOB COMPLETE`, each with
 * the job id, source, counts and elapsed time as fields. Returns the unsubscribe function.
 */
export function logJobEvents(bus: EventBus, logger: TrawlLogger, config: Config): () => void {
  return bus.subscribe((event) => writeLine(logger, config, event));
}

function writeLine(logger: TrawlLogger, config: Config, event: JobEvent): void {
  switch (event.name) {
    case 'job.started': {
      const { job } = event.data;
      logger.info({ jobId: job.id, query: job.query, type: job.type, limit: job.limit, sources: job.sources.map((s) => s.source) }, 'JOB START');
      logger.info({ jobId: job.id, budgets: job.budgets, maxConcurrentSources: config.maxConcurrentSources, downloadConcurrency: config.downloadConcurrency, hostConcurrency: config.hostConcurrency, minSpeed: config.minSpeed, maxFileSize: config.maxFileSize, provenance: config.provenance }, 'CONFIG');
      return;
    }
    case 'source.finished': {
      const { run, jobId } = event.data;
      const fields = { jobId, source: run.source, status: run.status, found: run.found, downloaded: run.downloaded, failed: run.failed, duplicates: run.duplicates, filtered: run.filtered, elapsedMs: run.elapsedMs, budgetMs: run.budgetMs, error: run.error };
      if (run.status === 'timed_out' && run.error?.code === 'TRAWL_SOURCE_TIMEOUT') logger.warn(fields, 'TIMEOUT');
      logger.info(fields, 'SOURCE COMPLETED');
      return;
    }
    case 'item.failed':
      logger.warn({ jobId: event.data.jobId, source: event.data.source, url: event.data.url, error: event.data.error }, 'ITEM FAILED');
      return;
    case 'alert': {
      // `severity`, not `level`: pino's own level field must stay the only one.
      const { level, ...rest } = event.data;
      logger.warn({ ...rest, severity: level }, 'ALERT');
      return;
    }
    case 'job.finished': {
      const { job } = event.data;
      const fields = { jobId: job.id, status: job.status, downloaded: job.downloaded, images: job.images, videos: job.videos, failed: job.failed, elapsedMs: job.elapsedMs, error: job.error };
      if (job.status === 'timed_out') logger.warn(fields, 'GLOBAL TIMEOUT');
      logger.info(fields, 'JOB COMPLETE');
      return;
    }
    case 'source.started':
    case 'source.progress':
    case 'item.saved':
      return;
  }
}

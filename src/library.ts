/**
 * Trawl as a library: `harvest()` runs one job in this process, exactly as `trawl fetch` does, and
 * resolves to the same report as `trawl fetch --json`. It prints nothing and installs no signal
 * handlers; the caller cancels through `signal` and watches through `onEvent`.
 */
import { loadConfig } from './config/config.js';
import type { MediaType, Orientation, SourceId } from './domain.js';
import type { JobEvent } from './engine/events.js';
import { TrawlError } from './errors.js';
import { buildJobRequest, renameBadInput } from './services/job-request.js';
import type { JobReport } from './services/report.js';
import { loadSourceRegistry } from './sources/plugin-sources.js';

/** A budget: a duration like `500ms`, `10s`, `5m`, `1h`, or a number of seconds. */
export type Duration = string | number;

/** The three budgets of a job; each one left out comes from the environment (TRAWL_*_TIMEOUT) or its default. */
export interface HarvestTimeouts {
  /** Per request: connect + headers, and the longest silence in a body (default 10s). */
  request?: Duration;
  /** Per source: all its searches and downloads (default 30s). */
  source?: Duration;
  /** Per job: everything (default 300s). */
  job?: Duration;
}

/** Which items a job keeps (CONTRACT.md "Filters"): one vocabulary for every source. */
export interface HarvestFilters {
  minWidth?: number;
  minHeight?: number;
  orientation?: Orientation;
  /** Licence codes (`cc0`, `cc-by`, …) or groups (`open`, `commercial`, `modify`). */
  license?: string | string[];
  /** On unless `false` or `'off'`. */
  safeSearch?: boolean | 'on' | 'off';
  /** Image formats by the saved file's sniffed type: `jpeg`, `png`, `webp`, `gif`, `avif`. */
  format?: string | string[];
}

/** What {@link harvest} accepts: the `trawl fetch` flags, plus cancellation and events. */
export interface HarvestOptions {
  /** What to search for (1 to 500 characters). */
  query: string;
  /** The sources to ask; by default every configured source that offers `type`. */
  sources?: readonly SourceId[];
  /** `image` (the default), `video` or `all`. */
  type?: MediaType;
  /** Items per source and per kind, from 1 to 1000 (default 20). */
  limit?: number;
  /** Which items to keep; see {@link HarvestFilters}. */
  filters?: HarvestFilters;
  /** Where the files go (default `downloads`, relative to the current directory). */
  out?: string;
  /** The database and log directory (default TRAWL_DATA_DIR, else `./data`). */
  dataDir?: string;
  timeouts?: HarvestTimeouts;
  /**
   * Cancels the job: its sockets close, its partial files are deleted, and `harvest` resolves with
   * the report of a `cancelled` job.
   */
  signal?: AbortSignal;
  /**
   * Called synchronously with each engine event as it happens (`job.started`, `source.progress`,
   * `item.saved`, …). It must not block; an error it throws is logged and never stops the job.
   */
  onEvent?: (event: JobEvent) => void;
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['query', 'sources', 'type', 'limit', 'filters', 'out', 'dataDir', 'timeouts', 'signal', 'onEvent'] satisfies Array<keyof HarvestOptions>);

/** The library's names for the job-request fields whose names differ. */
const OPTION_FOR_FIELD: Readonly<Record<string, string>> = { outDir: 'out' };

/**
 * Searches the sources for `query` and downloads the media as one job, in this process; resolves
 * to the report `trawl fetch --json` prints, whatever the job's final status (`completed`,
 * `failed`, `timed_out` or `cancelled`). Settings not given here come from the environment and
 * `.env` in the current directory, as for the CLI (API keys, TRAWL_* variables).
 *
 * Rejects with a TrawlError: TRAWL_BAD_INPUT naming the option for a bad option, TRAWL_BAD_CONFIG
 * for a bad environment variable, TRAWL_DATABASE or TRAWL_DISK when the data directory cannot be
 * used.
 */
export async function harvest(options: HarvestOptions): Promise<JobReport> {
  checkOptions(options);
  const env = options.dataDir === undefined ? process.env : { ...process.env, TRAWL_DATA_DIR: options.dataDir };
  const config = loadConfig({ env, cwd: process.cwd() });
  const registry = await loadSourceRegistry(config);
  let request;
  try {
    const { query, sources, type, limit, out, timeouts, filters } = options;
    request = buildJobRequest({ query, sources, type, limit, outDir: out, filters, ...(timeouts === undefined ? {} : { timeouts }) }, config, registry);
  } catch (err) {
    throw renameBadInput(err, OPTION_FOR_FIELD);
  }
  // The engine (HTTP client, SQLite, sniffing) loads on the first call, not on import.
  const { runOneJob } = await import('./services/harvest.js');
  const { onEvent, signal } = options;
  const { report } = await runOneJob(config, request, {
    sources: registry,
    ...(signal === undefined ? {} : { signal }),
    ...(onEvent === undefined ? {} : { watch: (bus) => bus.subscribe(onEvent) }),
  });
  return report;
}

/** Checks what TypeScript would, for callers in plain JavaScript: every problem names the option. */
function checkOptions(options: unknown): asserts options is HarvestOptions {
  if (typeof options !== 'object' || options === null) throw bad('options', 'must be an object like { query: "cats" }');
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_NAMES.has(key)) throw bad(key, `is not an option; the options are ${[...OPTION_NAMES].join(', ')}`);
  }
  const { dataDir, timeouts, signal, onEvent } = given;
  if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir.trim() === '')) throw bad('dataDir', 'must be a directory path');
  if (timeouts !== undefined && (typeof timeouts !== 'object' || timeouts === null)) throw bad('timeouts', 'must be an object like { job: "5m" }');
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw bad('signal', 'must be an AbortSignal');
  if (onEvent !== undefined && typeof onEvent !== 'function') throw bad('onEvent', 'must be a function');
}

function bad(option: string, message: string): TrawlError {
  return new TrawlError('TRAWL_BAD_INPUT', `${option}: ${message}`, { context: { field: option } });
}

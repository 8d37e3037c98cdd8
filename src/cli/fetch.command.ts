import type { Command } from 'commander';
import { type ConfigOverrides, loadConfig } from '../config/config.js';
import { TrawlError, isTrawlError } from '../errors.js';
import { FILTER_FLAGS, type FilterInput } from '../filters/parse.js';
import { buildJobRequest, renameBadInput } from '../services/job-request.js';
import { exitCodeFor } from '../services/report.js';
import { loadSourceRegistry } from '../sources/plugin-sources.js';
import { SOURCE_LIST } from '../sources/registry.js';
import { fetchHelpText } from './fetch-help.js';
import { describeRun, showProgress } from './progress.js';
import { type CliIo, UsageError } from './io.js';
import { addLimitOption } from './limit-option.js';
import { quitJob } from './quit-job.js';

interface FetchFlags {
  sources?: string;
  type?: string;
  limit?: string;
  out?: string;
  json?: boolean;
  requestTimeout?: string;
  sourceTimeout?: string;
  jobTimeout?: string;
  maxConcurrentSources?: string;
  minWidth?: string;
  minHeight?: string;
  orientation?: string;
  license?: string;
  safeSearch?: string;
  format?: string;
}

/** CLI names for the fields a job request validates, so errors name the flag the user typed. */
const FLAG_FOR_FIELD: Record<string, string> = {
  query: '<query>',
  sources: '--sources',
  type: '--type',
  limit: '--limit',
  outDir: '--out',
  maxConcurrentSources: '--max-concurrent-sources',
  filters: 'filter flags',
  ...Object.fromEntries(Object.entries(FILTER_FLAGS).map(([field, flag]) => [`filters.${field}`, flag])),
};

/** `trawl fetch <query>`: runs one job in this process and reports it. */
export function registerFetch(program: Command, io: CliIo): void {
  const command = program
    .command('fetch')
    .description('search the sources for <query> and download the media as one job (no server needed)')
    .argument('<query>', 'what to search for')
    .option('-s, --sources <ids>', 'comma-separated source ids (default: every configured source; listed below)')
    .option('-t, --type <type>', 'image, video or all (images and videos work too)', 'image');
  addLimitOption(command, 'items per source and per kind', '20')
    .option('-o, --out <dir>', 'where to save the files', 'downloads')
    .option('--json', 'print the final report as JSON on stdout (the only thing on stdout)')
    .option('--request-timeout <duration>', 'per request: connect + headers, and the longest silence in a body')
    .option('--source-timeout <duration>', 'per source: all its searches and downloads')
    .option('--job-timeout <duration>', 'per job: everything')
    .option('--max-concurrent-sources <n>', 'sources running at once')
    .option('--min-width <px>', 'only files at least this many pixels wide')
    .option('--min-height <px>', 'only files at least this many pixels high')
    .option('--orientation <shape>', 'landscape, portrait or square (sides within 5 % of each other)')
    .option('--license <list>', 'licence codes (cc0, cc-by, pexels, …) or groups: open, commercial, modify')
    .option('--safe-search <on|off>', 'ask sources to leave out explicit results (default: on)')
    .option('--format <list>', 'image types: jpeg, png, webp, gif, avif (videos are not constrained)')
    .addHelpText('after', fetchHelpText(SOURCE_LIST))
    .action(async (query: string, flags: FetchFlags) => {
      io.exitCode = await fetchCommand(query, flags, io);
    });
}

async function fetchCommand(query: string, flags: FetchFlags, io: CliIo): Promise<number> {
  const overrides: ConfigOverrides = {};
  if (flags.requestTimeout !== undefined) overrides.requestTimeout = flags.requestTimeout;
  if (flags.sourceTimeout !== undefined) overrides.sourceTimeout = flags.sourceTimeout;
  if (flags.jobTimeout !== undefined) overrides.jobTimeout = flags.jobTimeout;
  if (flags.maxConcurrentSources !== undefined) overrides.maxConcurrentSources = flags.maxConcurrentSources;
  const config = loadConfig({ env: io.env, cwd: io.cwd, overrides });
  const registry = await loadSourceRegistry(config);
  const request = asUsage(() =>
    buildJobRequest({ query, sources: flags.sources, type: mediaType(flags.type), limit: flags.limit, outDir: flags.out, filters: filterFlags(flags) }, config, registry),
  );

  // The engine (HTTP client, SQLite, logger, sniffing) loads only once the arguments are valid,
  // so a usage error answers at once.
  const { runOneJob } = await import('../services/harvest.js');
  const cancel = new AbortController();
  // Set once the job is recorded: a second Ctrl-C then closes it before the process exits.
  let quit: (() => void) | undefined;
  const stopSignals = io.onInterrupt(
    () => {
      io.stderr.write('\ncancelling… (press Ctrl-C again to quit at once)\n');
      cancel.abort(new TrawlError('TRAWL_CANCELLED', 'cancelled by the user (Ctrl-C)'));
    },
    () => quit?.(),
  );
  try {
    const { job, report } = await runOneJob(config, request, {
      sources: registry,
      signal: cancel.signal,
      watch: (bus) => showProgress(bus, io.stderr),
      onCreated: (created, runtime) => (quit = () => quitJob(runtime, created, io)),
    });
    if (flags.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      for (const run of job.sources) io.stdout.write(`${run.source.padEnd(18)} ${describeRun(run)}\n`);
      io.stdout.write(`${job.status}: ${job.downloaded} files (${job.images} images, ${job.videos} videos) in ${request.outDir}${job.error ? ` — ${job.error.message}` : ''}\n`);
    }
    return exitCodeFor(job.status);
  } finally {
    stopSignals();
  }
}

/** The dashboard's words for a type (images, videos) as the job request's. */
function mediaType(type: string | undefined): string | undefined {
  return type === 'images' ? 'image' : type === 'videos' ? 'video' : type;
}

/** The filter flags as a job input's `filters` (absent flags are no constraint). */
function filterFlags(flags: FetchFlags): FilterInput {
  const { minWidth, minHeight, orientation, license, safeSearch, format } = flags;
  return { minWidth, minHeight, orientation, license, safeSearch, format };
}

/** Re-throws a bad job input as a usage error naming the CLI flag. */
function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const renamed = renameBadInput(err, FLAG_FOR_FIELD);
    throw isTrawlError(renamed, 'TRAWL_BAD_INPUT') ? new UsageError(renamed.message) : renamed;
  }
}

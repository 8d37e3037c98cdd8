import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config/config.js';
import { parseDuration } from '../config/units.js';
import { JOB_STATUSES, type JobStatus } from '../domain.js';
import { TrawlError } from '../errors.js';
import type { JobListQuery } from '../services/job-admin.js';
import type { Store } from '../store/store.js';
import { type CliIo, UsageError } from './io.js';
import { renderCancel, renderCleanup, renderJobDetails, renderJobList } from './jobs.render.js';
import { addLimitOption } from './limit-option.js';
import { resolveJobId } from './resolve-job-id.js';

interface ListFlags {
  status?: string;
  since?: string;
  limit?: string;
  json?: boolean;
}

const SHOW_EVENTS = 20;
const SHOW_LOG_LINES = 40;

/**
 * `trawl jobs list|show|cancel|cleanup`: diagnose and repair jobs straight on the data dir, whether
 * or not a server is running. Engine modules load only once the arguments are valid.
 */
export function registerJobs(program: Command, io: CliIo): void {
  const jobs = program.command('jobs').description('diagnose and repair jobs, straight on the data dir (no server needed)');
  const list = jobs
    .command('list')
    .description('the newest jobs, newest first')
    .option('--status <states>', `only these states, comma-separated (${JOB_STATUSES.join(', ')})`)
    .option('--since <duration>', 'only jobs created within this long, e.g. 1h');
  addLimitOption(list, 'at most this many jobs', '20')
    .option('--json', 'print the jobs as JSON')
    .action(async (flags: ListFlags) => {
      const query = parseListFlags(flags);
      await listJobs(config(io), query, flags.json === true, io);
    });
  jobs
    .command('show')
    .description("one job: its sources, counts, last events and log lines")
    .argument('<id>', 'the job id, or its first characters (at least 4) when they name one job')
    .option('--json', 'print the details as JSON')
    .action(async (id: string, flags: { json?: boolean }) => showJob(config(io), id, flags.json === true, io));
  jobs
    .command('cancel')
    .description('cancel a job wherever it runs: a queued one at once, a running one at its next heartbeat')
    .argument('<id>', 'the job id, or its first characters (at least 4) when they name one job')
    .action(async (id: string) => cancel(config(io), id, io));
  jobs
    .command('cleanup')
    .description('close stuck jobs (no heartbeat for TRAWL_STUCK_AFTER) as failed and remove orphaned temp files')
    .option('--json', 'print what was done as JSON')
    .action(async (flags: { json?: boolean }) => cleanup(config(io), flags.json === true, io));
}

function config(io: CliIo): Config {
  return loadConfig({ env: io.env, cwd: io.cwd });
}

function parseListFlags(flags: ListFlags): JobListQuery {
  const query: JobListQuery = {};
  if (flags.status !== undefined) {
    const statuses = flags.status.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = statuses.find((s) => !(JOB_STATUSES as readonly string[]).includes(s));
    if (unknown !== undefined || statuses.length === 0) throw new UsageError(`--status: unknown state "${unknown ?? flags.status}"; expected some of ${JOB_STATUSES.join(', ')}`);
    query.statuses = statuses as JobStatus[];
  }
  if (flags.since !== undefined) {
    const sinceMs = parseDuration(flags.since);
    if (sinceMs === undefined) throw new UsageError(`--since="${flags.since}": expected a duration like 90s, 30m or 1h`);
    query.sinceMs = sinceMs;
  }
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit="${flags.limit ?? ''}": expected a whole number from 1`);
  query.limit = limit;
  return query;
}

/** Whether the configured database exists; a data dir nobody has used has none (and gets none from us). */
async function hasDatabase(cfg: Config): Promise<boolean> {
  const { selectsPostgres, sqlitePath } = await import('../store/open-store.js');
  return selectsPostgres(cfg) || existsSync(sqlitePath(cfg));
}

/** Runs `work` on the migrated store, or returns undefined when the data dir has no database yet. */
async function withExistingStore<T>(cfg: Config, work: (store: Store) => Promise<T>): Promise<T | undefined> {
  const { openStore } = await import('../store/open-store.js');
  if (!(await hasDatabase(cfg))) return undefined;
  const store = await openStore(cfg);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function listJobs(cfg: Config, query: JobListQuery, json: boolean, io: CliIo): Promise<void> {
  const { listRecentJobs } = await import('../services/job-admin.js');
  const jobs = (await withExistingStore(cfg, (store) => listRecentJobs(store, query))) ?? [];
  io.stdout.write(json ? `${JSON.stringify(jobs, null, 2)}\n` : renderJobList(jobs, new Date()));
}

async function showJob(cfg: Config, id: string, json: boolean, io: CliIo): Promise<void> {
  const { describeJob } = await import('../services/job-admin.js');
  const logFile = path.join(cfg.dataDir, 'logs', 'trawl.log');
  const details = await withExistingStore(cfg, async (store) => describeJob(store, logFile, await resolveJobId(store, id), { events: SHOW_EVENTS, logLines: SHOW_LOG_LINES }));
  if (details === undefined) throw new TrawlError('TRAWL_NOT_FOUND', `job ${id} does not exist (there is no database in ${cfg.dataDir} yet)`);
  io.stdout.write(json ? `${JSON.stringify(details, null, 2)}\n` : renderJobDetails(details, new Date()));
}

async function cancel(cfg: Config, id: string, io: CliIo): Promise<void> {
  const { openRuntime } = await import('../services/runtime.js');
  const { cancelJob } = await import('../services/job-admin.js');
  if (!(await hasDatabase(cfg))) {
    throw new TrawlError('TRAWL_NOT_FOUND', `job ${id} does not exist (there is no database in ${cfg.dataDir} yet)`);
  }
  const runtime = await openRuntime(cfg);
  try {
    // The worker sees the request at its next heartbeat, then needs a moment to close sockets and files.
    const waitMs = 2 * cfg.heartbeatIntervalMs;
    const result = await cancelJob(runtime.deps, await resolveJobId(runtime.deps.store, id), { waitMs, pollMs: Math.max(50, Math.min(500, cfg.heartbeatIntervalMs / 5)) });
    io.stdout.write(renderCancel(result, waitMs));
  } finally {
    await runtime.close();
  }
}

async function cleanup(cfg: Config, json: boolean, io: CliIo): Promise<void> {
  const { openRuntime } = await import('../services/runtime.js');
  const { reapStuckJobs, reaperDeps } = await import('../services/reaper.js');
  const runtime = await openRuntime(cfg);
  try {
    const report = await reapStuckJobs(reaperDeps(runtime));
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : renderCleanup(report));
  } finally {
    await runtime.close();
  }
}

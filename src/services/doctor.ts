/**
 * `trawl doctor`: checks the configuration, the data dir, the database, the disk, the sources'
 * keys and the jobs, and says exactly what is wrong. It changes nothing (a probe file it writes is
 * deleted at once) and makes no network request but to a PostgreSQL database TRAWL_DATABASE_URL names,
 * unless asked to probe the sources online (`--online`, see doctor-online.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, rmdir, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { formatBytes, formatDuration } from '../config/units.js';
import type { Job } from '../domain.js';
import { toTrawlError } from '../errors.js';
import { type Source, availability } from '../sources/source.js';
import { postgresUrl, sqlitePath } from '../store/open-store.js';
import { maskDatabaseUrl } from '../store/postgres/postgres-errors.js';
import { openPostgresStore, type PostgresStore } from '../store/postgres/postgres.store.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite.store.js';
import { MAX_JOB_LIST_LIMIT } from '../store/queries.js';
import { type SettingLine, settingLines } from './doctor-settings.js';
import { type SourceProbe, probeSources } from './doctor-online.js';
import { isStuck, lastSignOfLife } from './reaper.js';
import type { HttpClient } from '../net/http.js';

/** One finding: `ok` false makes it a problem, and `detail` says exactly what is wrong. */
export interface DoctorCheck {
  name: 'settings' | 'data dir' | 'database' | 'disk' | 'sources' | 'plugins' | 'jobs' | 'online';
  ok: boolean;
  detail: string;
}

/** Everything `trawl doctor` found. */
export interface DoctorReport {
  settings: SettingLine[];
  checks: DoctorCheck[];
  /** The failed checks' details: empty when all is well. */
  problems: string[];
  /** Each source's probe, when run with `online`. */
  online?: SourceProbe[];
}

/** What `runDoctor` checks against, and whether it goes online. */
export interface DoctorOptions {
  /** The environment the config was loaded from. */
  env: NodeJS.ProcessEnv;
  /** The sources whose keys matter (and which are probed online). */
  registry: readonly Source[];
  /** Why the TRAWL_SOURCES_PATH plugins could not be loaded (`registry` then holds the built-ins only). */
  pluginError?: string;
  now?: Date;
  /** Probe each configured source with one small search over this client; without it, no source is contacted. */
  online?: HttpClient;
}

/** Runs every check against `config`; a source that cannot be reached online is a problem, one without its key is not. */
export async function runDoctor(config: Config, options: DoctorOptions): Promise<DoctorReport> {
  const now = options.now ?? new Date();
  const checks: DoctorCheck[] = [...checkTimings(config), await checkDataDir(config.dataDir, config.dataDirReason), await checkDisk(config)];
  const database = await checkDatabase(config, now);
  checks.push(...database, ...checkSources(config, options.registry), ...checkPlugins(config, options));
  const online = options.online === undefined ? undefined : await probeSources(config, options.registry, { http: options.online });
  for (const probe of online ?? []) checks.push({ name: 'online', ok: probe.outcome === 'ok' || probe.outcome === 'skipped', detail: probe.detail });
  const report: DoctorReport = { settings: settingLines(config, options.env), checks, problems: checks.filter((check) => !check.ok).map((check) => check.detail) };
  if (online !== undefined) report.online = online;
  return report;
}

/** The reaper must never take a live job for a dead one. */
function checkTimings(config: Config): DoctorCheck[] {
  const { heartbeatIntervalMs: beat, stuckAfterMs: stuck } = config;
  if (stuck >= 2 * beat) return [];
  return [
    {
      name: 'settings',
      ok: false,
      detail: `TRAWL_STUCK_AFTER (${formatDuration(stuck)}) must be at least twice TRAWL_HEARTBEAT_INTERVAL (${formatDuration(beat)}), or live jobs that miss one heartbeat are reaped as dead`,
    },
  ];
}

/**
 * The data dir exists and takes a file, or can be created (then it is removed again). `reason`
 * (which rule chose the directory) ends the detail when all is well.
 */
export async function checkDataDir(dir: string, reason?: string): Promise<DoctorCheck> {
  const why = reason === undefined ? '' : ` (${reason})`;
  const fail = (detail: string): DoctorCheck => ({ name: 'data dir', ok: false, detail: `TRAWL_DATA_DIR ${dir} ${detail}` });
  const info = await stat(dir).catch((err: unknown) => err as NodeJS.ErrnoException);
  if (info instanceof Error && info.code !== 'ENOENT') return fail(`cannot be used: ${describe(info)}`);
  if (!(info instanceof Error)) {
    if (!info.isDirectory()) return fail('is not a directory (a file is in the way); point TRAWL_DATA_DIR at a directory');
    try {
      await probe(dir);
      return { name: 'data dir', ok: true, detail: `${dir} exists and is writable${why}` };
    } catch (err) {
      return fail(`is not writable: ${describe(err)}`);
    }
  }
  const created: string[] = [];
  try {
    for (const level of missingLevels(dir)) {
      await mkdir(level);
      created.unshift(level);
    }
    await probe(dir);
    return { name: 'data dir', ok: true, detail: `${dir} does not exist yet; Trawl can create it${why}` };
  } catch (err) {
    return fail(`does not exist and cannot be created: ${describe(err)}`);
  } finally {
    for (const level of created) await rmdir(level).catch(() => undefined);
  }
}

/**
 * The directories to create for `dir`, outermost first. Made one by one: Node 20's recursive mkdir
 * never returns for some paths (under /proc it retries ENOENT forever).
 */
function missingLevels(dir: string): string[] {
  const levels: string[] = [];
  for (let current = dir; !existsSync(current) && path.dirname(current) !== current; current = path.dirname(current)) levels.unshift(current);
  return levels;
}

async function probe(dir: string): Promise<void> {
  const file = path.join(dir, `.trawl-doctor-${randomBytes(6).toString('hex')}`);
  await writeFile(file, 'probe', { flag: 'wx' });
  await unlink(file);
}

/** Free space where the data dir is (or would be). */
async function checkDisk(config: Config): Promise<DoctorCheck> {
  let dir = config.dataDir;
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    const fs = await statfs(dir);
    const free = fs.bavail * fs.bsize;
    const needed = 2 * config.maxFileSize;
    if (free < needed) {
      return { name: 'disk', ok: false, detail: `only ${formatBytes(free)} free on the disk of ${config.dataDir}: less than twice TRAWL_MAX_FILE_SIZE (${formatBytes(config.maxFileSize)}); free space or move TRAWL_DATA_DIR` };
    }
    return { name: 'disk', ok: true, detail: `${formatBytes(free)} free on the disk of ${config.dataDir}` };
  } catch (err) {
    return { name: 'disk', ok: false, detail: `cannot read the free space of ${dir}: ${describe(err)}` };
  }
}

/** The database opens, is migrated, and holds no stuck job. Read-only: nothing is migrated here. */
async function checkDatabase(config: Config, now: Date): Promise<DoctorCheck[]> {
  const url = postgresUrl(config);
  if (url !== undefined) return inspectDatabase(`PostgreSQL database ${maskDatabaseUrl(url)}`, () => openPostgresStore(url, { poolSize: 1 }), config, now);
  const file = sqlitePath(config);
  if (!existsSync(file)) return [{ name: 'database', ok: true, detail: `no database yet at ${file}; it is created on first use` }];
  return inspectDatabase(`database ${file}`, () => openSqliteStore(file, { readonly: true }), config, now);
}

/** The checks of an existing database `name` (as messages call it), opened with `open`. */
async function inspectDatabase(name: string, open: () => SqliteStore | PostgresStore, config: Config, now: Date): Promise<DoctorCheck[]> {
  let store;
  try {
    store = open();
    const pending = await store.pendingMigrations();
    if (pending.length > 0) {
      const missing = pending.map((m) => `${m.version} (${m.name})`).join(', ');
      return [{ name: 'database', ok: false, detail: `${name} is not migrated: missing migration${pending.length > 1 ? 's' : ''} ${missing}; any command that opens it for writing (e.g. trawl jobs cleanup) migrates it` }];
    }
    const running = await store.listJobs({ status: ['running'], limit: MAX_JOB_LIST_LIMIT });
    return [{ name: 'database', ok: true, detail: `${name} opens and is migrated` }, checkJobs(running, config, now)];
  } catch (err) {
    return [{ name: 'database', ok: false, detail: `${name} cannot be read: ${describe(err)}` }];
  } finally {
    await store?.close();
  }
}

function checkJobs(running: Job[], config: Config, now: Date): DoctorCheck {
  const stuck = running.filter((job) => isStuck(job, now, config.stuckAfterMs));
  if (stuck.length === 0) return { name: 'jobs', ok: true, detail: `no stuck jobs (${running.length} running)` };
  const list = stuck.map((job) => `${job.id} (worker ${job.worker ?? '(unknown)'}, silent for ${formatDuration(now.getTime() - Date.parse(lastSignOfLife(job)))})`).join('; ');
  return {
    name: 'jobs',
    ok: false,
    detail: `${stuck.length} stuck job${stuck.length > 1 ? 's' : ''}, running with no heartbeat for longer than TRAWL_STUCK_AFTER (${formatDuration(config.stuckAfterMs)}): ${list}; run trawl jobs cleanup`,
  };
}

/** Which sources have the keys they need; a missing key is a note (that source is skipped), not a problem. */
function checkSources(config: Config, registry: readonly Source[]): DoctorCheck[] {
  const missing = registry.flatMap((source) => {
    const available = availability(source, config);
    return available.ok ? [] : [`${source.id} (${available.reason})`];
  });
  const ready = registry.length - missing.length;
  const detail = `${ready} of ${registry.length} sources ready${missing.length > 0 ? `; skipped for want of a key: ${missing.join(', ')}` : ''}`;
  return [{ name: 'sources', ok: true, detail }];
}

/** The plugin sources TRAWL_SOURCES_PATH loaded (id and file), or why they could not be; nothing when it is unset. */
function checkPlugins(config: Config, options: DoctorOptions): DoctorCheck[] {
  if (config.sourcesPath.length === 0) return [];
  if (options.pluginError !== undefined) return [{ name: 'plugins', ok: false, detail: options.pluginError }];
  const plugins = options.registry.slice(-config.sourcesPath.length).map((source, i) => `${source.id} (${config.sourcesPath[i] ?? ''})`);
  return [{ name: 'plugins', ok: true, detail: `${plugins.length} plugin source${plugins.length > 1 ? 's' : ''} loaded: ${plugins.join(', ')}` }];
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const message = toTrawlError(err).message.replace(/^unexpected error: /, '');
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

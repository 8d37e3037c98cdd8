import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { TrawlError } from '../errors.js';
import { SOURCE_ID_PATTERN, type SourceId } from '../domain.js';
import { type DataDirContext, userDataDir } from './data-dir.js';
import { API_KEY_VARS } from '../sources/registry.js';
import { type MinSpeed, parseDuration, parseMinSpeed, parseSize } from './units.js';

/** Trawl's settings, parsed once and frozen. Durations are milliseconds, sizes bytes. */
export interface Config {
  readonly requestTimeoutMs: number;
  readonly sourceTimeoutMs: number;
  readonly jobTimeoutMs: number;
  readonly maxConcurrentSources: number;
  /** Jobs `trawl serve` runs at once; the others wait `queued`. */
  readonly maxConcurrentJobs: number;
  readonly minSpeed: MinSpeed;
  readonly maxFileSize: number;
  readonly maxPixels: number;
  readonly allowPrivateNetworks: boolean;
  readonly allowHosts: readonly string[];
  readonly downloadConcurrency: number;
  readonly hostConcurrency: number;
  readonly maxRedirects: number;
  readonly userAgent: string;
  /** Absolute: TRAWL_DATA_DIR (relative to the working directory), else the per-user data directory. */
  readonly dataDir: string;
  /** Which rule chose `dataDir`, for people (`trawl doctor`). */
  readonly dataDirReason: string;
  readonly databaseUrl: string | undefined;
  readonly heartbeatIntervalMs: number;
  /** How often a job runner looks for jobs other processes queued. */
  readonly queuePollIntervalMs: number;
  readonly stuckAfterMs: number;
  /** Failed runs of a source in a row that open its circuit breaker. */
  readonly breakerFailures: number;
  /** How long an open breaker skips its source before one trial run may go through. */
  readonly breakerCooldownMs: number;
  readonly apiToken: string | undefined;
  /**
   * Extra names `trawl serve` answers to in the `Host` header (TRAWL_SERVER_NAMES), lower-case;
   * `.example.com` also covers every name under it. Loopback names and the bound address need none.
   */
  readonly serverNames: readonly string[];
  /** API keys by env var name (`PEXELS_API_KEY`, …); absent when not set. */
  readonly keys: Readonly<Record<string, string>>;
  /** `TRAWL_ORIGIN_<ID>` overrides by source id (scheme://host:port, no path), built-in or plugin. */
  readonly origins: Readonly<Partial<Record<SourceId, string>>>;
  /** Absolute paths of the source modules named by TRAWL_SOURCES_PATH, in order (loaded by `loadSourceRegistry`). */
  readonly sourcesPath: readonly string[];
  /** Where each setting's value came from, by setting name (for `trawl doctor` and the CONFIG log). */
  readonly provenance: Readonly<Record<string, ValueOrigin>>;
}

export type ValueOrigin = 'default' | 'env' | '.env' | 'flag';

/** Values given on the command line or in an API request; they win over the environment. */
export interface ConfigOverrides {
  requestTimeout?: string | number;
  sourceTimeout?: string | number;
  jobTimeout?: string | number;
  maxConcurrentSources?: string | number;
}

export const VERSION = '0.1.0';

type Parser<T> = (text: string) => T | undefined;
interface Setting<T> {
  key: keyof Config;
  vars: readonly string[];
  fallback: string;
  parse: Parser<T>;
  expect: string;
  flag?: keyof ConfigOverrides;
}

const positiveInt =
  (max: number): Parser<number> =>
  (t) => {
    const n = Number(t.trim());
    return Number.isInteger(n) && n >= 1 && n <= max ? n : undefined;
  };
const nonNegativeInt: Parser<number> = (t) => {
  const n = Number(t.trim());
  return Number.isInteger(n) && n >= 0 && n <= 100 ? n : undefined;
};
const bool: Parser<boolean> = (t) => {
  const v = t.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  return undefined;
};
const text: Parser<string> = (t) => (t.trim() === '' ? undefined : t.trim());
const list: Parser<string[]> = (t) =>
  t
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
/** Host names or IP literals, no scheme, no port; a leading dot stands for the name and every name under it. */
const hostNames: Parser<string[]> = (t) => {
  const names = (list(t) ?? []).map((name) => name.toLowerCase());
  const label = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
  const hostName = new RegExp(`^\\.?${label}(?:\\.${label})*$`);
  const ipv6 = /^\[[0-9a-f:.]+\]$/;
  return names.every((name) => hostName.test(name) || ipv6.test(name)) ? names : undefined;
};
const pixels: Parser<number> = (t) => {
  const n = Number(t.trim().replace(/_/g, ''));
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

const ORIGIN_PREFIX = 'TRAWL_ORIGIN_';
const DURATION = 'a duration like 500ms, 10s, 5m, 1h or a number of seconds';
const SETTINGS: Setting<unknown>[] = [
  { key: 'requestTimeoutMs', vars: ['TRAWL_REQUEST_TIMEOUT', 'REQUEST_TIMEOUT'], fallback: '10s', parse: parseDuration, expect: DURATION, flag: 'requestTimeout' },
  { key: 'sourceTimeoutMs', vars: ['TRAWL_SOURCE_TIMEOUT', 'SOURCE_TIMEOUT'], fallback: '30s', parse: parseDuration, expect: DURATION, flag: 'sourceTimeout' },
  { key: 'jobTimeoutMs', vars: ['TRAWL_JOB_TIMEOUT', 'GLOBAL_JOB_TIMEOUT'], fallback: '300s', parse: parseDuration, expect: DURATION, flag: 'jobTimeout' },
  { key: 'maxConcurrentSources', vars: ['TRAWL_MAX_CONCURRENT_SOURCES', 'MAX_CONCURRENT_SOURCES'], fallback: '5', parse: positiveInt(64), expect: 'a whole number from 1 to 64', flag: 'maxConcurrentSources' },
  { key: 'maxConcurrentJobs', vars: ['TRAWL_MAX_CONCURRENT_JOBS'], fallback: '2', parse: positiveInt(64), expect: 'a whole number from 1 to 64' },
  { key: 'minSpeed', vars: ['TRAWL_MIN_SPEED'], fallback: '16KiB/10s', parse: parseMinSpeed, expect: 'a speed like 16KiB/10s (bytes per second over a window) or 0' },
  { key: 'maxFileSize', vars: ['TRAWL_MAX_FILE_SIZE'], fallback: '200MiB', parse: parseSize, expect: 'a size like 200MiB' },
  { key: 'maxPixels', vars: ['TRAWL_MAX_PIXELS'], fallback: '100000000', parse: pixels, expect: 'a whole number of pixels' },
  { key: 'allowPrivateNetworks', vars: ['TRAWL_ALLOW_PRIVATE_NETWORKS'], fallback: 'false', parse: bool, expect: 'true or false' },
  { key: 'allowHosts', vars: ['TRAWL_ALLOW_HOSTS'], fallback: '', parse: list, expect: 'comma-separated addresses or CIDRs' },
  { key: 'downloadConcurrency', vars: ['TRAWL_DOWNLOAD_CONCURRENCY'], fallback: '32', parse: positiveInt(1024), expect: 'a whole number from 1 to 1024' },
  { key: 'hostConcurrency', vars: ['TRAWL_HOST_CONCURRENCY'], fallback: '16', parse: positiveInt(1024), expect: 'a whole number from 1 to 1024' },
  { key: 'maxRedirects', vars: ['TRAWL_MAX_REDIRECTS'], fallback: '5', parse: nonNegativeInt, expect: 'a whole number from 0 to 100' },
  { key: 'userAgent', vars: ['TRAWL_USER_AGENT'], fallback: `Trawl/${VERSION} (+https://github.com/trawl-media/trawl)`, parse: text, expect: 'a non-empty text' },
  { key: 'heartbeatIntervalMs', vars: ['TRAWL_HEARTBEAT_INTERVAL'], fallback: '5s', parse: parseDuration, expect: DURATION },
  { key: 'queuePollIntervalMs', vars: ['TRAWL_QUEUE_POLL_INTERVAL'], fallback: '1s', parse: parseDuration, expect: DURATION },
  { key: 'stuckAfterMs', vars: ['TRAWL_STUCK_AFTER'], fallback: '30s', parse: parseDuration, expect: DURATION },
  // At most the 20 runs per source that health remembers: the breaker is rebuilt from them on start.
  { key: 'breakerFailures', vars: ['TRAWL_BREAKER_FAILURES'], fallback: '5', parse: positiveInt(20), expect: 'a whole number from 1 to 20' },
  { key: 'breakerCooldownMs', vars: ['TRAWL_BREAKER_COOLDOWN'], fallback: '60s', parse: parseDuration, expect: DURATION },
  { key: 'serverNames', vars: ['TRAWL_SERVER_NAMES'], fallback: '', parse: hostNames, expect: 'comma-separated host names as typed in a browser, without scheme or port (trawl.example.com, .lan, [fd00::1])' },
];

/** Reads `<cwd>/.env` if present; a missing file is no error, an unreadable one is. */
export function readDotEnv(cwd: string): Record<string, string> {
  try {
    return parseEnv(readFileSync(path.join(cwd, '.env'), 'utf8')) as Record<string, string>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new TrawlError('TRAWL_BAD_CONFIG', `cannot read ${path.join(cwd, '.env')}: ${(err as Error).message}`);
  }
}

/** Where and how to load the config; every field defaults to this process's. */
export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  overrides?: ConfigOverrides;
  /** Chooses the per-user data directory rule (see `userDataDir`). */
  platform?: NodeJS.Platform;
  homedir?: string;
}

/**
 * Builds the config from flags, then the environment, then `.env`, then defaults. Every bad value
 * is listed in one TRAWL_BAD_CONFIG error (`KEY=value: expected …`), so a user fixes all at once.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const dotenv = readDotEnv(cwd);
  const overrides = options.overrides ?? {};
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const provenance: Record<string, ValueOrigin> = {};

  const lookup = (vars: readonly string[]): { raw: string; name: string; from: ValueOrigin } | undefined => {
    for (const name of vars) if (env[name] !== undefined) return { raw: env[name] ?? '', name, from: 'env' };
    for (const name of vars) if (dotenv[name] !== undefined) return { raw: dotenv[name] ?? '', name, from: '.env' };
    return undefined;
  };

  for (const s of SETTINGS) {
    const flagValue = s.flag === undefined ? undefined : overrides[s.flag];
    const found =
      flagValue !== undefined && s.flag !== undefined
        ? { raw: String(flagValue), name: `--${s.flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, from: 'flag' as const }
        : lookup(s.vars);
    const raw = found?.raw ?? s.fallback;
    const parsed =
      typeof flagValue === 'number' && s.parse === parseDuration ? parseDuration(flagValue) : s.parse(raw);
    if (parsed === undefined) {
      problems.push(`${found?.name ?? s.vars[0]}=${JSON.stringify(raw)}: expected ${s.expect}`);
      continue;
    }
    values[s.key] = parsed;
    provenance[s.key] = found?.from ?? 'default';
  }

  const dataDir = chooseDataDir(lookup(['TRAWL_DATA_DIR']), cwd, { platform: options.platform ?? process.platform, env, homedir: options.homedir ?? os.homedir() });
  if (typeof dataDir === 'string') problems.push(dataDir);
  else provenance.dataDir = dataDir.origin;

  const keys: Record<string, string> = {};
  for (const name of API_KEY_VARS) {
    const found = lookup([name]);
    if (found && found.raw.trim() !== '') {
      keys[name] = found.raw.trim();
      provenance[name] = found.from;
    }
  }

  // Any TRAWL_ORIGIN_<ID>, not only the built-ins': plugin sources are loaded after the config.
  const origins: Partial<Record<SourceId, string>> = {};
  for (const name of new Set([...Object.keys(env), ...Object.keys(dotenv)].filter((n) => n.startsWith(ORIGIN_PREFIX)))) {
    const id = name.slice(ORIGIN_PREFIX.length).toLowerCase();
    const found = lookup([name]);
    const origin = found === undefined ? undefined : parseOrigin(found.raw);
    if (!SOURCE_ID_PATTERN.test(id)) problems.push(`${name}: expected TRAWL_ORIGIN_ followed by a source id (letters, digits, _)`);
    else if (found === undefined || origin === undefined) problems.push(`${name}=${JSON.stringify(found?.raw ?? '')}: expected an origin like http://127.0.0.1:9001`);
    else {
      origins[id] = origin;
      provenance[name] = found.from;
    }
  }

  const sourcesPathFound = lookup(['TRAWL_SOURCES_PATH']);
  const sourcesPath = (sourcesPathFound?.raw ?? '').split(path.delimiter).map((p) => p.trim()).filter(Boolean).map((p) => path.resolve(cwd, p));
  if (sourcesPathFound !== undefined) provenance.sourcesPath = sourcesPathFound.from;

  const databaseUrl = lookup(['TRAWL_DATABASE_URL'])?.raw.trim() || undefined;
  if (databaseUrl !== undefined && !/^(postgres(ql)?:\/\/|sqlite:|file:)/i.test(databaseUrl) && !databaseUrl.endsWith('.db')) {
    problems.push(`TRAWL_DATABASE_URL=${JSON.stringify(databaseUrl)}: expected postgres://… or a SQLite file path`);
  }
  const apiToken = lookup(['TRAWL_API_TOKEN'])?.raw.trim() || undefined;

  if (problems.length > 0 || typeof dataDir === 'string') {
    throw new TrawlError('TRAWL_BAD_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`, {
      context: { problems },
    });
  }
  return Object.freeze({
    ...(values as Omit<Config, 'keys' | 'origins' | 'sourcesPath' | 'provenance' | 'databaseUrl' | 'apiToken' | 'dataDir' | 'dataDirReason'>),
    dataDir: dataDir.dir,
    dataDirReason: dataDir.reason,
    databaseUrl,
    apiToken,
    keys: Object.freeze(keys),
    origins: Object.freeze(origins),
    sourcesPath: Object.freeze(sourcesPath),
    provenance: Object.freeze(provenance),
  });
}

/**
 * TRAWL_DATA_DIR (relative to `cwd`) when set, else the per-user data directory; a problem line
 * when it is set but empty.
 */
function chooseDataDir(
  found: { raw: string; name: string; from: ValueOrigin } | undefined,
  cwd: string,
  context: DataDirContext,
): { dir: string; reason: string; origin: ValueOrigin } | string {
  if (found === undefined) {
    const choice = userDataDir(context);
    return choice === undefined ? 'TRAWL_DATA_DIR is not set and the home directory is unknown: set TRAWL_DATA_DIR to a directory path' : { ...choice, origin: 'default' };
  }
  if (found.raw.trim() === '') return `TRAWL_DATA_DIR=${JSON.stringify(found.raw)}: expected a directory path (unset it for the per-user data directory)`;
  const where = found.from === 'env' ? 'in the environment' : `in ${path.join(cwd, '.env')}`;
  return { dir: path.resolve(cwd, found.raw.trim()), reason: `TRAWL_DATA_DIR is set ${where}`, origin: found.from };
}

/** `http://host:port` from a URL-ish text; paths are not allowed (the source keeps its own paths). */
function parseOrigin(raw: string): string | undefined {
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

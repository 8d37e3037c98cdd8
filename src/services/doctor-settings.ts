import type { Config, ValueOrigin } from '../config/config.js';
import { formatBytes, formatDuration, type MinSpeed } from '../config/units.js';

/** One setting as `trawl doctor` shows it: the variable, its value for people, and where it came from. */
export interface SettingLine {
  /** The environment variable (or flag) name, e.g. TRAWL_REQUEST_TIMEOUT. */
  name: string;
  /** The value as Trawl understood it; secrets are shown only as `set`. */
  value: string;
  origin: ValueOrigin;
}

/** Secrets: their values never appear in doctor output. */
const SECRET = /_KEY$|TOKEN/;

/**
 * Every setting that has a value, with where it came from (`config.provenance`): defaults, the
 * environment, `.env` or a flag. API keys show as `set`, never their value. `env` is the
 * environment the config was loaded from (it tells env from `.env` for the two settings the
 * provenance does not track).
 */
export function settingLines(config: Config, env: NodeJS.ProcessEnv): SettingLine[] {
  const lines = Object.entries(config.provenance).map(([key, origin]): SettingLine => {
    const name = variableName(key);
    const value = SECRET.test(name) ? 'set' : describeValue(key, config);
    return { name, value, origin };
  });
  const from = (name: string): ValueOrigin => (env[name] !== undefined ? 'env' : '.env');
  if (config.databaseUrl !== undefined) lines.push({ name: 'TRAWL_DATABASE_URL', value: hidePassword(config.databaseUrl), origin: from('TRAWL_DATABASE_URL') });
  if (config.apiToken !== undefined) lines.push({ name: 'TRAWL_API_TOKEN', value: 'set', origin: from('TRAWL_API_TOKEN') });
  return lines;
}

/**
 * The variable a config key is read from: `requestTimeoutMs` → `TRAWL_REQUEST_TIMEOUT`. Keys that
 * already are variable names (API keys, TRAWL_ORIGIN_*) stay as they are.
 */
export function variableName(key: string): string {
  if (/^[A-Z0-9_]+$/.test(key)) return key;
  return `TRAWL_${key.replace(/Ms$/, '').replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function describeValue(key: string, config: Config): string {
  const origin = /^TRAWL_ORIGIN_(.+)$/.exec(key)?.[1]?.toLowerCase();
  if (origin !== undefined) return (config.origins as Record<string, string | undefined>)[origin] ?? '';
  const value: unknown = (config as unknown as Record<string, unknown>)[key];
  if (key.endsWith('Ms') && typeof value === 'number') return formatDuration(value);
  if (key === 'maxFileSize' && typeof value === 'number') return formatBytes(value);
  if (key === 'minSpeed') return describeMinSpeed(value as MinSpeed);
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(',');
  return String(value);
}

function describeMinSpeed(speed: MinSpeed): string {
  return speed.bytesPerSecond === 0 ? 'off' : `${formatBytes(speed.bytesPerSecond)}/s over ${formatDuration(speed.windowMs)}`;
}

function hidePassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

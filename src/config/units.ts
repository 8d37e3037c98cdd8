/**
 * Parsers for the value forms the contract accepts in env vars, flags and API bodies:
 * durations (`500ms`, `10s`, `5m`, `1h`, bare seconds), byte sizes (`200MiB`) and
 * minimum speeds (`16KiB/10s`). Each returns `undefined` for text it cannot read, so the caller
 * can name the offending option.
 */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds for `500ms`, `10s`, `1.5m`, `1h`, `30` (seconds) or a number of seconds; must be > 0. */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input > 0 ? Math.round(input * 1000) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(input);
  if (!m?.[1]) return undefined;
  const ms = Number(m[1]) * (DURATION_UNITS[(m[2] ?? 's').toLowerCase()] ?? 1000);
  return ms > 0 && ms <= 7 * 24 * 3_600_000 ? Math.round(ms) : undefined;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/** Bytes for `200MiB`, `16KiB`, `5MB`, `1024` (bytes); must be > 0. */
export function parseSize(input: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  if (!m?.[1]) return undefined;
  const unit = SIZE_UNITS[(m[2] || 'b').toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(m[1]) * unit);
  return bytes > 0 ? bytes : undefined;
}

/** A minimum transfer speed: a body slower than `bytes` per `windowMs` (averaged) is cut. */
export interface MinSpeed {
  readonly bytesPerSecond: number;
  readonly windowMs: number;
}

/**
 * `16KiB/10s` means "at least 16 KiB per second averaged over 10 s"; the contract's default text
 * `16KiB/s over 10s` is accepted too; `0` switches the guard off.
 */
export function parseMinSpeed(input: string): MinSpeed | undefined {
  const text = input.trim();
  if (text === '0' || text.toLowerCase() === 'off') return { bytesPerSecond: 0, windowMs: 10_000 };
  const m = /^(.+?)\s*\/\s*s\s+over\s+(.+)$/i.exec(text) ?? /^(.+?)\s*\/\s*(.+)$/.exec(text);
  if (!m?.[1] || !m[2]) return undefined;
  const bytes = parseSize(m[1]);
  const windowMs = parseDuration(m[2]);
  if (bytes === undefined || windowMs === undefined) return undefined;
  return { bytesPerSecond: bytes, windowMs };
}

/** A human-readable duration for messages and the dashboard: `850ms`, `12.3s`, `45s`, `5.5m`, `2.1h`. */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)}ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(value < 10_000 ? 1 : 0)}s`;
  if (value < 3_600_000) return `${(value / 60_000).toFixed(1).replace(/\.0$/, '')}m`;
  return `${(value / 3_600_000).toFixed(1).replace(/\.0$/, '')}h`;
}

/** A human-readable size for messages: `512 B`, `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit] ?? 'B'}`;
}

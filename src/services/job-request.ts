import type { Config } from '../config/config.js';
import { parseDuration } from '../config/units.js';
import { type JobRequest, type MediaType, SOURCE_ID_PATTERN, type SourceId } from '../domain.js';
import { TrawlError, isTrawlError } from '../errors.js';
import { parseFilters } from '../filters/parse.js';
import { type Source, availability } from '../sources/source.js';

/** A job as a user asks for it, before validation (CLI flags or an API body). */
export interface JobInput {
  query?: unknown;
  sources?: unknown;
  type?: unknown;
  limit?: unknown;
  outDir?: unknown;
  timeouts?: { request?: unknown; source?: unknown; job?: unknown };
  maxConcurrentSources?: unknown;
  /** `{ minWidth, minHeight, orientation, license, safeSearch, format }` (see filters/parse.ts). */
  filters?: unknown;
}

export const MAX_QUERY_LENGTH = 500;
export const MAX_LIMIT = 1000;
const TYPES: readonly MediaType[] = ['image', 'video', 'all'];

/**
 * Validates a job input against the config and the source registry. Every problem becomes a
 * TRAWL_BAD_INPUT error naming the field (`context.field`) and the value it got.
 */
export function buildJobRequest(input: JobInput, config: Config, registry: readonly Source[]): JobRequest {
  const type = parseType(input.type);
  return {
    query: parseQuery(input.query),
    sources: parseSources(input.sources, type, config, registry),
    type,
    limit: parseLimit(input.limit),
    outDir: parseOutDir(input.outDir),
    budgets: {
      requestMs: parseBudget('timeouts.request', input.timeouts?.request, config.requestTimeoutMs),
      sourceMs: parseBudget('timeouts.source', input.timeouts?.source, config.sourceTimeoutMs),
      jobMs: parseBudget('timeouts.job', input.timeouts?.job, config.jobTimeoutMs),
    },
    maxConcurrentSources: parseWhole('maxConcurrentSources', input.maxConcurrentSources, config.maxConcurrentSources, 64),
    filters: parseFilters(input.filters),
  };
}

function bad(field: string, message: string): TrawlError {
  return new TrawlError('TRAWL_BAD_INPUT', `${field}: ${message}`, { context: { field } });
}

function parseQuery(value: unknown): string {
  if (typeof value !== 'string') throw bad('query', 'is required and must be a text');
  const query = value.trim();
  if (query === '') throw bad('query', 'must not be empty');
  if (query.length > MAX_QUERY_LENGTH) throw bad('query', `is ${query.length} characters long; the limit is ${MAX_QUERY_LENGTH}`);
  if (/[\u0000-\u001f\u007f]/.test(query)) throw bad('query', 'must not contain control characters');
  return query;
}

function parseType(value: unknown): MediaType {
  if (value === undefined) return 'image';
  if (typeof value === 'string' && (TYPES as readonly string[]).includes(value)) return value as MediaType;
  throw bad('type', `must be one of ${TYPES.join(', ')}; got ${JSON.stringify(value)}`);
}

function parseLimit(value: unknown): number {
  return parseWhole('limit', value, 20, MAX_LIMIT);
}

function parseWhole(field: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
    throw bad(field, `must be a whole number from 1 to ${max}; got ${JSON.stringify(value)}`);
  }
  return n;
}

function parseBudget(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  if (ms === undefined) throw bad(field, `must be a duration like 500ms, 30s, 5m or a number of seconds; got ${JSON.stringify(value)}`);
  return ms;
}

function parseOutDir(value: unknown): string {
  if (value === undefined) return 'downloads';
  if (typeof value !== 'string' || value.trim() === '') throw bad('outDir', 'must be a directory path');
  if (value.includes('\0')) throw bad('outDir', 'must not contain NUL characters');
  return value;
}

/** Explicit ids are checked against the registry; the default is every configured source offering the type. */
function parseSources(value: unknown, type: MediaType, config: Config, registry: readonly Source[]): SourceId[] {
  if (value === undefined) {
    const wanted = type === 'all' ? ['image', 'video'] : [type];
    return registry
      .filter((s) => availability(s, config).ok && s.kinds.some((k) => wanted.includes(k)))
      .map((s) => s.id);
  }
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) throw bad('sources', 'must be a list of source ids');
  const ids = [...new Set((list as string[]).map((s) => s.trim()).filter(Boolean))];
  if (ids.length === 0) throw bad('sources', 'must name at least one source');
  const known = registry.map((s) => s.id);
  for (const id of ids) {
    if (!SOURCE_ID_PATTERN.test(id) || !known.includes(id)) throw bad('sources', `unknown source "${id}"; known sources: ${known.join(', ')}`);
  }
  return ids;
}

/**
 * A TRAWL_BAD_INPUT error from {@link buildJobRequest} re-worded with the name the caller knows the
 * field by (a CLI flag, a library option), e.g. `outDir: …` → `--out: …`; any other error as it is.
 */
export function renameBadInput(err: unknown, names: Readonly<Record<string, string>>): unknown {
  if (!isTrawlError(err, 'TRAWL_BAD_INPUT')) return err;
  const field = typeof err.context.field === 'string' ? err.context.field : '';
  const name = names[field];
  if (name === undefined || !err.message.startsWith(`${field}:`)) return err;
  return new TrawlError('TRAWL_BAD_INPUT', `${name}${err.message.slice(field.length)}`, { cause: err.cause, context: { ...err.context, field: name } });
}

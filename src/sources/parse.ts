/**
 * Small readers for untrusted JSON from source APIs. Each returns `null` (or skips) for a value
 * that is missing or has the wrong type, so an adapter can fill optional Candidate fields without
 * ceremony; `parserOutdated` is the one error for a response whose overall shape has changed.
 */
import { TrawlError } from '../errors.js';
import type { SourceId } from '../domain.js';

/** A parsed JSON object. */
export type JsonRecord = Record<string, unknown>;

/** The value as a JSON object, or undefined for arrays, null and primitives. */
export function asRecord(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

/** The objects in an array (other entries dropped); empty when the value is not an array. */
export function records(value: unknown): JsonRecord[] {
  if (!Array.isArray(value)) return [];
  return value.map(asRecord).filter((entry): entry is JsonRecord => entry !== undefined);
}

/** A trimmed, non-empty string, or null. */
export function str(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** A finite number, or null (numeric strings are not numbers here: the APIs send numbers). */
export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A pixel dimension: a positive number, or null (APIs send 0 or null when they do not know). */
export function dimension(value: unknown): number | null {
  const n = num(value);
  return n !== null && n > 0 ? n : null;
}

/**
 * An absolute http(s) URL, or null. `base` resolves relative and protocol-relative links
 * (`//commons.wikimedia.org/…` becomes https when the base is https).
 */
export function httpUrl(value: unknown, base?: string): string | null {
  const text = str(value);
  if (text === null) return null;
  try {
    const url = new URL(text, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * The error for a response that lacks the structure an adapter relies on: the service changed its
 * format (or something else answered), so retrying will not help.
 * Example message: `pexels: /v1/search response has no photos[] array`.
 */
export function parserOutdated(source: SourceId, endpoint: string, expected: string): TrawlError {
  return new TrawlError(
    'TRAWL_PARSER_OUTDATED',
    `${source}: ${endpoint} response has no ${expected}; the service's format may have changed — update Trawl or leave this source out`,
    { context: { source, endpoint } },
  );
}

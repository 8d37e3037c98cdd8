/**
 * Validation of the `filters` of a job, as CLI flags give them (text) and as the API gives them
 * (numbers, booleans, lists or comma texts). Every problem is a TRAWL_BAD_INPUT naming the field
 * (`filters.minWidth`, …) and the value it got; the CLI turns the field into its flag.
 */
import { type FilterName, type Filters, IMAGE_FORMATS, type ImageFormat, LICENSE_CODES, type LicenseCode, NO_FILTERS, ORIENTATIONS, type Orientation } from '../domain.js';
import { TrawlError } from '../errors.js';
import { LICENSE_GROUPS } from './filters.js';

/** Filters as a user gives them, before validation; absent or null fields mean "no constraint". */
export interface FilterInput {
  minWidth?: unknown;
  minHeight?: unknown;
  orientation?: unknown;
  license?: unknown;
  safeSearch?: unknown;
  format?: unknown;
}

/** Each filter's `trawl fetch` flag (also how `trawl sources` heads its push-down table). */
export const FILTER_FLAGS: Readonly<Record<FilterName, string>> = {
  minWidth: '--min-width',
  minHeight: '--min-height',
  orientation: '--orientation',
  license: '--license',
  safeSearch: '--safe-search',
  format: '--format',
};

/** The filter fields, in the order the contract lists them. */
export const FILTER_FIELDS = ['minWidth', 'minHeight', 'orientation', 'license', 'safeSearch', 'format'] as const satisfies readonly (keyof FilterInput)[];

/**
 * The largest minimum width or height: no JPEG is wider or higher than 65,535 pixels, so a larger
 * minimum is a typo, not a wish.
 */
export const MAX_MIN_SIDE = 65_535;

const GROUP_NAMES = Object.keys(LICENSE_GROUPS);

/**
 * Validates filters from the CLI or the API. `undefined` or `null` is "no filters". Licence groups
 * are expanded; codes and formats come back once each, in the vocabulary's order.
 * @throws TrawlError TRAWL_BAD_INPUT with `context.field` set to `filters.<name>`.
 */
export function parseFilters(value: unknown): Filters {
  if (value === undefined || value === null) return NO_FILTERS;
  if (typeof value !== 'object' || Array.isArray(value)) throw bad('filters', `must be an object with the fields ${FILTER_FIELDS.join(', ')}; got ${show(value)}`);
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(FILTER_FIELDS as readonly string[]).includes(key)) throw bad(`filters.${key}`, `is not a known field; allowed: ${FILTER_FIELDS.join(', ')}`);
  }
  return Object.freeze({
    minWidth: parseSide('minWidth', input.minWidth),
    minHeight: parseSide('minHeight', input.minHeight),
    orientation: parseOrientation(input.orientation),
    license: parseLicenses(input.license),
    safeSearch: parseSafeSearch(input.safeSearch),
    format: parseFormats(input.format),
  });
}

function bad(field: string, message: string): TrawlError {
  return new TrawlError('TRAWL_BAD_INPUT', `${field}: ${message}`, { context: { field } });
}

function show(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
}

function parseSide(name: 'minWidth' | 'minHeight', value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_MIN_SIDE) {
    throw bad(`filters.${name}`, `must be a whole number of pixels from 1 to ${MAX_MIN_SIDE}; got ${show(value)}`);
  }
  return n;
}

function parseOrientation(value: unknown): Orientation | null {
  if (value === undefined || value === null) return null;
  const name = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (typeof name === 'string' && (ORIENTATIONS as readonly string[]).includes(name)) return name as Orientation;
  throw bad('filters.orientation', `must be one of ${ORIENTATIONS.join(', ')}; got ${show(value)}`);
}

function parseSafeSearch(value: unknown): boolean {
  if (value === undefined || value === null || value === true || value === 'on') return true;
  if (value === false || value === 'off') return false;
  throw bad('filters.safeSearch', `must be on or off (or true or false); got ${show(value)}`);
}

/** A comma text or a list of texts, trimmed, empty entries dropped; null when the list is not one. */
function listOf(value: unknown): string[] | null {
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) return null;
  return (list as string[]).map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== '');
}

function parseLicenses(value: unknown): LicenseCode[] | null {
  if (value === undefined || value === null) return null;
  const expected = `licence codes (${LICENSE_CODES.join(', ')}) or groups (${GROUP_NAMES.join(', ')})`;
  const names = listOf(value);
  if (names === null || names.length === 0) throw bad('filters.license', `must be a comma list of ${expected}; got ${show(value)}`);
  const chosen = new Set<LicenseCode>();
  for (const name of names) {
    if (name in LICENSE_GROUPS) for (const code of LICENSE_GROUPS[name as keyof typeof LICENSE_GROUPS]) chosen.add(code);
    else if ((LICENSE_CODES as readonly string[]).includes(name)) chosen.add(name as LicenseCode);
    else throw bad('filters.license', `unknown licence "${name}"; use ${expected}`);
  }
  return LICENSE_CODES.filter((code) => chosen.has(code));
}

function parseFormats(value: unknown): ImageFormat[] | null {
  if (value === undefined || value === null) return null;
  // `jpg` is what most people type, and what the files are called.
  const names = listOf(value)?.map((name) => (name === 'jpg' ? 'jpeg' : name)) ?? null;
  if (names === null || names.length === 0) throw bad('filters.format', `must be a comma list of ${IMAGE_FORMATS.join(', ')}; got ${show(value)}`);
  for (const name of names) {
    if (!(IMAGE_FORMATS as readonly string[]).includes(name)) throw bad('filters.format', `unknown format "${name}"; use ${IMAGE_FORMATS.join(', ')}`);
  }
  return IMAGE_FORMATS.filter((format) => names.includes(format));
}

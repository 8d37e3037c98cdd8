/**
 * What a source loaded from TRAWL_SOURCES_PATH must look like: the checks `loadSourceRegistry`
 * runs on each module's export before any job can start, as problem lines a user can act on.
 */
import { LICENSE_CODES, NO_FILTERS, SOURCE_ID_PATTERN } from '../domain.js';

const KINDS = ['image', 'video', 'audio'];
const PRECISIONS = ['exact', 'coarse', 'approximate'];
const KEY_VAR = /^[A-Z][A-Z0-9_]*$/;

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/**
 * Every way `value` falls short of the `Source` contract (empty when it is a source), given the ids
 * already taken by the built-ins and earlier plugins.
 */
export function sourceShapeProblems(value: unknown, takenIds: readonly string[]): string[] {
  if (!isObject(value)) return ['exports no source object (export default { id, search, … } or export const source = …)'];
  const problems = [...identityProblems(value, takenIds), ...declarationProblems(value)];
  if (typeof value.search !== 'function') problems.push('search must be an async generator function');
  if (value.notifyDownloaded !== undefined && typeof value.notifyDownloaded !== 'function') problems.push('notifyDownloaded must be a function when present');
  return problems;
}

function identityProblems(value: Fields, takenIds: readonly string[]): string[] {
  const problems: string[] = [];
  if (typeof value.id !== 'string' || !SOURCE_ID_PATTERN.test(value.id)) problems.push(`id must match ${String(SOURCE_ID_PATTERN)}; got ${JSON.stringify(value.id)}`);
  else if (takenIds.includes(value.id)) problems.push(`id "${value.id}" is already taken by another source`);
  if (!isText(value.displayName)) problems.push('displayName must be a non-empty text');
  if (!isText(value.licensePolicy)) problems.push('licensePolicy must be a non-empty text');
  if (value.keyVar !== undefined && (typeof value.keyVar !== 'string' || !KEY_VAR.test(value.keyVar))) problems.push('keyVar must be an environment variable name (A-Z, 0-9, _) when present');
  if (!isText(value.defaultOrigin) || !isOrigin(value.defaultOrigin)) problems.push(`defaultOrigin must be an http(s) origin without a path; got ${JSON.stringify(value.defaultOrigin)}`);
  return problems;
}

function declarationProblems(value: Fields): string[] {
  const problems: string[] = [];
  const kinds = value.kinds;
  if (!Array.isArray(kinds) || kinds.length === 0 || kinds.some((k) => !KINDS.includes(k as string))) problems.push(`kinds must be a non-empty list of ${KINDS.join(', ')}`);
  if (typeof value.statesLicenses !== 'boolean') problems.push('statesLicenses must be true or false');
  const pushdown = value.pushdown;
  if (!Array.isArray(pushdown) || pushdown.some((row) => !isPushdown(row))) {
    problems.push(`pushdown must be a list of { filter: ${Object.keys(NO_FILTERS).join('|')}, sends: text, precision: ${PRECISIONS.join('|')} } (may be empty)`);
  }
  if (!isRequestPolicy(value.requests)) problems.push('requests must be { pageDelay: null or { minMs, maxMs }, refusalStatuses: [statuses], quotaHeaders: null or { reset, windowMs } }');
  return problems;
}

function isPushdown(row: unknown): boolean {
  return isObject(row) && typeof row.filter === 'string' && row.filter in NO_FILTERS && isText(row.sends) && PRECISIONS.includes(row.precision as string);
}

function isRequestPolicy(value: unknown): boolean {
  if (!isObject(value)) return false;
  const delay = value.pageDelay;
  const delayOk = delay === null || (isObject(delay) && isMs(delay.minMs) && isMs(delay.maxMs) && delay.minMs <= delay.maxMs);
  const statuses = value.refusalStatuses;
  const statusesOk = Array.isArray(statuses) && statuses.every((s) => Number.isInteger(s) && (s as number) >= 100 && (s as number) <= 599);
  const quota = value.quotaHeaders;
  const quotaOk = quota === null || (isObject(quota) && ['unix-seconds', 'seconds-from-now', 'absent'].includes(quota.reset as string) && isMs(quota.windowMs));
  const challengeOk = value.challenge === undefined || typeof value.challenge === 'function';
  return delayOk && statusesOk && quotaOk && challengeOk;
}

const isMs = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** Whether a candidate's licence code is one Trawl knows (or null: no licence stated). */
export function isLicenseCode(value: unknown): boolean {
  return value === null || (LICENSE_CODES as readonly unknown[]).includes(value);
}

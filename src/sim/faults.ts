/**
 * Fault rules: what can go wrong, on which requests, how many times. Rules come from code
 * (`setFaults`), the control API (`POST /_sim/faults`) or CLI specs (`pexels=hang`); all three pass
 * through {@link validateFaultRule}, so a bad rule is refused with the same message everywhere.
 */
import { TrawlError } from '../errors.js';
import { SIM_SOURCE_IDS } from './routes/registry.js';

/** Every fault the simulator can inject; see {@link FaultRule} for their options. */
export const FAULT_KINDS = [
  'hang',
  'trickle',
  'slow',
  'stall',
  'headers-only',
  'reset',
  'truncate',
  'rate-limit',
  'server-error',
  'html-as-image',
  'truncated-image',
  'oversized',
  'endless',
  'gzip-bomb',
  'redirect-loop',
  'redirect-chain',
  'redirect-private',
  'huge-dimensions',
  'lie-size',
] as const;

/** One kind of misbehaviour (hang before headers, trickle, stall mid-body, 429, …). */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault switched on for the requests its target matches. */
export interface FaultRule {
  /** 'pexels' = that source's API requests; 'pexels:media' = its media URLs; '*:media' = every media URL;
   *  '*' = every source's API requests; or an exact path like '/media/pexels/photo-3.png'. */
  target: string;
  fault: FaultKind;
  times?: number;            // only the first N matching requests get the fault (default: all)
  retryAfter?: string;       // for rate-limit / server-error: the Retry-After header text (e.g. '1', an HTTP-date, 'garbage')
  status?: number;           // for server-error (default 503; any 4xx/5xx)
  bytesPerSecond?: number;   // for trickle (default 1 byte per 200 ms) and slow (default 64 KiB/s)
  hops?: number;             // for redirect-chain (default 3)
  size?: number;             // for oversized: declared Content-Length (default 10 GiB); body is endless
  location?: string;         // for redirect-private: where to send the client (default http://127.0.0.2:<sim port><same path>)
  width?: number;            // for lie-size: the real width of the image served (default: a tenth of what the API declared)
  height?: number;           // for lie-size: the real height (default: a tenth of what the API declared)
}

type FaultOption = 'retryAfter' | 'status' | 'bytesPerSecond' | 'hops' | 'size' | 'location' | 'width' | 'height';

const OPTIONS_BY_FAULT: Readonly<Record<FaultKind, readonly FaultOption[]>> = {
  hang: [],
  trickle: ['bytesPerSecond'],
  slow: ['bytesPerSecond'],
  stall: [],
  'headers-only': [],
  reset: [],
  truncate: [],
  'rate-limit': ['retryAfter'],
  'server-error': ['status', 'retryAfter'],
  'html-as-image': [],
  'truncated-image': [],
  oversized: ['size'],
  endless: [],
  'gzip-bomb': [],
  'redirect-loop': [],
  'redirect-chain': ['hops'],
  'redirect-private': ['location'],
  'huge-dimensions': [],
  'lie-size': ['width', 'height'],
};

/** Faults that only make sense for a file download. */
const MEDIA_ONLY: ReadonlySet<FaultKind> = new Set(['html-as-image', 'truncated-image', 'huge-dimensions', 'lie-size']);

/** The largest side a `lie-size` image may really have (it is generated in memory). */
const MAX_LIE_SIDE = 4096;

/** Media paths not owned by a source route: the benchmark's streamed files under /media/blob/. */
const MEDIA_ONLY_SOURCES = ['blob'];

const bad = (message: string): TrawlError => new TrawlError('TRAWL_BAD_INPUT', `fault rule: ${message}`);

/** Checks a rule from any origin (code, JSON, CLI) and returns a clean copy; throws naming the bad part. */
export function validateFaultRule(raw: unknown): FaultRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(`expected an object like {"target":"pexels","fault":"hang"}; got ${JSON.stringify(raw)}`);
  const input = raw as Record<string, unknown>;
  const fault = input.fault;
  if (typeof fault !== 'string' || !(FAULT_KINDS as readonly string[]).includes(fault)) {
    throw bad(`unknown fault ${JSON.stringify(fault)}; known: ${FAULT_KINDS.join(', ')}`);
  }
  const kind = fault as FaultKind;
  if (typeof input.target !== 'string' || input.target === '') throw bad(`target must be a non-empty string; got ${JSON.stringify(input.target)}`);
  checkTarget(input.target, kind);
  const allowed: readonly string[] = ['target', 'fault', 'times', ...OPTIONS_BY_FAULT[kind]];
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) throw bad(`option '${key}' does not apply to ${kind} (it takes: ${allowed.slice(2).join(', ')})`);
  }
  const rule: FaultRule = { target: input.target, fault: kind };
  if (input.times !== undefined) rule.times = integer('times', input.times, 1, Number.MAX_SAFE_INTEGER);
  if (input.retryAfter !== undefined) rule.retryAfter = headerText('retryAfter', input.retryAfter);
  if (input.status !== undefined) rule.status = integer('status', input.status, 400, 599);
  if (input.bytesPerSecond !== undefined) rule.bytesPerSecond = positive('bytesPerSecond', input.bytesPerSecond);
  if (input.hops !== undefined) rule.hops = integer('hops', input.hops, 1, 100);
  if (input.size !== undefined) rule.size = integer('size', input.size, 1, Number.MAX_SAFE_INTEGER);
  if (input.location !== undefined) rule.location = httpUrl('location', input.location);
  if (input.width !== undefined) rule.width = integer('width', input.width, 1, MAX_LIE_SIDE);
  if (input.height !== undefined) rule.height = integer('height', input.height, 1, MAX_LIE_SIDE);
  return rule;
}

function checkTarget(target: string, fault: FaultKind): void {
  if (target.startsWith('/')) {
    if (MEDIA_ONLY.has(fault) && !target.startsWith('/media/')) throw bad(`${fault} applies to media only; '${target}' is not a /media/ path`);
    return;
  }
  const [source = '', scope, extra] = target.split(':');
  if (extra !== undefined || (scope !== undefined && scope !== 'media')) {
    throw bad(`target '${target}' not understood; expected '<source>', '<source>:media', '*', '*:media' or an exact path like '/media/pexels/photo-3.png'`);
  }
  const known = scope === 'media' ? [...SIM_SOURCE_IDS, ...MEDIA_ONLY_SOURCES] : SIM_SOURCE_IDS;
  if (source !== '*' && !known.includes(source)) throw bad(`unknown source '${source}' in target '${target}'; known: ${known.join(', ')}`);
  if (scope === undefined && MEDIA_ONLY.has(fault)) throw bad(`${fault} applies to media only; use the target '${source}:media'`);
}

/** Numbers may arrive as strings (CLI specs); anything else non-numeric is refused. */
function numeric(name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(`${name} must be a number; got ${JSON.stringify(value)}`);
  return n;
}

function integer(name: string, value: unknown, min: number, max: number): number {
  const n = numeric(name, value);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
  return n;
}

function positive(name: string, value: unknown): number {
  const n = numeric(name, value);
  if (n <= 0) throw bad(`${name} must be greater than 0; got ${JSON.stringify(value)}`);
  return n;
}

function headerText(name: string, value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  // Any printable text is allowed on purpose ('garbage' is a test case); only what HTTP cannot carry is refused.
  if (typeof text !== 'string' || !/^[\x20-\x7e]{0,200}$/.test(text)) throw bad(`${name} must be printable header text (≤ 200 characters); got ${JSON.stringify(value)}`);
  return text;
}

function httpUrl(name: string, value: unknown): string {
  const text = headerText(name, value);
  if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) throw bad(`${name} must be an absolute http(s) URL; got ${JSON.stringify(value)}`);
  return text;
}

/**
 * Parses a CLI fault spec: `<target>=<fault>[,<option>=<value>…]`, e.g. 'pexels=hang',
 * 'pexels:media=trickle,bytesPerSecond=10', '*:media=rate-limit,retryAfter=2,times=1'. An HTTP-date
 * keeps its comma: 'retryAfter=Wed, 21 Oct 2015 07:28:00 GMT'. Throws an Error naming the bad part.
 */
export function parseFaultSpec(spec: string): FaultRule {
  const [head = '', ...pieces] = spec.trim().split(',');
  const eq = head.indexOf('=');
  if (eq <= 0 || eq === head.length - 1) throw bad(`'${spec}' is not <target>=<fault> (e.g. 'pexels=hang' or '*:media=rate-limit,retryAfter=2')`);
  const raw: Record<string, unknown> = { target: head.slice(0, eq).trim(), fault: head.slice(eq + 1).trim() };
  let last: string | null = null;
  for (const piece of pieces) {
    const at = piece.indexOf('=');
    if (at < 0 && last === 'retryAfter') {
      raw.retryAfter = `${String(raw.retryAfter)},${piece}`;
      continue;
    }
    const key = piece.slice(0, Math.max(at, 0)).trim();
    if (at <= 0 || key === '') throw bad(`option '${piece.trim()}' in '${spec}' is not <name>=<value>`);
    if (key in raw) throw bad(`option '${key}' is given twice in '${spec}'`);
    raw[key] = key === 'retryAfter' ? piece.slice(at + 1).trimStart() : piece.slice(at + 1).trim();
    last = key;
  }
  return validateFaultRule(raw);
}

/** What a fault target is matched against. */
export interface FaultSubject {
  source: string | null;
  target: 'api' | 'media' | 'control';
  /** The URL path without its query. */
  pathname: string;
}

/** Whether `target` (see {@link FaultRule.target}) selects this request. Control requests are never faulted. */
export function targetMatches(target: string, subject: FaultSubject): boolean {
  if (subject.target === 'control') return false;
  if (target.startsWith('/')) return subject.pathname === target;
  const [source, scope] = target.split(':');
  return subject.target === (scope === 'media' ? 'media' : 'api') && (source === '*' || source === subject.source);
}

/** The active rules and how often each has fired; the first matching rule with uses left wins. */
export class FaultBook {
  private entries: { rule: FaultRule; used: number }[] = [];

  /** Replaces every rule; nothing changes if any rule is invalid. */
  set(rules: readonly unknown[]): void {
    const valid = rules.map(validateFaultRule);
    this.entries = valid.map((rule) => ({ rule, used: 0 }));
  }

  /** Appends a rule (checked first); earlier rules still win when both match. */
  add(rule: unknown): void {
    this.entries.push({ rule: validateFaultRule(rule), used: 0 });
  }

  /** Switches every fault off. */
  clear(): void {
    this.entries = [];
  }

  /** The active rules, in matching order. */
  rules(): FaultRule[] {
    return this.entries.map((e) => ({ ...e.rule }));
  }

  /** The rule for this request, counting it as one use; null when no rule applies. */
  take(subject: FaultSubject): FaultRule | null {
    const entry = this.entries.find((e) => (e.rule.times === undefined || e.used < e.rule.times) && targetMatches(e.rule.target, subject));
    if (entry === undefined) return null;
    entry.used++;
    return { ...entry.rule };
  }
}

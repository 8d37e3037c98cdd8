/**
 * The source conformance checks (`trawl/testing`): what every source must do, built-in or plugin,
 * checked against recorded responses with no network and no test framework. Each check runs a
 * fresh search: paging up to the limit, stopping at the end, ending promptly when its budget ends,
 * turning a 429 into TRAWL_RATE_LIMITED, valid candidates and licence codes, and no request
 * outside the source's origins.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../config/config.js';
import type { Candidate, MediaKind } from '../domain.js';
import { isTrawlError } from '../errors.js';
import { isLicenseCode } from './plugin-shape.js';
import { RecordedHttp, type ResponseLookup } from './recorded-http.js';
import { apiOrigin, availability, type Source } from './source.js';

/** What is checked; a failure names the one it broke. */
export type ConformanceCheck = 'available' | 'paging' | 'end' | 'budget' | 'refusal' | 'candidates' | 'licence' | 'origins';

/** One way the source broke the contract, for people. */
export interface ConformanceFailure {
  check: ConformanceCheck;
  message: string;
}

/** How to run the checks. */
export interface ConformanceOptions {
  /** The recorded answers; they must hold at least `limit` results for `query`, then an end. */
  responses: ResponseLookup;
  /** Default `cats`. */
  query?: string;
  /** The limit of the paging check (default 5); the end check asks for {@link END_LIMIT}. */
  limit?: number;
  /** Default: the source's first kind. */
  kind?: MediaKind;
  /** The environment the config is read from (API keys, `TRAWL_ORIGIN_<ID>`); nothing else is read. */
  env?: Record<string, string>;
  /** Origins the source may ask besides its API origin (e.g. an asset host its answers link to). */
  extraOrigins?: readonly string[];
  /** More requests than this in one search count as never stopping (default 40). */
  maxRequests?: number;
  /** How soon a search must end once its budget has (default 2000 ms). */
  settleMs?: number;
}

/** The limit of the end check: more than any recording holds, so the source must find its end. */
export const END_LIMIT = 1000;

interface Run {
  candidates: Candidate[];
  http: RecordedHttp;
  /** Requests made by the time the candidates reached the limit. */
  requestsAtLimit: number | undefined;
  error: unknown;
}

/**
 * Runs every check on `source` and resolves with its failures (empty: conformant). Never throws
 * for a misbehaving source; a search that ignores its budget is left pending after `settleMs`.
 */
export async function checkSource(source: Source, options: ConformanceOptions): Promise<ConformanceFailure[]> {
  const config = loadConfig({ env: options.env ?? {}, cwd: path.join(tmpdir(), `trawl-conformance-${randomUUID()}`) });
  const available = availability(source, config);
  if (!available.ok) return [{ check: 'available', message: `${source.id} cannot run: ${available.reason} (pass it in options.env)` }];
  const limit = options.limit ?? 5;
  const paged = await run(source, options, config, limit, new RecordedHttp(options.responses));
  const ended = await run(source, options, config, END_LIMIT, new RecordedHttp(options.responses));
  const failures = [...pagingFailures(paged, limit), ...endFailures(ended, options), ...candidateFailures(source, [...paged.candidates, ...ended.candidates])];
  failures.push(...originFailures(source, config, options, [paged, ended]));
  failures.push(...(await budgetFailures(source, options, config)), ...(await refusalFailures(source, options, config)));
  return failures;
}

async function run(source: Source, options: ConformanceOptions, config: Config, limit: number, http: RecordedHttp, signal = new AbortController().signal): Promise<Run> {
  const result: Run = { candidates: [], http, requestsAtLimit: undefined, error: undefined };
  const request = { query: options.query ?? 'cats', kind: options.kind ?? source.kinds[0] ?? 'image', limit };
  try {
    for await (const page of source.search(request, { signal, http, config, reportQuota: () => undefined })) {
      result.candidates.push(...page);
      if (result.candidates.length >= limit) result.requestsAtLimit ??= http.requests.length;
      if (http.requests.length > (options.maxRequests ?? 40)) break;
    }
  } catch (err) {
    result.error = err;
  }
  return result;
}

const describe = (err: unknown): string => (isTrawlError(err) ? `${err.code}: ${err.message}` : String(err));

function pagingFailures(paged: Run, limit: number): ConformanceFailure[] {
  const failures: ConformanceFailure[] = [];
  if (paged.error !== undefined) failures.push({ check: 'paging', message: `the search failed: ${describe(paged.error)}` });
  else if (paged.candidates.length < limit) failures.push({ check: 'paging', message: `gave ${paged.candidates.length} candidates for a limit of ${limit} (the recording must hold at least ${limit})` });
  const extra = paged.http.requests.length - (paged.requestsAtLimit ?? paged.http.requests.length);
  if (extra > 0) failures.push({ check: 'paging', message: `made ${extra} more request(s) after giving the ${limit} candidates asked for` });
  return failures;
}

function endFailures(ended: Run, options: ConformanceOptions): ConformanceFailure[] {
  const max = options.maxRequests ?? 40;
  if (ended.http.requests.length > max) return [{ check: 'end', message: `still asking after ${max} requests for a limit of ${END_LIMIT}: it does not stop at the end of the results` }];
  if (ended.error !== undefined) return [{ check: 'end', message: `reaching the end of the results failed: ${describe(ended.error)}` }];
  return ended.http.unrecorded.map((url) => ({ check: 'end', message: `asked for ${url}, which the recording does not hold` }));
}

function candidateFailures(source: Source, candidates: readonly Candidate[]): ConformanceFailure[] {
  const failures: ConformanceFailure[] = [];
  for (const c of candidates) {
    const where = JSON.stringify(c.url);
    if (c.source !== source.id) failures.push({ check: 'candidates', message: `${where} has source ${JSON.stringify(c.source)}, not ${source.id}` });
    if (!source.kinds.includes(c.kind)) failures.push({ check: 'candidates', message: `${where} has kind ${JSON.stringify(c.kind)}, not one of ${source.kinds.join(', ')}` });
    if (!/^https?:\/\//.test(String(c.url))) failures.push({ check: 'candidates', message: `${where} is not an http(s) URL` });
    if (!isLicenseCode(c.licenseCode)) failures.push({ check: 'licence', message: `${where} has licenseCode ${JSON.stringify(c.licenseCode)}, not a code of LICENSE_CODES or null` });
    // A stated licence Trawl has no code for (NASA's third-party items) is honest; saying nothing is not.
    else if (source.statesLicenses && c.licenseCode === null && !c.license) failures.push({ check: 'licence', message: `${where} has neither a licenseCode nor a licence text although the source states licences` });
  }
  return failures;
}

function originFailures(source: Source, config: Config, options: ConformanceOptions, runs: readonly Run[]): ConformanceFailure[] {
  const allowed = new Set([apiOrigin(source, config), ...(options.extraOrigins ?? [])].map((o) => new URL(o).origin));
  const outside = new Set(runs.flatMap((r) => r.http.requests.map((q) => q.url)).filter((url) => !allowed.has(url.origin)).map((url) => url.href));
  return [...outside].map((url) => ({ check: 'origins', message: `asked ${url}, outside its origins (${[...allowed].join(', ')})` }));
}

/** The source's budget ends while its first request is under way: the search must end within `settleMs`. */
async function budgetFailures(source: Source, options: ConformanceOptions, config: Config): Promise<ConformanceFailure[]> {
  const budget = new AbortController();
  const http = new RecordedHttp(options.responses, { kind: 'hang' });
  const settleMs = options.settleMs ?? 2000;
  const search = run(source, options, config, options.limit ?? 5, http, budget.signal);
  const timer = setTimeout(() => budget.abort(new Error('the budget ended')), 20);
  let late: NodeJS.Timeout | undefined;
  const ended = await Promise.race([search.then(() => true), new Promise<false>((resolve) => (late = setTimeout(() => resolve(false), 20 + settleMs)))]);
  clearTimeout(timer);
  clearTimeout(late);
  if (ended) return [];
  return [{ check: 'budget', message: `still searching ${settleMs} ms after its budget ended: pass context.signal to every request and pause` }];
}

/** The service answers 429: the search must fail with TRAWL_RATE_LIMITED (what `sourceRequests` does). */
async function refusalFailures(source: Source, options: ConformanceOptions, config: Config): Promise<ConformanceFailure[]> {
  const refused = await run(source, options, config, options.limit ?? 5, new RecordedHttp(options.responses, { kind: 'refuse', status: 429 }));
  if (isTrawlError(refused.error) && refused.error.code === 'TRAWL_RATE_LIMITED') return [];
  const got = refused.error === undefined ? 'the search ended without an error' : `it failed with ${describe(refused.error)}`;
  return [{ check: 'refusal', message: `a 429 answer must fail the search with TRAWL_RATE_LIMITED; ${got}` }];
}

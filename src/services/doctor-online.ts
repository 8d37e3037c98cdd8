/**
 * `trawl doctor --online`: one small search per configured source, through the source's own
 * `search` (the request path its jobs use, asking for one result), each bounded by the request
 * budget (TRAWL_REQUEST_TIMEOUT). Reports whether the service answered, its HTTP status, how long
 * it took and the quota it announced. Writes nothing: quotas are reported, not recorded.
 */
import type { Config } from '../config/config.js';
import { formatDuration } from '../config/units.js';
import type { ErrorInfo, SourceId } from '../domain.js';
import { Budget } from '../engine/budget.js';
import { abortReason } from '../signal.js';
import { type TrawlError, toTrawlError } from '../errors.js';
import type { HttpClient } from '../net/http.js';
import { type QuotaInfo, type Source, type SourceContext, availability } from '../sources/source.js';

/** What one source's probe found. */
export interface SourceProbe {
  source: SourceId;
  /** `ok`: it answered a search; `skipped`: not configured (no request made). */
  outcome: 'ok' | 'failed' | 'timed_out' | 'skipped';
  /** The last HTTP status its service answered with, or null when none came. */
  status: number | null;
  /** From the start of the search to its first page or its failure; null when skipped. */
  latencyMs: number | null;
  /** The quota the service announced, or null when it said nothing. */
  quota: QuotaInfo | null;
  error: ErrorInfo | null;
  /** One line for people: what happened, with the variable to set when skipped. */
  detail: string;
}

/** A word most services find something for; any answer proves the request path works. */
const PROBE_QUERY = 'nature';

/**
 * Probes every source of `registry` at once over `http`; the whole run takes at most about one
 * request budget. `signal` ends every probe early (they are then reported cancelled, as failed).
 */
export async function probeSources(config: Config, registry: readonly Source[], options: { http: HttpClient; signal?: AbortSignal }): Promise<SourceProbe[]> {
  return Promise.all(registry.map((source) => probeSource(config, source, options.http, options.signal)));
}

async function probeSource(config: Config, source: Source, http: HttpClient, signal: AbortSignal | undefined): Promise<SourceProbe> {
  const available = availability(source, config);
  if (!available.ok) return { source: source.id, outcome: 'skipped', status: null, latencyMs: null, quota: null, error: null, detail: `${source.id}: skipped, not configured: ${available.reason}` };
  const budget = Budget.root(`doctor --online ${source.id}`, config.requestTimeoutMs, 'TRAWL_REQUEST_TIMEOUT', signal);
  const seen: { status: number | null; quota: QuotaInfo | null } = { status: null, quota: null };
  const context: SourceContext = { signal: budget.signal, http: recordingStatus(http, seen), config, reportQuota: (quota) => (seen.quota = quota) };
  const started = performance.now();
  try {
    const pages = source.search({ query: PROBE_QUERY, kind: source.kinds[0] ?? 'image', limit: 1 }, context);
    try {
      await pages.next();
    } finally {
      await pages.return(undefined);
    }
    const latencyMs = Math.round(performance.now() - started);
    return { source: source.id, outcome: 'ok', status: seen.status, latencyMs, quota: seen.quota, error: null, detail: `${source.id}: reachable, ${describe(seen.status, latencyMs, seen.quota)}` };
  } catch (err) {
    const latencyMs = Math.round(performance.now() - started);
    const error = budget.aborted ? abortReason(budget.signal) : toTrawlError(err, { source: source.id });
    return { source: source.id, ...failure(config, source.id, error, latencyMs), status: seen.status, latencyMs, quota: seen.quota, error: { code: error.code, message: redact(config, error.message) } };
  } finally {
    budget.dispose();
  }
}

/** A failed probe in words: a timeout names the budget, anything else its code and message. */
function failure(config: Config, id: SourceId, error: TrawlError, latencyMs: number): Pick<SourceProbe, 'outcome' | 'detail'> {
  if (error.code === 'TRAWL_REQUEST_TIMEOUT' || error.code === 'TRAWL_BODY_IDLE') {
    return { outcome: 'timed_out', detail: `${id}: no answer within TRAWL_REQUEST_TIMEOUT (${formatDuration(config.requestTimeoutMs)}); gave up after ${formatDuration(latencyMs)}` };
  }
  return { outcome: 'failed', detail: `${id}: ${error.code}: ${redact(config, error.message)}` };
}

/** The status, latency and quota as words: `HTTP 200 in 42 ms, quota 199 of 200 left until 12:00:00`. */
function describe(status: number | null, latencyMs: number, quota: QuotaInfo | null): string {
  const parts = [`${status === null ? 'no HTTP status' : `HTTP ${status}`} in ${latencyMs} ms`];
  if (quota !== null && quota.remaining !== null) {
    const reset = quota.resetAt === null ? '' : ` until ${quota.resetAt}`;
    parts.push(`quota ${quota.remaining}${quota.limit === null ? '' : ` of ${quota.limit}`} left${reset}`);
  }
  return parts.join(', ');
}

/** Error messages may quote a request URL whose query holds an API key (Pixabay's `key=`): never print one. */
function redact(config: Config, text: string): string {
  return Object.values(config.keys).reduce((out, key) => out.split(key).join('***'), text);
}

/** The same client, noting the status of every answer (a failed one's too) in `seen`. */
function recordingStatus(http: HttpClient, seen: { status: number | null }): HttpClient {
  const note = <T extends { status: number }>(answer: Promise<T>): Promise<T> =>
    answer.then(
      (response) => {
        seen.status = response.status;
        return response;
      },
      (err: unknown) => {
        const status = toTrawlError(err).context.status;
        if (typeof status === 'number') seen.status = status;
        throw err;
      },
    );
  return {
    open: (url, options) => note(http.open(url, options)),
    getJson: <T>(url: string, options: Parameters<HttpClient['getJson']>[1]) => note(http.getJson<T>(url, options)),
    getText: (url, options) => note(http.getText(url, options)),
    close: () => http.close(),
  };
}

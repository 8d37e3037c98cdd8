/**
 * The HttpClient the source conformance kit (`trawl/testing`) runs a source on: it answers from
 * recorded responses instead of the network, as the real client would (a non-2xx answer becomes
 * the same TrawlError), and records every request with the purpose and signal it carried.
 */
import { TrawlError } from '../errors.js';
import type { ApiResponse, HttpClient, HttpResponse, RequestPurpose } from '../net/http.js';
import { statusError } from '../net/errors-map.js';

/** One recorded answer: the status (200 when absent), headers (lower-case names) and the body, as JSON value or text. */
export interface RecordedResponse {
  status?: number;
  headers?: Readonly<Record<string, string>>;
  body: unknown;
}

/**
 * The recorded answer to a request (its URL and the headers the source sent, e.g. a key), or
 * undefined when the recording holds none for it.
 */
export type ResponseLookup = (url: URL, headers: Readonly<Record<string, string>>) => RecordedResponse | undefined | Promise<RecordedResponse | undefined>;

/** A request the source made. */
export interface SentRequest {
  url: URL;
  purpose: RequestPurpose;
  signal: AbortSignal;
}

type Mode = { kind: 'recorded' } | { kind: 'hang' } | { kind: 'refuse'; status: number };
type ReadOptions = { signal: AbortSignal; headers?: Record<string, string>; purpose?: RequestPurpose };

/** Answers from `lookup` (`recorded`), never until the request's signal ends (`hang`), or refuses every request with `status`. */
export class RecordedHttp implements HttpClient {
  readonly requests: SentRequest[] = [];
  /** Requests the recording had no answer for. */
  readonly unrecorded: string[] = [];

  constructor(
    private readonly lookup: ResponseLookup,
    private readonly mode: Mode = { kind: 'recorded' },
  ) {}

  async getJson<T = unknown>(url: string, options: ReadOptions): Promise<ApiResponse<T>> {
    const answer = await this.answer(url, options);
    const data: unknown = typeof answer.body === 'string' ? parseJson(answer.body, url) : answer.body;
    return { status: answer.status ?? 200, headers: { ...answer.headers }, url, data: data as T };
  }

  async getText(url: string, options: ReadOptions): Promise<ApiResponse<string>> {
    const answer = await this.answer(url, options);
    return { status: answer.status ?? 200, headers: { ...answer.headers }, url, data: typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body) };
  }

  open(url: string): Promise<HttpResponse> {
    return Promise.reject(new TrawlError('TRAWL_BAD_URL', `sources search; they do not download (${url})`));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async answer(url: string, options: ReadOptions): Promise<RecordedResponse> {
    const parsed = new URL(url);
    this.requests.push({ url: parsed, purpose: options.purpose ?? 'api', signal: options.signal });
    options.signal.throwIfAborted();
    if (this.mode.kind === 'hang') return untilAborted(options.signal);
    if (this.mode.kind === 'refuse') throw statusError(this.mode.status, url, {}, options.purpose ?? 'api');
    const answer = await this.lookup(parsed, { ...options.headers });
    if (answer === undefined) {
      this.unrecorded.push(url);
      throw new TrawlError('TRAWL_HTTP_STATUS', `${url} is not in the recording`, { context: { status: 404, url } });
    }
    const status = answer.status ?? 200;
    if (status < 200 || status > 299) throw statusError(status, url, { ...answer.headers }, options.purpose ?? 'api');
    return answer;
  }
}

function parseJson(text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TrawlError('TRAWL_BAD_RESPONSE', `${url}: invalid JSON`, { cause: err, context: { url } });
  }
}

/** Rejects with the signal's reason once it aborts, as a real request does when its budget ends. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}

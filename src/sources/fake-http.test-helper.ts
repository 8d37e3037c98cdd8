/**
 * Test support for source adapters: an HttpClient that records every request and answers with
 * canned JSON or pages (optionally with response headers), and a SourceContext built from a real
 * Config. Nothing here touches the network.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/config.js';
import type { Candidate } from '../domain.js';
import type { ApiResponse, HttpClient, HttpResponse } from '../net/http.js';
import type { QuotaInfo, SourceContext } from './source.js';

/** One request a source made. */
export interface RecordedRequest {
  url: URL;
  headers: Record<string, string>;
  signal: AbortSignal;
}

/** A page as a scraper receives it: the body, and optionally the status and the URL that answered after redirects. */
export interface PageReply {
  body: string;
  status?: number;
  url?: string;
}

/** One canned answer to a `getText` call: a body (status 200), a {@link PageReply}, or an Error to reject with. */
export type PageAnswer = string | PageReply | Error;

/**
 * Answers the `call`-th request (0-based): for `getJson` the parsed JSON value, for `getText` a
 * {@link PageAnswer}; for either an Error to reject with.
 */
export type Responder = (url: URL, call: number) => unknown;

/** Response headers for the `call`-th request (0-based), names in lower case (e.g. X-RateLimit-*). */
export type HeaderResponder = (url: URL, call: number) => Record<string, string>;

/** What a {@link FakeHttp} adds to every answer. */
export interface FakeHttpOptions {
  /** Extra response headers, so quota reporting can be checked without a server. */
  headers?: HeaderResponder;
}

/**
 * An HttpClient for adapters, JSON APIs and scrapers alike: `getJson` and `getText` answer from a
 * list (in order; a request past its end fails) or a function, and every request is recorded.
 * `open` is refused: sources never download media.
 */
export class FakeHttp implements HttpClient {
  readonly requests: RecordedRequest[] = [];
  private readonly respond: Responder;
  private readonly headersFor: HeaderResponder;

  constructor(answers: readonly unknown[] | Responder, options: FakeHttpOptions = {}) {
    this.respond =
      typeof answers === 'function'
        ? answers
        : (url, call) => {
            if (call >= answers.length) throw new Error(`unexpected request #${call + 1}: ${url.href}`);
            return answers[call];
          };
    this.headersFor = options.headers ?? (() => ({}));
  }

  async getJson<T = unknown>(url: string, options: { signal: AbortSignal; headers?: Record<string, string> }): Promise<ApiResponse<T>> {
    const { data, headers } = await this.answer(url, options);
    return { status: 200, headers: { 'content-type': 'application/json', ...headers }, url, data: data as T };
  }

  async getText(url: string, options: { signal: AbortSignal; headers?: Record<string, string> }): Promise<ApiResponse<string>> {
    const { data, headers } = await this.answer(url, options);
    const page = asPage(data, url);
    return { status: page.status ?? 200, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, url: page.url ?? url, data: page.body };
  }

  open(): Promise<HttpResponse> {
    return Promise.reject(new Error('FakeHttp: sources never open media URLs'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Records the request and looks up its answer; an Error answer (or a throwing responder) rejects. */
  private answer(url: string, options: { signal: AbortSignal; headers?: Record<string, string> }): Promise<{ data: unknown; headers: Record<string, string> }> {
    const parsed = new URL(url);
    this.requests.push({ url: parsed, headers: options.headers ?? {}, signal: options.signal });
    const call = this.requests.length - 1;
    try {
      const data = this.respond(parsed, call);
      if (data instanceof Error) return Promise.reject(data);
      return Promise.resolve({ data, headers: this.headersFor(parsed, call) });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

function asPage(answer: unknown, url: string): PageReply {
  if (typeof answer === 'string') return { body: answer };
  if (typeof answer === 'object' && answer !== null && typeof (answer as PageReply).body === 'string') return answer as PageReply;
  throw new Error(`FakeHttp: a getText answer is a string or { body }, got ${JSON.stringify(answer)} for ${url}`);
}

/**
 * A SourceContext with a Config loaded from `env` only (the cwd does not exist, so no `.env` file
 * is read) and a fresh, never-aborted signal.
 */
export function fakeContext(http: HttpClient, env: Record<string, string> = {}): SourceContext & { quotas: QuotaInfo[] } {
  const config = loadConfig({ env, cwd: path.join(tmpdir(), `trawl-no-such-dir-${randomUUID()}`) });
  const quotas: QuotaInfo[] = [];
  return { signal: new AbortController().signal, http, config, quotas, reportQuota: (q) => quotas.push(q) };
}

/** Every page a search yields, in order. */
export async function collectPages(pages: AsyncGenerator<Candidate[], void, undefined>): Promise<Candidate[][]> {
  const out: Candidate[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

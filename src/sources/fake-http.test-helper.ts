/**
 * Test support for source adapters: an HttpClient that records every request and answers with
 * canned JSON, and a SourceContext built from a real Config. Nothing here touches the network.
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

/** Answers a request: a JSON value, or an Error to reject with. */
export type Responder = (url: URL, call: number) => unknown;

/** An HttpClient for adapters: `getJson` only; answers come from a list (in order) or a function. */
export class FakeHttp implements HttpClient {
  readonly requests: RecordedRequest[] = [];
  private readonly respond: Responder;

  constructor(answers: readonly unknown[] | Responder) {
    this.respond =
      typeof answers === 'function'
        ? answers
        : (url, call) => {
            if (call >= answers.length) throw new Error(`unexpected request #${call + 1}: ${url.href}`);
            return answers[call];
          };
  }

  getJson<T = unknown>(url: string, options: { signal: AbortSignal; headers?: Record<string, string> }): Promise<ApiResponse<T>> {
    const parsed = new URL(url);
    this.requests.push({ url: parsed, headers: options.headers ?? {}, signal: options.signal });
    try {
      const data = this.respond(parsed, this.requests.length - 1);
      if (data instanceof Error) return Promise.reject(data);
      return Promise.resolve({ status: 200, headers: { 'content-type': 'application/json' }, url, data: data as T });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  getText(): Promise<ApiResponse<string>> {
    return Promise.reject(new Error('FakeHttp: getText is not used by JSON sources'));
  }

  open(): Promise<HttpResponse> {
    return Promise.reject(new Error('FakeHttp: sources never open media URLs'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
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

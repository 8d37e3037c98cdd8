/**
 * Test support for the scraping sources: an HttpClient whose `getText` answers with canned pages
 * (a body, or a status and the URL that answered after redirects, or an Error to reject with) and
 * records every request. Nothing here touches the network.
 */
import type { ApiResponse, HttpClient, HttpResponse } from '../net/http.js';
import type { RecordedRequest } from './fake-http.test-helper.js';

/** One canned answer to a `getText` call. */
export type PageAnswer = string | Error | { body: string; status?: number; url?: string };

/** Answers a request by URL and call number (0-based). */
export type PageResponder = (url: URL, call: number) => PageAnswer;

/** An HttpClient for scrapers: `getText` only; answers come from a list (in order) or a function. */
export class PageHttp implements HttpClient {
  readonly requests: RecordedRequest[] = [];
  private readonly respond: PageResponder;

  constructor(answers: readonly PageAnswer[] | PageResponder) {
    this.respond =
      typeof answers === 'function'
        ? answers
        : (url, call) => answers[call] ?? new Error(`unexpected request #${call + 1}: ${url.href}`);
  }

  getText(url: string, options: { signal: AbortSignal; headers?: Record<string, string> }): Promise<ApiResponse<string>> {
    const parsed = new URL(url);
    this.requests.push({ url: parsed, headers: options.headers ?? {}, signal: options.signal });
    const answer = this.respond(parsed, this.requests.length - 1);
    if (answer instanceof Error) return Promise.reject(answer);
    const page = typeof answer === 'string' ? { body: answer } : answer;
    return Promise.resolve({ status: page.status ?? 200, headers: { 'content-type': 'text/html; charset=utf-8' }, url: page.url ?? url, data: page.body });
  }

  getJson(): Promise<ApiResponse<never>> {
    return Promise.reject(new Error('PageHttp: scrapers read pages with getText'));
  }

  open(): Promise<HttpResponse> {
    return Promise.reject(new Error('PageHttp: sources never open media URLs'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

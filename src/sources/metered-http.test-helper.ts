/**
 * Test support for metered APIs: a {@link FakeHttp} whose answers also carry response headers
 * (X-RateLimit-*), so adapters' quota reporting can be checked without a server.
 */
import type { ApiResponse } from '../net/http.js';
import { FakeHttp, type Responder } from './fake-http.test-helper.js';

/** Response headers for the `call`-th request (0-based), names in lower case. */
export type HeaderResponder = (url: URL, call: number) => Record<string, string>;

/** A FakeHttp whose JSON answers carry the headers `headersFor` gives. */
export class MeteredFakeHttp extends FakeHttp {
  constructor(
    answers: readonly unknown[] | Responder,
    private readonly headersFor: HeaderResponder,
  ) {
    super(answers);
  }

  override async getJson<T = unknown>(url: string, options: { signal: AbortSignal; headers?: Record<string, string> }): Promise<ApiResponse<T>> {
    const response = await super.getJson<T>(url, options);
    return { ...response, headers: { ...response.headers, ...this.headersFor(new URL(url), this.requests.length - 1) } };
  }
}

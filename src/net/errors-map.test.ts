import { describe, expect, it } from 'vitest';
import { TrawlError } from '../errors.js';
import { statusError, transportError } from './errors-map.js';

const url = 'http://127.0.0.1:9/x';

describe('statusError', () => {
  it('makes transient statuses retryable, with Retry-After in the context', () => {
    const err = statusError(503, url, { 'retry-after': '7' }, 'api');
    expect(err.code).toBe('TRAWL_HTTP_TRANSIENT');
    expect(err.retryable).toBe(true);
    expect(err.context).toEqual({ status: 503, url, retryAfterMs: 7000 });
    for (const status of [408, 425, 429, 500, 502, 504]) expect(statusError(status, url, {}, 'media').code).toBe('TRAWL_HTTP_TRANSIENT');
    expect(statusError(429, url, { 'retry-after': 'soon' }, 'api').context.retryAfterMs).toBeUndefined();
  });

  it('blames the API key only for API calls', () => {
    expect(statusError(401, url, {}, 'api').code).toBe('TRAWL_AUTH');
    expect(statusError(403, url, {}, 'api').code).toBe('TRAWL_AUTH');
    expect(statusError(403, url, {}, 'media').code).toBe('TRAWL_HTTP_STATUS');
  });

  it('leaves other errors as non-retryable TRAWL_HTTP_STATUS', () => {
    for (const status of [400, 404, 410, 418, 451, 501]) {
      const err = statusError(status, url, {}, 'api');
      expect(err.code).toBe('TRAWL_HTTP_STATUS');
      expect(err.retryable).toBe(false);
    }
  });
});

describe('transportError', () => {
  const coded = (code: string, message = 'boom'): Error => Object.assign(new Error(message), { code });

  it('maps system and undici codes', () => {
    const cases: Array<[string, string]> = [
      ['ECONNRESET', 'TRAWL_NETWORK'],
      ['ECONNREFUSED', 'TRAWL_NETWORK'],
      ['EPIPE', 'TRAWL_NETWORK'],
      ['UND_ERR_SOCKET', 'TRAWL_NETWORK'],
      ['ENOTFOUND', 'TRAWL_DNS'],
      ['EAI_AGAIN', 'TRAWL_DNS'],
      ['UND_ERR_CONNECT_TIMEOUT', 'TRAWL_REQUEST_TIMEOUT'],
      ['UND_ERR_HEADERS_TIMEOUT', 'TRAWL_REQUEST_TIMEOUT'],
      ['UND_ERR_BODY_TIMEOUT', 'TRAWL_BODY_IDLE'],
      ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'TRAWL_TRUNCATED'],
      ['HPE_INVALID_CONSTANT', 'TRAWL_BAD_RESPONSE'],
      ['CERT_HAS_EXPIRED', 'TRAWL_TLS'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'TRAWL_TLS'],
    ];
    for (const [code, expected] of cases) {
      const err = transportError(coded(code), url);
      expect(err.code, code).toBe(expected);
      expect(err.context.url).toBe(url);
      expect(err.message).toContain(code);
    }
  });

  it('finds the code in a cause chain or an AggregateError', () => {
    expect(transportError(new Error('fetch failed', { cause: coded('ECONNRESET') }), url).code).toBe('TRAWL_NETWORK');
    expect(transportError(new AggregateError([coded('ENOTFOUND')], 'all failed'), url).code).toBe('TRAWL_DNS');
  });

  it('passes TrawlErrors through, adding the URL only when missing', () => {
    const ssrf = new TrawlError('TRAWL_SSRF_BLOCKED', 'refused', { context: { host: 'h' } });
    expect(transportError(ssrf, url).context).toEqual({ host: 'h', url });
    const budget = new TrawlError('TRAWL_SOURCE_TIMEOUT', 'source budget ran out');
    expect(transportError(budget, url)).toBe(budget);
  });
});

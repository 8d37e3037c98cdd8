import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, TrawlError, toTrawlError } from './errors.js';

describe('the error catalogue', () => {
  it('is documented in docs/errors.md, code by code, with the same retry rule', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      expect(row, `${code} has a row in docs/errors.md`).toBeDefined();
      expect(row?.split('|')[3]?.trim(), `${code} retried column`).toBe(spec.retryable ? 'yes' : 'no');
    }
  });

  it('keeps a TrawlError as it is and wraps anything else as TRAWL_INTERNAL with its cause', () => {
    const own = new TrawlError('TRAWL_DNS', 'no such host');
    expect(toTrawlError(own)).toBe(own);
    const cause = new Error('boom');
    const wrapped = toTrawlError(cause, { jobId: 'j1' });
    expect(wrapped.code).toBe('TRAWL_INTERNAL');
    expect(wrapped.cause).toBe(cause);
    expect(wrapped.context.jobId).toBe('j1');
    expect(JSON.parse(JSON.stringify(own))).toEqual({ code: 'TRAWL_DNS', message: 'no such host' });
  });
});

/**
 * The dashboard's URL guard (web/src/safe-url.ts): only http(s) URLs and this server's /api/ paths
 * may reach an href or src, so metadata from a source cannot inject script.
 */
import { describe, expect, it } from 'vitest';
import { safeUrl } from '../web/src/safe-url.js';

const ORIGIN = 'http://127.0.0.1:7777';

describe('safeUrl', () => {
  it('passes http and https URLs and same-origin /api/ paths', () => {
    expect(safeUrl('https://127.0.0.1/photo/1?x=1', ORIGIN)).toBe('https://127.0.0.1/photo/1?x=1');
    expect(safeUrl('http://[::1]:9001/a', ORIGIN)).toBe('http://[::1]:9001/a');
    expect(safeUrl('/api/items/abc/file', ORIGIN)).toBe('/api/items/abc/file');
  });

  it('refuses script, data and other schemes, however they are written', () => {
    for (const url of ['javascript:alert(1)', ' JavaScript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', 'file:///etc/passwd', 'blob:http://127.0.0.1/x']) {
      expect(safeUrl(url, ORIGIN), url).toBeUndefined();
    }
  });

  it('refuses relative paths outside /api/ and protocol-relative tricks', () => {
    for (const url of ['/docs', '/api/../admin', '//127.0.0.2/api/x', '/\\127.0.0.2/api/x', 'api/items/1/file', '', null, undefined]) {
      expect(safeUrl(url, ORIGIN), String(url)).toBeUndefined();
    }
  });
});

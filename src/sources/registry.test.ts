import { describe, expect, it } from 'vitest';
import { fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { findSource, SOURCES } from './registry.js';
import { apiOrigin, availability } from './source.js';

describe('source registry', () => {
  it('finds each implemented source by id and nothing for the ones still to come', () => {
    expect(SOURCES.map((s) => s.id)).toEqual(['pexels', 'openverse', 'wikimedia_commons']);
    expect(findSource('openverse')?.displayName).toBe('Openverse');
    expect(findSource('nasa')).toBeUndefined();
  });

  it('needs a key only for Pexels, and applies each TRAWL_ORIGIN_* override to its own source', () => {
    const { config } = fakeContext(new FakeHttp([]), { TRAWL_ORIGIN_OPENVERSE: 'http://127.0.0.1:9004' });
    expect(SOURCES.map((s) => availability(s, config).ok)).toEqual([false, true, true]);
    expect(SOURCES.map((s) => apiOrigin(s, config))).toEqual([
      'https://api.pexels.com',
      'http://127.0.0.1:9004',
      'https://commons.wikimedia.org',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { findSource, SOURCES } from './registry.js';
import { apiOrigin, availability } from './source.js';

describe('source registry', () => {
  it('finds each implemented source by id and nothing for the ones still to come', () => {
    expect(SOURCES.map((s) => s.id)).toEqual(['google_images', 'bing_images', 'duckduckgo_images', 'pexels', 'pixabay', 'unsplash', 'openverse', 'wikimedia_commons', 'nasa']);
    expect(findSource('openverse')?.displayName).toBe('Openverse');
    expect(findSource('nasa')?.displayName).toBe('NASA Image and Video Library');
  });

  it('needs a key only for Pexels, Pixabay and Unsplash, and applies each TRAWL_ORIGIN_* override to its own source', () => {
    const { config } = fakeContext(new FakeHttp([]), { TRAWL_ORIGIN_OPENVERSE: 'http://127.0.0.1:9004' });
    expect(SOURCES.map((s) => availability(s, config).ok)).toEqual([true, true, true, false, false, false, true, true, true]);
    expect(SOURCES.map((s) => apiOrigin(s, config))).toEqual([
      'https://www.google.com',
      'https://www.bing.com',
      'https://duckduckgo.com',
      'https://api.pexels.com',
      'https://pixabay.com',
      'https://api.unsplash.com',
      'http://127.0.0.1:9004',
      'https://commons.wikimedia.org',
      'https://images-api.nasa.gov',
    ]);
  });
});

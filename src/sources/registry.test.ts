import { describe, expect, it } from 'vitest';
import { SOURCE_IDS } from '../domain.js';
import { fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { API_KEY_VARS, SOURCE_LIST, SOURCES } from './registry.js';
import { apiOrigin, availability } from './source.js';

describe('source registry', () => {
  it('lists every source in SOURCE_IDS order, each under its own id', () => {
    expect(SOURCE_LIST.map((s) => s.id)).toEqual([...SOURCE_IDS]);
    expect(SOURCES.openverse.displayName).toBe('Openverse');
    expect(SOURCES.nasa.displayName).toBe('NASA Image and Video Library');
  });

  it('takes the key variables from the sources that declare one', () => {
    expect(API_KEY_VARS).toEqual(['PEXELS_API_KEY', 'PIXABAY_API_KEY', 'UNSPLASH_ACCESS_KEY', 'FLICKR_API_KEY', 'EUROPEANA_API_KEY']);
    const { config } = fakeContext(new FakeHttp([]), { PIXABAY_API_KEY: ' k ', SOME_OTHER_KEY: 'x' });
    expect(config.keys).toEqual({ PIXABAY_API_KEY: 'k' });
  });

  it('needs a key only for Pexels, Pixabay, Unsplash, Flickr and Europeana, and applies each TRAWL_ORIGIN_* override to its own source', () => {
    const { config } = fakeContext(new FakeHttp([]), { TRAWL_ORIGIN_OPENVERSE: 'http://127.0.0.1:9004' });
    expect(SOURCE_LIST.map((s) => availability(s, config).ok)).toEqual([true, true, true, false, false, false, true, true, true, false, false, true, true, true]);
    expect(SOURCE_LIST.map((s) => apiOrigin(s, config))).toEqual([
      'https://www.google.com',
      'https://www.bing.com',
      'https://duckduckgo.com',
      'https://api.pexels.com',
      'https://pixabay.com',
      'https://api.unsplash.com',
      'http://127.0.0.1:9004',
      'https://commons.wikimedia.org',
      'https://images-api.nasa.gov',
      'https://api.flickr.com',
      'https://api.europeana.eu',
      'https://collectionapi.metmuseum.org',
      'https://api.artic.edu',
      'https://openaccess-api.clevelandart.org',
    ]);
  });

  it('declares how each source asks its service: scrapers pause between pages and know the refusal statuses', () => {
    const scrapers = SOURCE_LIST.filter((s) => !s.statesLicenses).map((s) => s.id);
    expect(scrapers).toEqual(['google_images', 'bing_images', 'duckduckgo_images']);
    for (const source of SOURCE_LIST.filter((s) => !s.statesLicenses)) expect(source.requests).toMatchObject({ pageDelay: { minMs: 300, maxMs: 800 }, refusalStatuses: [202, 403, 418] });
    expect(SOURCE_LIST.filter((s) => s.requests.quotaHeaders !== null).map((s) => s.id)).toEqual(['pexels', 'pixabay', 'unsplash']);
  });
});

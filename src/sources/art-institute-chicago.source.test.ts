import { describe, expect, it } from 'vitest';
import { NO_FILTERS } from '../domain.js';
import { isTrawlError } from '../errors.js';
import { artInstituteChicagoSource, createArtInstituteChicagoSource } from './art-institute-chicago.source.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';

const ORIGIN = 'http://127.0.0.1:9012';
const ENV = { TRAWL_ORIGIN_ART_INSTITUTE_CHICAGO: ORIGIN, TRAWL_USER_AGENT: 'Trawl-test (ops@example.org)' };
const IIIF = 'https://www.artic.edu/iiif/2';
/** Pages in these tests come back at once. */
const quick = createArtInstituteChicagoSource({ pageDelay: { minMs: 0, maxMs: 0 } });

/** One search result in the recorded shape (SOURCES.md §12), with the fields the adapter asks for. */
function work(id: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _score: 182.4,
    id,
    title: `Water Lilies ${id}`,
    artist_title: 'Claude Monet',
    artist_display: 'Claude Monet\nFrench, 1840-1926',
    image_id: `3c27b499-af56-f0d5-93b5-a7f2f1ad5813-${id}`,
    is_public_domain: true,
    thumbnail: { lqip: 'data:image/gif;base64,R0lGODlhBAAFAPQAAEZcaFFfdl1p', width: 3000, height: 2250, alt_text: 'Painting of lilies.' },
    ...fields,
  };
}

function page(data: unknown[], current = 1, totalPages = 1): Record<string, unknown> {
  return {
    preference: null,
    pagination: { total: 20, limit: data.length, offset: 0, total_pages: totalPages, current_page: current },
    data,
    info: { license_text: 'CC0 …', license_links: ['https://creativecommons.org/publicdomain/zero/1.0/'], version: '1.13' },
    config: { iiif_url: IIIF, website_url: 'https://www.artic.edu' },
  };
}

describe('art_institute_chicago search', () => {
  it('asks for public-domain works and the fields it needs, identifies itself, and builds the 843 px IIIF URL', async () => {
    const http = new FakeHttp([page([work(16568)])]);
    const context = fakeContext(http, ENV);
    const [first] = await collectPages(quick.search({ query: 'water lilies', kind: 'image', limit: 5 }, context));

    const request = http.requests[0];
    expect(`${request?.url.origin ?? ''}${request?.url.pathname ?? ''}`).toBe(`${ORIGIN}/api/v1/artworks/search`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({
      q: 'water lilies',
      'query[term][is_public_domain]': 'true',
      fields: 'id,title,artist_title,artist_display,image_id,is_public_domain,thumbnail',
      limit: '5',
      page: '1',
    });
    expect(request?.headers['AIC-User-Agent']).toBe('Trawl-test (ops@example.org)');
    expect(request?.signal).toBe(context.signal);
    expect(first).toEqual([
      {
        source: 'art_institute_chicago',
        kind: 'image',
        url: `${IIIF}/3c27b499-af56-f0d5-93b5-a7f2f1ad5813-16568/full/843,/0/default.jpg`,
        pageUrl: 'https://www.artic.edu/artworks/16568',
        title: 'Water Lilies 16568',
        author: 'Claude Monet',
        authorUrl: null,
        license: 'CC0 1.0 (public-domain work, Art Institute of Chicago open access)',
        licenseUrl: 'https://creativecommons.org/publicdomain/zero/1.0/',
        licenseCode: 'cc0',
        width: 843,
        height: 632,
      },
    ]);
  });

  it('never gives a work in copyright or without an image, and reads the multi-line artist and missing sizes', async () => {
    const data = [
      work(1, { is_public_domain: false }),
      work(2, { image_id: null }),
      work(3, { is_public_domain: undefined }),
      work(4, { artist_title: null, artist_display: 'Katsushika Hokusai\nJapanese, 1760-1849' }),
      work(5, { thumbnail: null }),
      work(6, { thumbnail: { width: 600, height: 800 } }),
    ];
    const [only] = await collectPages(quick.search({ query: 'wave', kind: 'image', limit: 10 }, fakeContext(new FakeHttp([page(data)]), ENV)));

    expect(only?.map((c) => c.pageUrl)).toEqual(['https://www.artic.edu/artworks/4', 'https://www.artic.edu/artworks/5', 'https://www.artic.edu/artworks/6']);
    expect(only?.every((c) => c.licenseCode === 'cc0')).toBe(true);
    expect(only?.[0]?.author).toBe('Katsushika Hokusai');
    // No size without a thumbnail, nor for an image narrower than the rendition asked for.
    expect(only?.slice(1).map((c) => [c.width, c.height])).toEqual([[null, null], [null, null]]);
  });

  it('pages with one limit until total_pages, stopping at the limit', async () => {
    const http = new FakeHttp([page([work(1), work(2)], 1, 3), page([work(3), work(4)], 2, 3), page([work(5)], 3, 3)]);
    const pages = await collectPages(quick.search({ query: 'x', kind: 'image', limit: 2 }, fakeContext(http, ENV)));
    expect(pages.flat()).toHaveLength(2);
    expect(http.requests).toHaveLength(1);

    const all = new FakeHttp([page([work(1), work(2)], 1, 2), page([work(3)], 2, 2)]);
    const both = await collectPages(quick.search({ query: 'x', kind: 'image', limit: 3 }, fakeContext(all, ENV)));
    expect(both.flat().map((c) => c.pageUrl?.split('/').pop())).toEqual(['1', '2', '3']);
    expect(all.requests.map((r) => [r.url.searchParams.get('limit'), r.url.searchParams.get('page')])).toEqual([['3', '1'], ['3', '2']]);
  });

  it('keeps within the 1000-result window and the 100-per-page limit', async () => {
    const full = (n: number): Record<string, unknown> => page(Array.from({ length: 100 }, (_, i) => work(n * 100 + i, { is_public_domain: false })), n, 50);
    const http = new FakeHttp((url) => full(Number(url.searchParams.get('page'))));
    const pages = await collectPages(quick.search({ query: 'x', kind: 'image', limit: 5000 }, fakeContext(http, ENV)));
    expect(pages).toEqual([]);
    expect(http.requests.map((r) => Number(r.url.searchParams.get('page')))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(http.requests.every((r) => r.url.searchParams.get('limit') === '100')).toBe(true);
  });

  it('asks nothing for videos or when a licence filter leaves out cc0, and reports an answer without data[] or iiif_url', async () => {
    const none = new FakeHttp([]);
    expect(await collectPages(quick.search({ query: 'x', kind: 'video', limit: 5 }, fakeContext(none, ENV)))).toEqual([]);
    const filters = { ...NO_FILTERS, license: ['pdm' as const, 'cc-by' as const] };
    expect(await collectPages(quick.search({ query: 'x', kind: 'image', limit: 5, filters }, fakeContext(none, ENV)))).toEqual([]);
    expect(none.requests).toHaveLength(0);

    for (const answer of [{ detail: 'oops' }, { ...page([work(1)]), config: {} }]) {
      const err: unknown = await collectPages(quick.search({ query: 'x', kind: 'image', limit: 5 }, fakeContext(new FakeHttp([answer]), ENV))).catch((e: unknown) => e);
      expect(isTrawlError(err, 'TRAWL_PARSER_OUTDATED'), JSON.stringify(answer)).toBe(true);
    }
  });

  it('pauses a second between pages, for the 60-a-minute anonymous limit', () => {
    expect(artInstituteChicagoSource.requests.pageDelay).toEqual({ minMs: 1000, maxMs: 1000 });
  });
});

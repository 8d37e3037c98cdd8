import { describe, expect, it } from 'vitest';
import { type Filters, NO_FILTERS } from '../domain.js';
import { isTrawlError } from '../errors.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { openverseSource } from './openverse.source.js';

const ORIGIN = 'http://127.0.0.1:9004';
const ENV = { TRAWL_ORIGIN_OPENVERSE: ORIGIN };

/** The recorded 2024 result. */
function result(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const id = `9ffc33cc-4633-4040-b270-${String(n).padStart(12, '0')}`;
  return {
    id,
    title: 'I wonder why I love this CAT - IMG_3475-002',
    indexed_on: '2023-03-12T02:36:57.709071Z',
    foreign_landing_url: `https://www.flickr.com/photos/181765699@N08/${n}`,
    url: `https://live.staticflickr.com/65535/${n}_cfbe283a43_b.jpg`,
    creator: 'iezalel7williams',
    creator_url: 'https://www.flickr.com/photos/181765699@N08',
    license: 'cc0',
    license_version: '1.0',
    license_url: 'https://creativecommons.org/publicdomain/zero/1.0/',
    provider: 'flickr',
    source: 'flickr',
    category: 'photograph',
    filesize: null,
    filetype: 'jpg',
    tags: [{ name: 'cat', accuracy: null }],
    attribution: '"I wonder why..." by iezalel7williams is marked with CC0 1.0.',
    fields_matched: ['description', 'title', 'tags.name'],
    mature: false,
    height: 683,
    width: 1024,
    thumbnail: `https://api.openverse.org/v1/images/${id}/thumb/`,
    detail_url: `https://api.openverse.org/v1/images/${id}/`,
    related_url: `https://api.openverse.org/v1/images/${id}/related/`,
    unstable__sensitivity: [],
    ...extra,
  };
}

function page(results: unknown[], pageCount = 20, pageNumber = 1): Record<string, unknown> {
  return { result_count: 10000, page_count: pageCount, page_size: 20, page: pageNumber, results, warnings: [] };
}

function results(from: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => result(from + i));
}

describe('openverse', () => {
  it('searches /v1/images/ keyless and maps the recorded result fields', async () => {
    const http = new FakeHttp([
      page([
        result(1),
        result(2, { license: 'by-sa', license_version: '4.0', license_url: 'https://creativecommons.org/licenses/by-sa/4.0/' }),
        result(3, { license: 'pdm', width: null, height: null, creator: null, creator_url: null, title: null }),
        result(4, { url: null }),
        result(5, { license: 'by-nc-nd', license_version: null }),
      ], 1),
    ]);
    const context = fakeContext(http, ENV);
    const pages = await collectPages(openverseSource.search({ query: 'black cat', kind: 'image', limit: 10 }, context));

    const request = http.requests[0];
    expect(request?.url.origin + (request?.url.pathname ?? '')).toBe(`${ORIGIN}/v1/images/`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ q: 'black cat', page: '1', page_size: '10' });
    expect(request?.headers).toEqual({});
    expect(request?.signal).toBe(context.signal);

    const found = pages.flat();
    expect(found[0]).toEqual({
      source: 'openverse',
      kind: 'image',
      url: 'https://live.staticflickr.com/65535/1_cfbe283a43_b.jpg',
      pageUrl: 'https://www.flickr.com/photos/181765699@N08/1',
      title: 'I wonder why I love this CAT - IMG_3475-002',
      author: 'iezalel7williams',
      authorUrl: 'https://www.flickr.com/photos/181765699@N08',
      license: 'CC0 1.0',
      licenseUrl: 'https://creativecommons.org/publicdomain/zero/1.0/',
      licenseCode: 'cc0',
      width: 1024,
      height: 683,
    });
    expect(found.map((c) => c.license)).toEqual(['CC0 1.0', 'CC BY-SA 4.0', 'Public Domain Mark 1.0', 'CC BY-NC-ND']);
    expect(found.map((c) => c.licenseCode)).toEqual(['cc0', 'cc-by-sa', 'pdm', 'cc-by-nc-nd']);
    expect(found[2]).toMatchObject({ title: null, author: null, authorUrl: null, width: null, height: null });
  });

  it('talks to the real API origin when no override is configured', async () => {
    const http = new FakeHttp([page(results(1, 1))]);
    await collectPages(openverseSource.search({ query: 'cats', kind: 'image', limit: 1 }, fakeContext(http)));
    expect(http.requests[0]?.url.href).toBe('https://api.openverse.org/v1/images/?q=cats&page=1&page_size=1');
  });

  it('keeps page_size at the anonymous cap of 20 and stops at the limit', async () => {
    const http = new FakeHttp((url) => {
      const n = Number(url.searchParams.get('page'));
      return page(results(n * 100, 20), 20, n);
    });
    const pages = await collectPages(openverseSource.search({ query: 'cats', kind: 'image', limit: 45 }, fakeContext(http, ENV)));
    expect(http.requests.map((r) => [r.url.searchParams.get('page'), r.url.searchParams.get('page_size')])).toEqual([
      ['1', '20'],
      ['2', '20'],
      ['3', '20'],
    ]);
    expect(pages.map((p) => p.length)).toEqual([20, 20, 5]);
  });

  it('stops at page_count and never goes past page 20', async () => {
    const short = new FakeHttp((url) => page(results(Number(url.searchParams.get('page')) * 100, 20), 2));
    const two = await collectPages(openverseSource.search({ query: 'cats', kind: 'image', limit: 500 }, fakeContext(short, ENV)));
    expect(short.requests).toHaveLength(2);
    expect(two.flat()).toHaveLength(40);

    const deep = new FakeHttp((url) => page(results(Number(url.searchParams.get('page')) * 100, 20), 500));
    const twenty = await collectPages(openverseSource.search({ query: 'cats', kind: 'image', limit: 1000 }, fakeContext(deep, ENV)));
    expect(deep.requests).toHaveLength(20);
    expect(deep.requests.at(-1)?.url.searchParams.get('page')).toBe('20');
    expect(twenty.flat()).toHaveLength(400);
  });

  it('stops on an empty page', async () => {
    const http = new FakeHttp([page([], 20)]);
    expect(await collectPages(openverseSource.search({ query: 'zzz', kind: 'image', limit: 5 }, fakeContext(http, ENV)))).toEqual([]);
    expect(http.requests).toHaveLength(1);
  });

  it('does not search for videos', async () => {
    const http = new FakeHttp([]);
    expect(await collectPages(openverseSource.search({ query: 'cats', kind: 'video', limit: 5 }, fakeContext(http, ENV)))).toEqual([]);
    expect(http.requests).toHaveLength(0);
  });

  it('reports a response without results[] as TRAWL_PARSER_OUTDATED', async () => {
    const http = new FakeHttp([{ result_count: 0, items: [] }]);
    const error = await collectPages(openverseSource.search({ query: 'cats', kind: 'image', limit: 5 }, fakeContext(http, ENV))).catch(
      (err: unknown) => err,
    );
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED')).toBe(true);
    expect((error as Error).message).toContain('openverse: /v1/images/ response has no results[] array');
  });
});

describe('openverse filters', () => {
  const params = async (filters: Partial<Filters>): Promise<Record<string, string>> => {
    const http = new FakeHttp(() => page([], 1));
    await collectPages(openverseSource.search({ query: 'cats', kind: 'image', limit: 5, filters: { ...NO_FILTERS, ...filters } }, fakeContext(http, ENV)));
    const { q: _q, page: _page, page_size: _size, ...rest } = Object.fromEntries(http.requests[0]?.url.searchParams ?? []);
    return rest;
  };

  it("asks for Openverse's size bands only when both minimums rule the smaller ones out (small < 640 × 480 ≤ medium < 1600 × 900)", async () => {
    expect(await params({ minWidth: 639, minHeight: 480 })).toEqual({});
    expect(await params({ minWidth: 640, minHeight: 480 })).toEqual({ size: 'medium,large' });
    expect(await params({ minWidth: 1600, minHeight: 900 })).toEqual({ size: 'large' });
    expect(await params({ minWidth: 4000 })).toEqual({});
  });

  it('maps licence codes to its own, orientation to its aspect ratios (never square: its square is exact), formats to extensions', async () => {
    expect(await params({ license: ['cc0', 'cc-by-nc-sa', 'pdm', 'unsplash'] })).toEqual({ license: 'cc0,by-nc-sa,pdm' });
    expect(await params({ orientation: 'portrait' })).toEqual({ aspect_ratio: 'tall' });
    expect(await params({ orientation: 'square' })).toEqual({});
    expect(await params({ format: ['jpeg', 'webp'], safeSearch: false })).toEqual({ extension: 'jpg,jpeg,webp', mature: 'true' });
  });
});

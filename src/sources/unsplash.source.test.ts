import { describe, expect, it } from 'vitest';
import type { Candidate } from '../domain.js';
import { isTrawlError, TrawlError } from '../errors.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { unsplashSource } from './unsplash.source.js';

const ORIGIN = 'http://127.0.0.1:9006';
const KEY = 'unsplash-access-key-42';
const ENV = { UNSPLASH_ACCESS_KEY: KEY, TRAWL_ORIGIN_UNSPLASH: ORIGIN };
const AUTH = { Authorization: `Client-ID ${KEY}`, 'Accept-Version': 'v1' };
const IMG = 'https://images.unsplash.com/photo-1534644107580-3a4dbd494a95';

/** A result as recorded (unsplash-php cassette), on the API origin `api`. */
function photo(id: string, extra: Record<string, unknown> = {}, api = 'https://api.unsplash.com'): Record<string, unknown> {
  const ixid = 'MnwxMjA3fDB8MXxzZWFyY2h8MXx8cGFyaXN8ZW58MHx8fHwxNjU';
  return {
    id,
    slug: `person-using-pencil-${id}`,
    created_at: '2018-08-19T03:02:56Z',
    updated_at: '2022-06-01T12:33:12Z',
    promoted_at: null,
    width: 5616,
    height: 3744,
    color: '#8c590c',
    blur_hash: 'LVKw90_3%2Rj~qRjRjayRjWBofj[',
    description: null,
    alt_description: 'person using pencil',
    breadcrumbs: [],
    urls: {
      raw: `${IMG}?ixid=${ixid}&ixlib=rb-4.0.3`,
      full: `${IMG}?crop=entropy&cs=srgb&fm=jpg&ixid=${ixid}&ixlib=rb-4.0.3&q=85`,
      regular: `${IMG}?crop=entropy&cs=tinysrgb&fit=max&fm=jpg&ixid=${ixid}&ixlib=rb-4.0.3&q=80&w=1080`,
      small: `${IMG}?crop=entropy&cs=tinysrgb&fit=max&fm=jpg&ixid=${ixid}&ixlib=rb-4.0.3&q=80&w=400`,
      thumb: `${IMG}?crop=entropy&cs=tinysrgb&fit=max&fm=jpg&ixid=${ixid}&ixlib=rb-4.0.3&q=80&w=200`,
      small_s3: 'https://s3.us-west-2.amazonaws.com/images.unsplash.com/small/photo-1534644107580-3a4dbd494a95',
    },
    links: {
      self: `${api}/photos/${id}`,
      html: `https://unsplash.com/photos/${id}`,
      download: `https://unsplash.com/photos/${id}/download?ixid=${ixid}`,
      download_location: `${api}/photos/${id}/download?ixid=${ixid}`,
    },
    likes: 0,
    liked_by_user: false,
    current_user_collections: [],
    sponsorship: null,
    topic_submissions: {},
    user: {
      id: 'QWu5GLz_lLg',
      username: 'benmullins',
      name: 'Ben Mullins',
      first_name: 'Ben',
      last_name: 'Mullins',
      links: { self: `${api}/users/benmullins`, html: 'https://unsplash.com/@benmullins', photos: `${api}/users/benmullins/photos` },
      profile_image: { small: 'https://images.unsplash.com/profile-1?w=32', medium: 'https://images.unsplash.com/profile-1?w=64', large: 'https://images.unsplash.com/profile-1?w=128' },
    },
    tags: [{ type: 'search', title: 'paris' }],
    ...extra,
  };
}

function page(results: unknown[], totalPages = 1): Record<string, unknown> {
  return { total: results.length * totalPages, total_pages: totalPages, results };
}

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => photo(`id${String(from + i).padStart(9, '0')}`));

describe('unsplash search', () => {
  it('searches /search/photos with the Client-ID header and maps the recorded fields', async () => {
    const http = new FakeHttp([page([photo('oXV3bzR7jxI')])]);
    const context = fakeContext(http, ENV);
    const [candidate] = (await collectPages(unsplashSource.search({ query: 'paris', kind: 'image', limit: 10 }, context))).flat();

    const request = http.requests[0];
    expect(request?.url.origin + (request?.url.pathname ?? '')).toBe(`${ORIGIN}/search/photos`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ query: 'paris', page: '1', per_page: '10', content_filter: 'high' });
    expect(request?.headers).toEqual(AUTH);
    expect(request?.signal).toBe(context.signal);
    expect(candidate).toEqual({
      source: 'unsplash',
      kind: 'image',
      url: `${IMG}?crop=entropy&cs=srgb&fm=jpg&ixid=MnwxMjA3fDB8MXxzZWFyY2h8MXx8cGFyaXN8ZW58MHx8fHwxNjU&ixlib=rb-4.0.3&q=85`,
      pageUrl: 'https://unsplash.com/photos/oXV3bzR7jxI',
      title: 'person using pencil',
      author: 'Ben Mullins',
      authorUrl: 'https://unsplash.com/@benmullins?utm_source=trawl&utm_medium=referral',
      license: 'Unsplash License',
      licenseUrl: 'https://unsplash.com/license',
      licenseCode: 'unsplash',
      width: 5616,
      height: 3744,
      // The real location, sent to the configured origin with its path and query kept.
      sourceData: { downloadLocation: `${ORIGIN}/photos/oXV3bzR7jxI/download?ixid=MnwxMjA3fDB8MXxzZWFyY2h8MXx8cGFyaXN8ZW58MHx8fHwxNjU` },
    });
  });

  it('talks to the real API origin when no override is configured', async () => {
    const http = new FakeHttp([page([photo('a')])]);
    const [candidate] = (await collectPages(unsplashSource.search({ query: 'cats', kind: 'image', limit: 1 }, fakeContext(http, { UNSPLASH_ACCESS_KEY: 'k' })))).flat();
    expect(http.requests[0]?.url.href).toBe('https://api.unsplash.com/search/photos?query=cats&page=1&per_page=1&content_filter=high');
    expect(candidate?.sourceData?.downloadLocation).toMatch(/^https:\/\/api\.unsplash\.com\/photos\/a\/download\?ixid=/);
  });

  it('falls back from full to raw, regular and small; uses description or username when the others are null', async () => {
    const urls = (photo('x').urls ?? {}) as Record<string, string>;
    const results = [
      photo('raw', { urls: { ...urls, full: null } }),
      photo('reg', { urls: { regular: urls.regular, small: urls.small } }),
      photo('sml', { urls: { small: urls.small }, width: 300, height: 200 }),
      photo('nodims', { urls: { regular: urls.regular }, width: null }),
      photo('desc', { alt_description: null, description: 'A Paris street', user: { username: 'anon', links: {} } }),
    ];
    const http = new FakeHttp([page(results)]);
    const got = (await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 10 }, fakeContext(http, ENV)))).flat();
    expect(got.map(({ url, width, height }) => ({ url, width, height }))).toEqual([
      { url: urls.raw, width: 5616, height: 3744 },
      { url: urls.regular, width: 1080, height: 720 },
      { url: urls.small, width: 300, height: 200 },
      { url: urls.regular, width: null, height: null },
      { url: urls.full, width: 5616, height: 3744 },
    ]);
    expect(got[4]).toMatchObject({ title: 'A Paris street', author: 'anon', authorUrl: null });
  });

  it('skips Unsplash+ items and photos whose download cannot be reported (no or foreign download_location)', async () => {
    const plus = photo('plus', { premium: true });
    const plusHost = photo('plushost', { urls: { raw: 'https://plus.unsplash.com/premium_photo-1?ixid=x', full: 'https://plus.unsplash.com/premium_photo-1?q=85' } });
    const noLocation = photo('noloc', { links: { html: 'https://unsplash.com/photos/noloc' } });
    const foreign = photo('foreign', { links: { download_location: 'http://127.0.0.2:9006/photos/foreign/download' } });
    const http = new FakeHttp([page([plus, plusHost, noLocation, foreign, photo('ok')])]);
    const got = (await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 10 }, fakeContext(http, ENV)))).flat();
    expect(got.map((c) => c.pageUrl)).toEqual(['https://unsplash.com/photos/ok']);
  });

  it('caps per_page at 30, pages until the limit, and stops at total_pages or a short page', async () => {
    const http = new FakeHttp([page(ids(30), 5), page(ids(30, 30), 5)]);
    const pages = await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 45 }, fakeContext(http, ENV)));
    expect(http.requests.map((r) => [r.url.searchParams.get('page'), r.url.searchParams.get('per_page')])).toEqual([
      ['1', '30'],
      ['2', '30'],
    ]);
    expect(pages.map((p) => p.length)).toEqual([30, 15]);

    const last = new FakeHttp([page(ids(30), 1)]);
    expect((await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 100 }, fakeContext(last, ENV)))).flat()).toHaveLength(30);
    expect(last.requests).toHaveLength(1);

    const short = new FakeHttp([page(ids(12), 9)]);
    expect((await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 100 }, fakeContext(short, ENV)))).flat()).toHaveLength(12);
    expect(short.requests).toHaveLength(1);
  });

  it('yields nothing for a genuine empty result and for video searches', async () => {
    const http = new FakeHttp([{ total: 0, total_pages: 0, results: [] }]);
    expect(await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 5 }, fakeContext(http, ENV)))).toEqual([]);
    const none = new FakeHttp([]);
    expect(await collectPages(unsplashSource.search({ query: 'x', kind: 'video', limit: 5 }, fakeContext(none, ENV)))).toEqual([]);
    expect(none.requests).toHaveLength(0);
  });

  it('reports X-Ratelimit-Limit/Remaining (no reset time until the hour is spent)', async () => {
    const http = new FakeHttp([page(ids(1))], { headers: () => ({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '0', 'x-total': '1' }) });
    const context = fakeContext(http, ENV);
    await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 5 }, context));
    expect(context.quotas).toHaveLength(1);
    expect(context.quotas[0]).toMatchObject({ limit: 50, remaining: 0 });
    const wait = Date.parse(context.quotas[0]?.resetAt ?? '') - Date.now();
    expect(wait).toBeGreaterThan(3_500_000);
    expect(wait).toBeLessThanOrEqual(3_600_000);
  });

  it('ends a 403 "Rate Limit Exceeded" or a 429 as TRAWL_RATE_LIMITED, and keeps a 401 as TRAWL_AUTH', async () => {
    for (const status of [403, 429]) {
      const code = status === 403 ? 'TRAWL_AUTH' : 'TRAWL_HTTP_TRANSIENT';
      const http = new FakeHttp([new TrawlError(code, `answered ${status}`, { context: { status } })]);
      const error = await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 5 }, fakeContext(http, ENV))).catch((err: unknown) => err);
      expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
      expect((error as Error).message).toContain(`unsplash: the service is rate-limiting requests (HTTP ${status})`);
    }
    const bad = new FakeHttp([new TrawlError('TRAWL_AUTH', 'answered 401', { context: { status: 401 } })]);
    const error = await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 5 }, fakeContext(bad, ENV))).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_AUTH')).toBe(true);
  });

  it('reports a changed format as TRAWL_PARSER_OUTDATED: no results[], or results it cannot read', async () => {
    const noResults = new FakeHttp([{ photos: { results: [] } }]);
    const error = await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 5 }, fakeContext(noResults, ENV))).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED')).toBe(true);
    expect((error as Error).message).toContain('unsplash: /search/photos response has no results[] array');

    const renamed = new FakeHttp([page([{ id: 'a', images: { original: IMG }, href: 'https://unsplash.com/photos/a' }])]);
    const unread = await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 5 }, fakeContext(renamed, ENV))).catch((err: unknown) => err);
    expect(isTrawlError(unread, 'TRAWL_PARSER_OUTDATED')).toBe(true);
    expect((unread as Error).message).toContain('results with urls.full and links.download_location');
  });

  it('refuses to search without a key, before any request', async () => {
    const http = new FakeHttp([]);
    const error = await collectPages(unsplashSource.search({ query: 'x', kind: 'image', limit: 5 }, fakeContext(http, { TRAWL_ORIGIN_UNSPLASH: ORIGIN }))).catch(
      (err: unknown) => err,
    );
    expect(isTrawlError(error, 'TRAWL_NOT_CONFIGURED')).toBe(true);
    expect(http.requests).toHaveLength(0);
  });
});

describe('unsplash download tracking', () => {
  const candidate = (downloadLocation?: string): Candidate => ({
    source: 'unsplash',
    kind: 'image',
    url: `${IMG}?q=85`,
    pageUrl: null,
    title: null,
    author: null,
    authorUrl: null,
    license: 'Unsplash License',
    licenseUrl: 'https://unsplash.com/license',
    licenseCode: 'unsplash',
    width: null,
    height: null,
    ...(downloadLocation === undefined ? {} : { sourceData: { downloadLocation } }),
  });

  it('GETs download_location as given (query kept) with the Client-ID header and the source signal', async () => {
    const location = `${ORIGIN}/photos/oXV3bzR7jxI/download?ixid=MnwxMjA3fDB8MXxzZWFyY2h8MXx8cGFyaXN8ZW58MHx8fHwxNjU`;
    const http = new FakeHttp([{ url: `${IMG}?ixlib=rb-4.0.3&q=85&fm=jpg&crop=entropy&cs=srgb` }], { headers: () => ({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '48' }) });
    const context = fakeContext(http, ENV);
    await unsplashSource.notifyDownloaded?.(candidate(location), context);
    expect(http.requests.map((r) => r.url.href)).toEqual([location]);
    expect(http.requests[0]?.headers).toEqual(AUTH);
    expect(http.requests[0]?.signal).toBe(context.signal);
    expect(context.quotas[0]).toMatchObject({ limit: 50, remaining: 48 });
  });

  it('refuses a candidate without a location on the API origin, sending nothing', async () => {
    for (const location of [undefined, 'not a url', 'http://127.0.0.2:9006/photos/x/download']) {
      const http = new FakeHttp([]);
      const error = await unsplashSource.notifyDownloaded?.(candidate(location), fakeContext(http, ENV)).catch((err: unknown) => err);
      expect(isTrawlError(error, 'TRAWL_BAD_INPUT')).toBe(true);
      expect(http.requests).toHaveLength(0);
    }
  });

  it('passes a failed tracking call on as a TrawlError', async () => {
    const http = new FakeHttp([new TrawlError('TRAWL_AUTH', 'answered 401', { context: { status: 401 } })]);
    const error = await unsplashSource.notifyDownloaded?.(candidate(`${ORIGIN}/photos/a/download`), fakeContext(http, ENV)).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_AUTH')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { isTrawlError, TrawlError } from '../errors.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { pexelsSource } from './pexels.source.js';

const ORIGIN = 'http://127.0.0.1:9001';
const ENV = { PEXELS_API_KEY: 'test-key-123', TRAWL_ORIGIN_PEXELS: ORIGIN };

/** A photo as recorded in 2022+ (with `alt`). */
function photo(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    width: 6109,
    height: 4073,
    url: `https://www.pexels.com/photo/aerial-photography-of-city-${id}/`,
    photographer: 'Aleksandar Pasaric',
    photographer_url: 'https://www.pexels.com/@apasaric',
    photographer_id: 105079,
    avg_color: '#B79775',
    src: {
      original: `https://images.pexels.com/photos/${id}/pexels-photo-${id}.jpeg`,
      large2x: `https://images.pexels.com/photos/${id}/pexels-photo-${id}.jpeg?auto=compress&cs=tinysrgb&dpr=2&h=650&w=940`,
      tiny: `https://images.pexels.com/photos/${id}/pexels-photo-${id}.jpeg?auto=compress&cs=tinysrgb&dpr=1&fit=crop&h=200&w=280`,
    },
    liked: false,
    alt: 'Brown Rocks During Golden Hour',
    ...extra,
  };
}

/** The 2021 capture had no `alt` at all. */
function oldPhoto(id: number): Record<string, unknown> {
  const { alt: _alt, ...rest } = photo(id);
  return rest;
}

function photoPage(photos: unknown[], nextPage?: string): Record<string, unknown> {
  return { total_results: 89, page: 1, per_page: 15, photos, ...(nextPage === undefined ? {} : { next_page: nextPage }) };
}

describe('pexels photos', () => {
  it('searches /v1/search with the raw key and maps the recorded photo fields', async () => {
    const http = new FakeHttp([photoPage([photo(1388030), oldPhoto(1388031), photo(7, { alt: '' })])]);
    const context = fakeContext(http, ENV);
    const pages = await collectPages(pexelsSource.search({ query: 'barcelona city', kind: 'image', limit: 10 }, context));

    expect(http.requests).toHaveLength(1);
    const [request] = http.requests;
    expect(request?.url.origin + (request?.url.pathname ?? '')).toBe(`${ORIGIN}/v1/search`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ query: 'barcelona city', page: '1', per_page: '10' });
    expect(request?.headers).toEqual({ Authorization: 'test-key-123' });
    expect(request?.signal).toBe(context.signal);

    expect(pages).toHaveLength(1);
    expect(pages[0]?.[0]).toEqual({
      source: 'pexels',
      kind: 'image',
      url: 'https://images.pexels.com/photos/1388030/pexels-photo-1388030.jpeg',
      pageUrl: 'https://www.pexels.com/photo/aerial-photography-of-city-1388030/',
      title: 'Brown Rocks During Golden Hour',
      author: 'Aleksandar Pasaric',
      authorUrl: 'https://www.pexels.com/@apasaric',
      license: 'Pexels License',
      licenseUrl: 'https://www.pexels.com/license/',
      licenseCode: 'pexels',
      width: 6109,
      height: 4073,
    });
    expect(pages[0]?.map((c) => c.title)).toEqual(['Brown Rocks During Golden Hour', null, null]);
  });

  it('talks to the real API origin when no override is configured', async () => {
    const http = new FakeHttp([photoPage([photo(1)])]);
    await collectPages(pexelsSource.search({ query: 'cats', kind: 'image', limit: 1 }, fakeContext(http, { PEXELS_API_KEY: 'k' })));
    expect(http.requests[0]?.url.href).toBe('https://api.pexels.com/v1/search?query=cats&page=1&per_page=1');
  });

  it('caps per_page at 80', async () => {
    const http = new FakeHttp([photoPage([photo(1)])]);
    await collectPages(pexelsSource.search({ query: 'cats', kind: 'image', limit: 500 }, fakeContext(http, ENV)));
    expect(http.requests[0]?.url.searchParams.get('per_page')).toBe('80');
  });

  it('follows next_page as given and stops once the limit is reached', async () => {
    const next = `${ORIGIN}/v1/search/?orientation=landscape&page=2&per_page=3&query=cats`;
    const http = new FakeHttp([
      photoPage([photo(1), photo(2), photo(3)], next),
      photoPage([photo(4), photo(5), photo(6)], `${ORIGIN}/v1/search/?page=3&per_page=3&query=cats`),
    ]);
    const pages = await collectPages(pexelsSource.search({ query: 'cats', kind: 'image', limit: 5 }, fakeContext(http, ENV)));

    expect(http.requests.map((r) => r.url.href)).toEqual([`${ORIGIN}/v1/search?query=cats&page=1&per_page=5`, next]);
    expect(http.requests[1]?.headers.Authorization).toBe('test-key-123');
    expect(pages.map((p) => p.length)).toEqual([3, 2]);
  });

  it('stops on the last page (no next_page) and on an empty page', async () => {
    const lastPage = new FakeHttp([photoPage([photo(1)])]);
    const one = await collectPages(pexelsSource.search({ query: 'cats', kind: 'image', limit: 50 }, fakeContext(lastPage, ENV)));
    expect(lastPage.requests).toHaveLength(1);
    expect(one.flat()).toHaveLength(1);

    const empty = new FakeHttp([photoPage([], `${ORIGIN}/v1/search/?page=2&per_page=50&query=cats`)]);
    const none = await collectPages(pexelsSource.search({ query: 'cats', kind: 'image', limit: 50 }, fakeContext(empty, ENV)));
    expect(empty.requests).toHaveLength(1);
    expect(none).toEqual([]);
  });

  it('never sends the key to a next_page on another origin', async () => {
    const http = new FakeHttp([photoPage([photo(1)], 'http://127.0.0.2:9001/v1/search/?page=2&per_page=5&query=cats')]);
    const pages = await collectPages(pexelsSource.search({ query: 'cats', kind: 'image', limit: 5 }, fakeContext(http, ENV)));
    expect(http.requests).toHaveLength(1);
    expect(pages.flat()).toHaveLength(1);
  });

  it('skips a photo without a usable original URL', async () => {
    const http = new FakeHttp([photoPage([photo(1, { src: { tiny: 'https://images.pexels.com/t.jpeg' } }), photo(2)])]);
    const pages = await collectPages(pexelsSource.search({ query: 'cats', kind: 'image', limit: 5 }, fakeContext(http, ENV)));
    expect(pages.flat().map((c) => c.url)).toEqual(['https://images.pexels.com/photos/2/pexels-photo-2.jpeg']);
  });

  it('reports a changed response format as TRAWL_PARSER_OUTDATED', async () => {
    const http = new FakeHttp([{ data: [{ id: 1, attributes: {} }] }]);
    const error = await collectPages(pexelsSource.search({ query: 'cats', kind: 'image', limit: 5 }, fakeContext(http, ENV))).catch(
      (err: unknown) => err,
    );
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED')).toBe(true);
    expect((error as Error).message).toContain('pexels: /v1/search response has no photos[] array');
  });

  it('refuses to search without a key, before any request', async () => {
    const http = new FakeHttp([]);
    const error = await collectPages(
      pexelsSource.search({ query: 'cats', kind: 'image', limit: 5 }, fakeContext(http, { TRAWL_ORIGIN_PEXELS: ORIGIN })),
    ).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_NOT_CONFIGURED')).toBe(true);
    expect(http.requests).toHaveLength(0);
  });
});

/** The 2021 capture (no `fps`), plus a newer 2024-style file with `fps` and an HLS entry. */
function video(id: number, files: unknown[]): Record<string, unknown> {
  return {
    id,
    width: 3840,
    height: 2160,
    duration: 86,
    full_res: null,
    tags: [],
    avg_color: null,
    url: `https://www.pexels.com/video/aerial-view-of-beautiful-resort-${id}/`,
    image: `https://images.pexels.com/videos/${id}/free-video-${id}.jpg?fit=crop&w=1200&h=630&auto=compress&cs=tinysrgb`,
    user: { id: 3052, name: 'Tom Fisk', url: 'https://www.pexels.com/@tomfisk' },
    video_files: files,
    video_pictures: [{ id: 232758, picture: `https://images.pexels.com/videos/${id}/pictures/preview-0.jpg`, nr: 0 }],
  };
}

const HD_2021 = {
  id: 92644,
  quality: 'hd',
  file_type: 'video/mp4',
  width: 1280,
  height: 720,
  link: 'https://player.vimeo.com/external/330412624.hd.mp4?s=9a9c&profile_id=174&oauth2_token_id=57447761',
};
const HLS = {
  id: 92650,
  quality: 'hls',
  file_type: 'video/mp4',
  width: null,
  height: null,
  link: 'https://player.vimeo.com/external/330412624.m3u8?s=fb20&oauth2_token_id=57447761',
};
const UHD_2024 = {
  id: 13927451,
  quality: 'uhd',
  file_type: 'video/mp4',
  width: 2560,
  height: 1440,
  fps: 25,
  size: 31251234,
  link: 'https://videos.pexels.com/video-files/3129957/3129957-uhd_2560_1440_25fps.mp4',
};

describe('pexels videos', () => {
  it('searches /videos/search (no /v1) and picks the largest progressive file', async () => {
    const bigPlaylist = { ...HD_2021, id: 1, quality: 'uhd', width: 7680, height: 4320, link: 'https://player.vimeo.com/external/1.m3u8' };
    const notVideo = { ...HD_2021, id: 2, file_type: 'application/x-mpegURL', width: 7680, height: 4320 };
    const http = new FakeHttp([
      { page: 1, per_page: 30, total_results: 6032, url: 'https://www.pexels.com/search/videos/travel/', videos: [
        video(2169880, [HLS, HD_2021, bigPlaylist, notVideo, UHD_2024]),
        video(2169881, [HD_2021, { ...HLS, quality: null, fps: null }]),
        video(2169882, [HLS]),
      ] },
    ]);
    const pages = await collectPages(pexelsSource.search({ query: 'travel', kind: 'video', limit: 10 }, fakeContext(http, ENV)));

    const request = http.requests[0];
    expect(request?.url.origin + (request?.url.pathname ?? '')).toBe(`${ORIGIN}/videos/search`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ query: 'travel', page: '1', per_page: '10' });
    expect(request?.headers).toEqual({ Authorization: 'test-key-123' });

    expect(pages.flat()).toEqual([
      {
        source: 'pexels',
        kind: 'video',
        url: UHD_2024.link,
        pageUrl: 'https://www.pexels.com/video/aerial-view-of-beautiful-resort-2169880/',
        title: 'Aerial view of beautiful resort',
        author: 'Tom Fisk',
        authorUrl: 'https://www.pexels.com/@tomfisk',
        license: 'Pexels License',
        licenseUrl: 'https://www.pexels.com/license/',
        licenseCode: 'pexels',
        width: 2560,
        height: 1440,
      },
      expect.objectContaining({ url: HD_2021.link, width: 1280, height: 720 }),
    ]);
  });

  it('reports a videos response without videos[] as TRAWL_PARSER_OUTDATED', async () => {
    const http = new FakeHttp([{ page: 1, media: [] }]);
    const error = await collectPages(pexelsSource.search({ query: 'travel', kind: 'video', limit: 5 }, fakeContext(http, ENV))).catch(
      (err: unknown) => err,
    );
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED')).toBe(true);
    expect((error as Error).message).toContain('pexels: /videos/search response has no videos[] array');
  });
});

describe('pexels quota', () => {
  it('reports X-Ratelimit-Limit/-Remaining/-Reset (a UNIX time) after every answer', async () => {
    const next = `${ORIGIN}/v1/search/?page=2&per_page=2&query=cats`;
    const http = new FakeHttp([photoPage([photo(1), photo(2)], next), photoPage([photo(3), photo(4)])], {
      headers: (_url, call) => ({
        'x-ratelimit-limit': '20000',
        'x-ratelimit-remaining': String(19684 - call),
        'x-ratelimit-reset': '1741392000',
      }),
    });
    const context = fakeContext(http, ENV);
    await collectPages(pexelsSource.search({ query: 'cats', kind: 'image', limit: 4 }, context));
    expect(context.quotas).toEqual([
      { limit: 20000, remaining: 19684, resetAt: '2025-03-08T00:00:00.000Z' },
      { limit: 20000, remaining: 19683, resetAt: '2025-03-08T00:00:00.000Z' },
    ]);
  });

  it('ends a 429 whose retries ran out as TRAWL_RATE_LIMITED and reports the quota as spent', async () => {
    const limited = new TrawlError('TRAWL_HTTP_TRANSIENT', `${ORIGIN}/v1/search answered 429`, { context: { status: 429, url: `${ORIGIN}/v1/search` } });
    const context = fakeContext(new FakeHttp([limited]), ENV);
    const error = await collectPages(pexelsSource.search({ query: 'cats', kind: 'image', limit: 5 }, context)).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
    expect((error as Error).message).toMatch(/^pexels: the service is rate-limiting requests \(HTTP 429\)/);
    expect(context.quotas.map((q) => q.remaining)).toEqual([0]);
    expect(Date.parse(context.quotas[0]?.resetAt ?? '')).toBeGreaterThan(Date.now());
  });
});

import { describe, expect, it } from 'vitest';
import { isTrawlError, TrawlError } from '../errors.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { pixabaySource } from './pixabay.source.js';

const ORIGIN = 'http://127.0.0.1:9005';
const KEY = 'pixabay-test-key-31337';
const ENV = { PIXABAY_API_KEY: KEY, TRAWL_ORIGIN_PIXABAY: ORIGIN };
const LICENSE = { license: 'Pixabay Content License', licenseUrl: 'https://pixabay.com/service/license-summary/', licenseCode: 'pixabay' as const };

/** An image hit as recorded (standard key: no imageURL / fullHDURL). */
function imageHit(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    pageURL: `https://pixabay.com/photos/apples-fruits-red-ripe-vitamins-${id}/`,
    type: 'photo',
    tags: 'apples, fruits, red',
    previewURL: `https://cdn.pixabay.com/photo/2015/02/13/00/43/apples-${id}_150.jpg`,
    previewWidth: 100,
    previewHeight: 150,
    webformatURL: `https://pixabay.com/get/g7f17${id}_640.jpg`,
    webformatWidth: 427,
    webformatHeight: 640,
    largeImageURL: `https://pixabay.com/get/g1314${id}_1280.jpg`,
    imageWidth: 3345,
    imageHeight: 5017,
    imageSize: 811238,
    views: 406062,
    downloads: 232195,
    collections: 2947,
    likes: 2287,
    comments: 180,
    user_id: 752536,
    user: 'Desertrose7',
    userImageURL: 'https://cdn.pixabay.com/user/2016/03/14/13-25-18-933_250x250.jpg',
    ...extra,
  };
}

function imagePage(hits: unknown[], totalHits = 500): Record<string, unknown> {
  return { total: 8737, totalHits, hits };
}

const search = (limit: number, kind: 'image' | 'video' = 'image', env: Record<string, string> = ENV, answers: unknown[] = []) => {
  const http = new FakeHttp(answers);
  const context = fakeContext(http, env);
  return { http, context, pages: collectPages(pixabaySource.search({ query: 'red apples', kind, limit }, context)) };
};

describe('pixabay images', () => {
  it('searches /api/ with the key as a parameter and maps the recorded hit fields', async () => {
    const { http, context, pages } = search(10, 'image', ENV, [imagePage([imageHit(634572)], 1)]);
    const [candidate] = (await pages).flat();

    const request = http.requests[0];
    expect(request?.url.origin + (request?.url.pathname ?? '')).toBe(`${ORIGIN}/api/`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ key: KEY, q: 'red apples', page: '1', per_page: '10', safesearch: 'true' });
    expect(request?.headers).toEqual({});
    expect(request?.signal).toBe(context.signal);
    expect(candidate).toEqual({
      source: 'pixabay',
      kind: 'image',
      url: 'https://pixabay.com/get/g1314634572_1280.jpg',
      pageUrl: 'https://pixabay.com/photos/apples-fruits-red-ripe-vitamins-634572/',
      title: 'apples, fruits, red',
      author: 'Desertrose7',
      authorUrl: 'https://pixabay.com/users/Desertrose7-752536/',
      ...LICENSE,
      // largeImageURL is the original scaled to fit 1280 px.
      width: 853,
      height: 1280,
    });
  });

  it('talks to the real API origin when no override is configured', async () => {
    const { http, pages } = search(5, 'image', { PIXABAY_API_KEY: 'k' }, [imagePage([imageHit(1)], 1)]);
    await pages;
    expect(http.requests[0]?.url.href).toBe('https://pixabay.com/api/?key=k&q=red+apples&page=1&per_page=5&safesearch=true');
  });

  it('picks the largest URL the hit offers: original, then full HD, large, webformat, preview', async () => {
    const full = imageHit(1, { imageURL: 'https://pixabay.com/get/orig.jpg', fullHDURL: 'https://pixabay.com/get/fhd_1920.jpg' });
    const fullHd = imageHit(2, { fullHDURL: 'https://pixabay.com/get/fhd_1920.jpg' });
    const webOnly = imageHit(3, { largeImageURL: '', imageWidth: 0, imageHeight: null });
    const previewOnly = imageHit(4, { largeImageURL: null, webformatURL: 'not a url' });
    const small = imageHit(5, { imageWidth: 800, imageHeight: 600 });
    const { pages } = search(10, 'image', ENV, [imagePage([full, fullHd, webOnly, previewOnly, small], 5)]);
    expect((await pages).flat().map(({ url, width, height }) => ({ url, width, height }))).toEqual([
      { url: 'https://pixabay.com/get/orig.jpg', width: 3345, height: 5017 },
      { url: 'https://pixabay.com/get/fhd_1920.jpg', width: 1280, height: 1920 },
      { url: 'https://pixabay.com/get/g7f173_640.jpg', width: 427, height: 640 },
      { url: 'https://cdn.pixabay.com/photo/2015/02/13/00/43/apples-4_150.jpg', width: 100, height: 150 },
      // Never scaled up: an 800 px original is its own "large" rendition.
      { url: 'https://pixabay.com/get/g13145_1280.jpg', width: 800, height: 600 },
    ]);
  });

  it('leaves author, page and title empty when the hit lacks them, and skips a hit without any image URL', async () => {
    const bare = imageHit(1, { user: null, user_id: undefined, pageURL: '', tags: '' });
    const noUserId = imageHit(2, { user_id: 'x' });
    const noImage = imageHit(3, { largeImageURL: undefined, webformatURL: undefined, previewURL: undefined });
    const { pages } = search(10, 'image', ENV, [imagePage([bare, noUserId, noImage], 3)]);
    const candidates = (await pages).flat();
    expect(candidates).toHaveLength(2);
    expect(candidates[0]).toMatchObject({ author: null, authorUrl: null, pageUrl: null, title: null, ...LICENSE });
    expect(candidates[1]).toMatchObject({ author: 'Desertrose7', authorUrl: null });
  });

  it('asks for at least 3 per page and trims, caps per_page at 200, and cuts q to 100 characters', async () => {
    const { http, pages } = search(1, 'image', ENV, [imagePage([imageHit(1), imageHit(2), imageHit(3)])]);
    expect((await pages).flat().map((c) => c.url)).toEqual(['https://pixabay.com/get/g13141_1280.jpg']);
    expect(http.requests[0]?.url.searchParams.get('per_page')).toBe('3');

    const wide = new FakeHttp([imagePage([imageHit(1)], 1)]);
    const longQuery = `${'ä'.repeat(99)}😀xyz`;
    await collectPages(pixabaySource.search({ query: longQuery, kind: 'image', limit: 1000 }, fakeContext(wide, ENV)));
    expect(wide.requests[0]?.url.searchParams.get('per_page')).toBe('200');
    expect(wide.requests[0]?.url.searchParams.get('q')).toBe(`${'ä'.repeat(99)}😀`);
  });

  it('pages with a fixed per_page, stops at the limit and never asks past totalHits', async () => {
    const hits = (from: number, n: number) => Array.from({ length: n }, (_, i) => imageHit(from + i));
    const { http, pages } = search(7, 'image', ENV, [imagePage(hits(0, 7), 500)]);
    expect((await pages).flat()).toHaveLength(7);
    expect(http.requests).toHaveLength(1);

    // A full page that reaches totalHits is the last one: page 2 would be refused with a 400.
    const capped = new FakeHttp([imagePage(hits(0, 200), 200), imagePage(hits(200, 1), 200)]);
    const got = await collectPages(pixabaySource.search({ query: 'cats', kind: 'image', limit: 300 }, fakeContext(capped, ENV)));
    expect(got.map((p) => p.length)).toEqual([200]);
    expect(capped.requests).toHaveLength(1);

    const more = new FakeHttp([imagePage(hits(0, 200), 250), imagePage(hits(200, 50), 250)]);
    const all = await collectPages(pixabaySource.search({ query: 'cats', kind: 'image', limit: 400 }, fakeContext(more, ENV)));
    expect(more.requests.map((r) => [r.url.searchParams.get('page'), r.url.searchParams.get('per_page')])).toEqual([
      ['1', '200'],
      ['2', '200'],
    ]);
    expect(all.map((p) => p.length)).toEqual([200, 50]);
  });

  it('yields nothing for a genuine empty result', async () => {
    const { http, pages } = search(20, 'image', ENV, [{ total: 0, totalHits: 0, hits: [] }]);
    expect(await pages).toEqual([]);
    expect(http.requests).toHaveLength(1);
  });

  it('reports the X-RateLimit-* quota of every answer (Reset = seconds from now)', async () => {
    const hits = Array.from({ length: 201 }, (_, i) => imageHit(i));
    const http = new FakeHttp([imagePage(hits.slice(0, 200), 201), imagePage(hits.slice(200), 201)], {
      headers: (_url, call) => ({
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': String(99 - call),
        'x-ratelimit-reset': '60',
      }),
    });
    const context = fakeContext(http, ENV);
    const started = Date.now();
    await collectPages(pixabaySource.search({ query: 'cats', kind: 'image', limit: 201 }, context));
    expect(context.quotas.map((q) => [q.limit, q.remaining])).toEqual([
      [100, 99],
      [100, 98],
    ]);
    const resetAt = Date.parse(context.quotas[1]?.resetAt ?? '');
    expect(resetAt).toBeGreaterThanOrEqual(started + 60_000);
    expect(resetAt).toBeLessThan(Date.now() + 61_000);
  });

  it('ends a 429 whose retries ran out as TRAWL_RATE_LIMITED, with the key nowhere in the error', async () => {
    const url = `${ORIGIN}/api/?key=${KEY}&q=cats&page=1&per_page=5`;
    const limited = new TrawlError('TRAWL_HTTP_TRANSIENT', `${url} answered 429`, { context: { status: 429, url } });
    const { context, pages } = search(5, 'image', ENV, [limited]);
    const error = await pages.catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
    expect((error as Error).message).toMatch(/^pixabay: the service is rate-limiting requests \(HTTP 429\)/);
    expect(JSON.stringify({ message: (error as Error).message, context: (error as TrawlError).context, cause: (error as Error).cause })).not.toContain(KEY);
    expect(context.quotas[0]?.remaining).toBe(0);
  });

  it('reports a 400 (how Pixabay refuses a bad key) as TRAWL_AUTH, and scrubs the key from other errors', async () => {
    const url = `${ORIGIN}/api/?key=${KEY}&q=cats`;
    const refused = new TrawlError('TRAWL_HTTP_STATUS', `${url} answered 400`, { context: { status: 400, url } });
    const error = await search(5, 'image', ENV, [refused]).pages.catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_AUTH')).toBe(true);
    expect((error as Error).message).toContain('check PIXABAY_API_KEY');
    expect(JSON.stringify((error as TrawlError).context)).not.toContain(KEY);

    const broken = new TrawlError('TRAWL_HTTP_TRANSIENT', `${url} answered 503`, { context: { status: 503, url } });
    const other = await search(5, 'image', ENV, [broken]).pages.catch((err: unknown) => err);
    expect(isTrawlError(other, 'TRAWL_HTTP_TRANSIENT')).toBe(true);
    expect((other as Error).message).toBe(`${ORIGIN}/api/?key=***&q=cats answered 503`);
    expect((other as TrawlError).context.url).toBe(`${ORIGIN}/api/?key=***&q=cats`);
  });

  it('reports a changed format as TRAWL_PARSER_OUTDATED: no hits[], or hits it cannot read', async () => {
    const noHits = await search(5, 'image', ENV, [{ page: { results: [] } }]).pages.catch((err: unknown) => err);
    expect(isTrawlError(noHits, 'TRAWL_PARSER_OUTDATED')).toBe(true);
    expect((noHits as Error).message).toContain('pixabay: /api/ response has no hits[] array');

    const renamed = { id: 1, mediaType: 'photo', href: '/photos/x-1/', sources: { '1x': 'https://cdn.pixabay.com/x.jpg' } };
    const unreadable = await search(5, 'image', ENV, [imagePage([renamed])]).pages.catch((err: unknown) => err);
    expect(isTrawlError(unreadable, 'TRAWL_PARSER_OUTDATED')).toBe(true);
    expect((unreadable as Error).message).toContain('pixabay: /api/ response has no hits with an image URL');
  });

  it('refuses to search without a key, before any request', async () => {
    const { http, pages } = search(5, 'image', { TRAWL_ORIGIN_PIXABAY: ORIGIN });
    const error = await pages.catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_NOT_CONFIGURED')).toBe(true);
    expect(http.requests).toHaveLength(0);
  });
});

/** A rendition as recorded in the current format (with a thumbnail). */
function rendition(size: string, width: number, height: number, bytes: number): Record<string, unknown> {
  const base = `https://cdn.pixabay.com/video/2019/10/09/27669-365224683_${size}`;
  return { url: `${base}.mp4`, width, height, size: bytes, thumbnail: `${base}.jpg` };
}

function videoHit(id: number, videos: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    pageURL: `https://pixabay.com/videos/id-${id}/`,
    type: 'animation',
    tags: 'particles, plexus, network',
    duration: 10,
    videos,
    views: 618802,
    downloads: 329298,
    likes: 2049,
    comments: 300,
    user_id: 13298494,
    user: 'motionstock',
    userImageURL: 'https://cdn.pixabay.com/user/2021/07/13/12-34-53-812_250x250.jpg',
    ...extra,
  };
}

const CURRENT = {
  large: rendition('large', 3840, 2160, 12954851),
  medium: rendition('medium', 2560, 1440, 6984827),
  small: rendition('small', 1920, 1080, 4897014),
  tiny: rendition('tiny', 1280, 720, 2911535),
};

/** The ≤ 2022 format: `picture_id`, a top-level `url`, no thumbnails, vimeo CDN URLs with `?width=`. */
const OLD_HIT = videoHit(
  22634,
  {
    large: { url: 'https://cdn.pixabay.com/vimeo/328940142/buttercups-22634.mp4?width=3840&hash=1e30', width: 3840, height: 2120, size: 48810391 },
    medium: { url: 'https://cdn.pixabay.com/vimeo/328940142/buttercups-22634.mp4?width=2608&hash=0a1a', width: 2608, height: 1439, size: 21356085 },
    small: { url: 'https://cdn.pixabay.com/vimeo/328940142/buttercups-22634.mp4?width=1956&hash=05d4', width: 1956, height: 1079, size: 12768688 },
    tiny: { url: 'https://cdn.pixabay.com/vimeo/328940142/buttercups-22634.mp4?width=1304&hash=570b', width: 1304, height: 719, size: 6621423 },
  },
  {
    type: 'film',
    tags: 'buttercups, buttercup, blossom',
    picture_id: '773604276-314b5b3d4160acc31aed393475a20dfdf774a00203ad975bef4a42d038b2603e-d',
    url: 'https://cdn.pixabay.com/vimeo/328940142/buttercups-22634.mp4?width=2608&hash=0a1a',
    user_id: 4994132,
    user: 'adege',
  },
);

describe('pixabay videos', () => {
  it('searches /api/videos/ and picks the largest rendition of the current format', async () => {
    const { http, pages } = search(5, 'video', ENV, [{ total: 1, totalHits: 1, hits: [videoHit(27669, CURRENT)] }]);
    const [candidate] = (await pages).flat();
    expect(http.requests[0]?.url.pathname).toBe('/api/videos/');
    expect(Object.fromEntries(http.requests[0]?.url.searchParams ?? [])).toEqual({ key: KEY, q: 'red apples', page: '1', per_page: '5', safesearch: 'true' });
    expect(candidate).toEqual({
      source: 'pixabay',
      kind: 'video',
      url: 'https://cdn.pixabay.com/video/2019/10/09/27669-365224683_large.mp4',
      pageUrl: 'https://pixabay.com/videos/id-27669/',
      title: 'particles, plexus, network',
      author: 'motionstock',
      authorUrl: 'https://pixabay.com/users/motionstock-13298494/',
      ...LICENSE,
      width: 3840,
      height: 2160,
    });
  });

  it('passes over an unavailable large rendition (empty URL, zero size) and breaks ties by bytes', async () => {
    const noLarge = videoHit(1, { ...CURRENT, large: { url: '', width: 0, height: 0, size: 0, thumbnail: '' } });
    const tie = videoHit(2, { a: rendition('a', 1920, 1080, 100), b: rendition('b', 1920, 1080, 900), c: rendition('c', 1080, 1920, 500) });
    const missing = videoHit(3, { medium: null, tiny: rendition('tiny', 1280, 720, 1) });
    const { pages } = search(5, 'video', ENV, [{ total: 3, totalHits: 3, hits: [noLarge, tie, missing] }]);
    expect((await pages).flat().map(({ url, width, height }) => ({ url, width, height }))).toEqual([
      { url: CURRENT.medium.url, width: 2560, height: 1440 },
      { url: 'https://cdn.pixabay.com/video/2019/10/09/27669-365224683_b.mp4', width: 1920, height: 1080 },
      { url: CURRENT.tiny.url, width: 1280, height: 720 },
    ]);
  });

  it('reads the old format (picture_id, no thumbnails, vimeo CDN URLs) and falls back to its top-level url', async () => {
    const bare = { ...OLD_HIT, id: 5, videos: { large: { url: '', width: 0, height: 0, size: 0 } } };
    const { pages } = search(5, 'video', ENV, [{ total: 2, totalHits: 2, hits: [OLD_HIT, bare] }]);
    const candidates = (await pages).flat();
    expect(candidates[0]).toMatchObject({
      url: 'https://cdn.pixabay.com/vimeo/328940142/buttercups-22634.mp4?width=3840&hash=1e30',
      width: 3840,
      height: 2120,
      title: 'buttercups, buttercup, blossom',
      authorUrl: 'https://pixabay.com/users/adege-4994132/',
    });
    expect(candidates[1]).toMatchObject({ url: OLD_HIT.url, width: null, height: null });
  });

  it('reports hits without any usable video as TRAWL_PARSER_OUTDATED', async () => {
    const noVideos = videoHit(1, {}, { videos: undefined });
    const error = await search(5, 'video', ENV, [{ total: 1, totalHits: 1, hits: [noVideos] }]).pages.catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED')).toBe(true);
    expect((error as Error).message).toContain('pixabay: /api/videos/ response has no hits with a videos.{large,medium,small,tiny}.url');
  });

  it('has nothing for audio searches', async () => {
    const http = new FakeHttp([]);
    expect(await collectPages(pixabaySource.search({ query: 'x', kind: 'audio', limit: 5 }, fakeContext(http, ENV)))).toEqual([]);
    expect(http.requests).toHaveLength(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { Candidate } from '../domain.js';
import { isTrawlError } from '../errors.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';
import type { SourceContext } from './source.js';
import { wikimediaCommonsSource } from './wikimedia-commons.source.js';

const ORIGIN = 'http://127.0.0.1:9005';
const ENV = { TRAWL_ORIGIN_WIKIMEDIA_COMMONS: ORIGIN };
const UPLOAD = 'https://upload.wikimedia.org/wikipedia/commons';
const EXTMETADATA_FILTER = 'LicenseShortName|LicenseUrl|License|Artist|Credit|ImageDescription|ObjectName|UsageTerms|AttributionRequired';

const meta = (value: string): Record<string, string> => ({ value, source: 'commons-desc-page', hidden: '' });

/** The recorded public-domain file: Artist is a protocol-relative link, no LicenseUrl, no ObjectName. */
function kinkaku(pageid: number, index: number): Record<string, unknown> {
  return {
    pageid,
    ns: 6,
    title: 'File:Kinkaku3402CBcropped.jpg',
    index,
    imagerepository: 'local',
    imageinfo: [
      {
        size: 1378812,
        width: 2125,
        height: 1489,
        url: `${UPLOAD}/c/c9/Kinkaku3402CBcropped.jpg`,
        descriptionurl: 'https://commons.wikimedia.org/wiki/File:Kinkaku3402CBcropped.jpg',
        descriptionshorturl: `https://commons.wikimedia.org/w/index.php?curid=${pageid}`,
        mime: 'image/jpeg',
        mediatype: 'BITMAP',
        extmetadata: {
          LicenseShortName: meta('Public domain'),
          License: meta('pd'),
          Artist: meta('<a href="//commons.wikimedia.org/wiki/User:Fg2" title="User:Fg2">Fg2</a>'),
          ImageDescription: meta('<p>Kinkaku-ji &amp; its <b>pond</b></p>'),
          AttributionRequired: meta('false'),
        },
      },
    ],
  };
}

/** A CC-licensed file with HTML in its metadata. */
function pavilion(pageid: number, index: number, name = 'Pavilion'): Record<string, unknown> {
  return {
    pageid,
    ns: 6,
    title: `File:${name}_at_dusk.jpeg`,
    index,
    imagerepository: 'local',
    imageinfo: [
      {
        size: 2048,
        width: 4000,
        height: 3000,
        url: `${UPLOAD}/a/ab/${name}_at_dusk.jpeg`,
        descriptionurl: `https://commons.wikimedia.org/wiki/File:${name}_at_dusk.jpeg`,
        mime: 'image/jpeg',
        mediatype: 'BITMAP',
        extmetadata: {
          ObjectName: meta(`Golden ${name} &quot;Kinkaku-ji&quot; at&nbsp;dusk`),
          LicenseShortName: meta('CC BY-SA 4.0'),
          LicenseUrl: meta('https://creativecommons.org/licenses/by-sa/4.0'),
          License: meta('cc-by-sa-4.0'),
          Artist: meta('<span class="fn value"><a rel="nofollow" class="external text" href="https://www.flickr.com/people/jane?x=1&amp;y=2">Jane &#39;JD&#39; Doe</a></span>'),
        },
      },
    ],
  };
}

const missing = { ns: 6, title: 'File:Gone.jpg', missing: true, known: true, imagerepository: 'shared', index: 2 };

interface Setup {
  http: FakeHttp;
  context: SourceContext;
}

function setup(answers: ConstructorParameters<typeof FakeHttp>[0], env: Record<string, string> = ENV): Setup {
  const http = new FakeHttp(answers);
  return { http, context: fakeContext(http, env) };
}

function search(context: SourceContext, limit: number, kind: 'image' | 'video' = 'image', query = 'kinkaku'): Promise<Candidate[][]> {
  return collectPages(wikimediaCommonsSource.search({ query, kind, limit }, context));
}

describe('wikimedia commons images', () => {
  it('sends the generator search with imageinfo params and reads formatversion 2 in rank order', async () => {
    const { http, context } = setup([{ batchcomplete: true, query: { pages: [pavilion(100, 3), kinkaku(316138, 1), missing] } }]);
    const pages = await search(context, 10);

    const request = http.requests[0];
    expect(request?.url.origin + (request?.url.pathname ?? '')).toBe(`${ORIGIN}/w/api.php`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({
      action: 'query',
      format: 'json',
      formatversion: '2',
      generator: 'search',
      gsrsearch: 'kinkaku filetype:bitmap',
      gsrnamespace: '6',
      gsrlimit: '10',
      gsroffset: '0',
      prop: 'imageinfo',
      iiprop: 'url|size|mime|mediatype|extmetadata',
      iiextmetadatafilter: EXTMETADATA_FILTER,
    });
    expect(request?.headers).toEqual({});
    expect(request?.signal).toBe(context.signal);

    expect(pages.flat()).toEqual([
      {
        source: 'wikimedia_commons',
        kind: 'image',
        url: `${UPLOAD}/c/c9/Kinkaku3402CBcropped.jpg`,
        pageUrl: 'https://commons.wikimedia.org/wiki/File:Kinkaku3402CBcropped.jpg',
        title: 'Kinkaku3402CBcropped',
        author: 'Fg2',
        authorUrl: 'https://commons.wikimedia.org/wiki/User:Fg2',
        license: 'Public domain',
        licenseUrl: null,
        licenseCode: 'pdm',
        width: 2125,
        height: 1489,
      },
      {
        source: 'wikimedia_commons',
        kind: 'image',
        url: `${UPLOAD}/a/ab/Pavilion_at_dusk.jpeg`,
        pageUrl: 'https://commons.wikimedia.org/wiki/File:Pavilion_at_dusk.jpeg',
        title: 'Golden Pavilion "Kinkaku-ji" at dusk',
        author: "Jane 'JD' Doe",
        authorUrl: 'https://www.flickr.com/people/jane?x=1&y=2',
        license: 'CC BY-SA 4.0',
        licenseUrl: 'https://creativecommons.org/licenses/by-sa/4.0',
        licenseCode: 'cc-by-sa',
        width: 4000,
        height: 3000,
      },
    ]);
  });

  it('talks to the real API origin when no override is configured', async () => {
    const { http, context } = setup([{ batchcomplete: true }], {});
    expect(await search(context, 5)).toEqual([]);
    expect(http.requests[0]?.url.href.startsWith('https://commons.wikimedia.org/w/api.php?action=query&')).toBe(true);
  });

  it('reads formatversion 1 (pages keyed by page id) in rank order, skipping missing pages', async () => {
    const { context } = setup([
      {
        batchcomplete: '',
        query: {
          pages: {
            '-1': { ...missing, missing: '', known: '', index: 1 },
            '100': pavilion(100, 3),
            '316138': kinkaku(316138, 2),
            '200': { pageid: 200, ns: 6, title: 'File:No info.jpg', index: 4 },
          },
        },
      },
    ]);
    const pages = await search(context, 10);
    expect(pages.flat().map((c) => c.title)).toEqual(['Kinkaku3402CBcropped', 'Golden Pavilion "Kinkaku-ji" at dusk']);
  });

  it('echoes continue keys back and stops when there is no continue', async () => {
    const { http, context } = setup([
      { batchcomplete: true, continue: { gsroffset: 2, continue: 'gsroffset||' }, query: { pages: [kinkaku(1, 1), pavilion(2, 2, 'A')] } },
      { batchcomplete: true, query: { pages: [pavilion(3, 3, 'B')] } },
    ]);
    const pages = await search(context, 10);
    expect(http.requests).toHaveLength(2);
    expect(http.requests[1]?.url.searchParams.get('gsroffset')).toBe('2');
    expect(http.requests[1]?.url.searchParams.get('continue')).toBe('gsroffset||');
    expect(http.requests[1]?.url.searchParams.get('gsrsearch')).toBe('kinkaku filetype:bitmap');
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
  });

  it('completes imageinfo continuation before moving to the next offset, giving each file once', async () => {
    const withoutInfo = (page: Record<string, unknown>): Record<string, unknown> => {
      const { imageinfo: _info, ...rest } = page;
      return rest;
    };
    const { http, context } = setup([
      { continue: { iistart: '2019-01-01T00:00:00Z', continue: '||' }, query: { pages: [kinkaku(1, 1), withoutInfo(pavilion(2, 2, 'A'))] } },
      {
        batchcomplete: true,
        continue: { gsroffset: 2, continue: 'gsroffset||' },
        query: { pages: [withoutInfo(kinkaku(1, 1)), pavilion(2, 2, 'A')] },
      },
      { batchcomplete: true, query: { pages: [pavilion(3, 3, 'B'), kinkaku(1, 4)] } },
    ]);
    const pages = await search(context, 10);

    expect(http.requests.map((r) => [r.url.searchParams.get('iistart'), r.url.searchParams.get('gsroffset')])).toEqual([
      [null, '0'],
      ['2019-01-01T00:00:00Z', '0'],
      [null, '2'],
    ]);
    expect(pages.map((p) => p.map((c) => c.title))).toEqual([
      ['Kinkaku3402CBcropped'],
      ['Golden A "Kinkaku-ji" at dusk'],
      ['Golden B "Kinkaku-ji" at dusk'],
    ]);
  });

  it('asks for at most 50 per batch and stops at the limit', async () => {
    const { http: capped, context: cappedContext } = setup([{ batchcomplete: true, query: { pages: [kinkaku(1, 1)] } }]);
    await search(cappedContext, 500);
    expect(capped.requests[0]?.url.searchParams.get('gsrlimit')).toBe('50');

    const { http: limited, context: limitedContext } = setup([
      { continue: { gsroffset: 3, continue: 'gsroffset||' }, query: { pages: [kinkaku(1, 1), pavilion(2, 2, 'A'), pavilion(3, 3, 'B')] } },
    ]);
    const pages = await search(limitedContext, 2);
    expect(limited.requests).toHaveLength(1);
    expect(pages.flat()).toHaveLength(2);
  });

  it('reports query.pages of the wrong type as TRAWL_PARSER_OUTDATED', async () => {
    const { context } = setup([{ batchcomplete: true, query: { pages: 'File:A.jpg' } }]);
    const error = await search(context, 5).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED')).toBe(true);
    expect((error as Error).message).toContain('wikimedia_commons: /w/api.php response has no query.pages array or object');
  });

  it('turns an API error answer into a TrawlError naming the API code', async () => {
    const { context } = setup([{ error: { code: 'badvalue', info: 'Unrecognized value for parameter "prop".' } }]);
    const error = await search(context, 5).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_HTTP_STATUS')).toBe(true);
    expect((error as Error).message).toContain('badvalue');
  });
});

function videoPage(pageid: number, index: number, info: Record<string, unknown>): Record<string, unknown> {
  return {
    pageid,
    ns: 6,
    title: `File:Clip ${pageid}.webm`,
    index,
    videoinfo: [
      {
        descriptionurl: `https://commons.wikimedia.org/wiki/File:Clip_${pageid}.webm`,
        mediatype: 'VIDEO',
        extmetadata: { LicenseShortName: meta('CC BY 3.0'), LicenseUrl: meta('https://creativecommons.org/licenses/by/3.0'), Artist: meta('NASA') },
        ...info,
      },
    ],
  };
}

const derivative = (name: string, type: string, width: number, height: number): Record<string, unknown> => ({
  src: `${UPLOAD}/transcoded/1/12/Clip.webm/Clip.webm.${name}`,
  type,
  title: name,
  shorttitle: name,
  width,
  height,
  bandwidth: 1000,
  framerate: 25,
});

describe('wikimedia commons videos', () => {
  it('sends videoinfo params and picks the largest WebM/MP4 rendition, Ogg only as a last resort', async () => {
    const { http, context } = setup([
      {
        batchcomplete: true,
        query: {
          pages: [
            videoPage(1, 1, {
              url: `${UPLOAD}/1/12/Clip.ogv`,
              mime: 'application/ogg',
              width: 1920,
              height: 1080,
              derivatives: [
                derivative('1080p.ogv', 'video/ogg; codecs="theora, vorbis"', 1920, 1080),
                derivative('480p.webm', 'video/webm; codecs="vp8, vorbis"', 854, 480),
                derivative('360p.webm', 'video/webm; codecs="vp8, vorbis"', 640, 360),
                derivative('1080p.m3u8', 'application/vnd.apple.mpegurl', 1920, 1080),
              ],
            }),
            videoPage(2, 2, { url: `${UPLOAD}/2/22/Clip_2.webm`, mime: 'video/webm', width: 1280, height: 720, derivatives: [] }),
            videoPage(3, 3, {
              url: `${UPLOAD}/3/33/Clip_3.ogv`,
              mime: 'application/ogg',
              width: 640,
              height: 480,
              derivatives: [derivative('240p.ogv', 'video/ogg; codecs="theora"', 320, 240)],
            }),
          ],
        },
      },
    ]);
    const pages = await search(context, 10, 'video', 'apollo');

    const params = http.requests[0]?.url.searchParams;
    expect(params?.get('gsrsearch')).toBe('apollo filetype:video');
    expect(params?.get('prop')).toBe('videoinfo');
    expect(params?.get('viprop')).toBe('url|size|mime|mediatype|extmetadata|derivatives');
    expect(params?.get('viextmetadatafilter')).toBe(EXTMETADATA_FILTER);
    expect(params?.has('iiprop')).toBe(false);

    expect(pages.flat().map((c) => [c.url, c.width, c.height])).toEqual([
      [`${UPLOAD}/transcoded/1/12/Clip.webm/Clip.webm.480p.webm`, 854, 480],
      [`${UPLOAD}/2/22/Clip_2.webm`, 1280, 720],
      [`${UPLOAD}/3/33/Clip_3.ogv`, 640, 480],
    ]);
    expect(pages.flat()[0]).toMatchObject({
      kind: 'video',
      title: 'Clip 1',
      author: 'NASA',
      authorUrl: null,
      license: 'CC BY 3.0',
      licenseUrl: 'https://creativecommons.org/licenses/by/3.0',
      licenseCode: 'cc-by',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { isTrawlError, TrawlError } from '../errors.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { bestRendition, manifestUrls } from './nasa.assets.js';
import { nasaSource } from './nasa.source.js';

const ORIGIN = 'http://127.0.0.1:9009';
const ENV = { TRAWL_ORIGIN_NASA: ORIGIN };
const ASSETS = 'https://images-assets.nasa.gov';

/** A search hit in the recorded shape (SOURCES.md §6). */
function hit(nasaId: string, data: Record<string, unknown> = {}, links: unknown[] = []): Record<string, unknown> {
  return {
    href: `${ASSETS}/image/${nasaId}/collection.json`,
    data: [
      {
        center: 'JPL',
        title: `Mars ${nasaId}`,
        nasa_id: nasaId,
        date_created: '2004-02-05T00:00:00Z',
        keywords: ['Mars'],
        media_type: 'image',
        description_508: 'Mars as seen by Opportunity',
        secondary_creator: 'NASA/JPL',
        photographer: 'Jane Roe',
        description: 'Mars as seen by Opportunity',
        ...data,
      },
    ],
    links: [{ href: `${ASSETS}/image/${nasaId}/${nasaId}~thumb.jpg`, rel: 'preview', render: 'image' }, ...links],
  };
}

function searchPage(items: unknown[], more = false): Record<string, unknown> {
  const links = more ? [{ rel: 'next', prompt: 'Next', href: 'http://images-api.nasa.gov/search?q=mars&media_type=image&page=2' }] : undefined;
  return { collection: { version: '1.0', href: 'http://images-api.nasa.gov/search?q=mars', items, metadata: { total_hits: 24977 }, ...(links ? { links } : {}) } };
}

/** collection.json: a bare array of URLs, order not guaranteed. */
function imageManifest(nasaId: string, renditions = ['thumb', 'orig', 'small', 'large', 'medium']): string[] {
  return [...renditions.map((r) => `http://images-assets.nasa.gov/image/${nasaId}/${nasaId}~${r}.jpg`), `${ASSETS}/image/${nasaId}/metadata.json`];
}

/** Answers the search from `pages` (by `page`) and manifests from `manifests` (by nasa_id in the path). */
function nasaHttp(pages: unknown[], manifests: Record<string, unknown>): FakeHttp {
  return new FakeHttp((url) => {
    if (url.pathname === '/search') return pages[Number(url.searchParams.get('page')) - 1] ?? searchPage([]);
    const id = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    const answer = manifests[id];
    if (answer === undefined) throw new Error(`unexpected request ${url.href}`);
    return answer;
  });
}

describe('nasa search', () => {
  it('searches /search with media_type and paging, then takes the ~orig file from each manifest', async () => {
    const http = nasaHttp([searchPage([hit('PIA05064'), hit('PIA05065')])], { PIA05064: imageManifest('PIA05064'), PIA05065: imageManifest('PIA05065') });
    const context = fakeContext(http, ENV);
    const pages = await collectPages(nasaSource.search({ query: 'mars rover', kind: 'image', limit: 10 }, context));

    const [search, ...manifests] = http.requests;
    expect(`${search?.url.origin ?? ''}${search?.url.pathname ?? ''}`).toBe(`${ORIGIN}/search`);
    expect(Object.fromEntries(search?.url.searchParams ?? [])).toEqual({ q: 'mars rover', media_type: 'image', page: '1', page_size: '10' });
    // Manifest URLs are fetched as the answer gives them, on their own host.
    expect(manifests.map((r) => r.url.href).sort()).toEqual([`${ASSETS}/image/PIA05064/collection.json`, `${ASSETS}/image/PIA05065/collection.json`]);
    expect(http.requests.every((r) => r.signal === context.signal)).toBe(true);
    expect(pages.flat()).toHaveLength(2);
    expect(pages[0]?.[0]).toEqual({
      source: 'nasa',
      kind: 'image',
      url: `${ASSETS}/image/PIA05064/PIA05064~orig.jpg`,
      pageUrl: 'https://images.nasa.gov/details/PIA05064',
      title: 'Mars PIA05064',
      author: 'Jane Roe',
      authorUrl: null,
      license: 'Public domain (NASA media usage guidelines)',
      licenseUrl: 'https://www.nasa.gov/nasa-brand-center/images-and-media/',
      licenseCode: 'pdm',
      width: null,
      height: null,
    });
  });

  it('falls back through the credits, notes third-party copyright and reads sizes announced by newer answers', async () => {
    const sized = { href: `${ASSETS}/image/B/B~orig.jpg`, rel: 'canonical', render: 'image', width: 3000, height: 2000, size: 123456 };
    const items = [
      hit('A', { photographer: undefined }),
      hit('B', { photographer: undefined, secondary_creator: undefined }, [sized]),
      hit('C', { photographer: '© ESA/Hubble', secondary_creator: null, center: null, title: null, description: undefined }),
    ];
    const http = nasaHttp([searchPage(items)], { A: imageManifest('A'), B: imageManifest('B'), C: imageManifest('C') });
    const [page] = await collectPages(nasaSource.search({ query: 'mars', kind: 'image', limit: 5 }, fakeContext(http, ENV)));

    expect(page?.map((c) => c.author)).toEqual(['NASA/JPL', 'JPL', '© ESA/Hubble']);
    expect(page?.map((c) => [c.width, c.height])).toEqual([[null, null], [3000, 2000], [null, null]]);
    expect(page?.[2]?.license).toMatch(/third-party copyright/i);
    // Public domain unless a third party holds the copyright: then no licence code at all.
    expect(page?.map((c) => c.licenseCode)).toEqual(['pdm', 'pdm', null]);
    expect(page?.[2]?.title).toBeNull();
  });

  it('reads the /asset/{nasa_id} manifest shape, and asks the API for it when a hit has no href', async () => {
    const noHref = { ...hit('as11 40 5874') };
    delete noHref.href;
    const asset = { collection: { href: `${ORIGIN}/asset/as11%2040%205874`, version: '1.0', items: imageManifest('as11 40 5874', ['medium', 'orig', 'thumb']).map((href) => ({ href })) } };
    const http = nasaHttp([searchPage([noHref])], { 'as11 40 5874': asset });
    const [page] = await collectPages(nasaSource.search({ query: 'apollo', kind: 'image', limit: 5 }, fakeContext(http, ENV)));

    expect(http.requests[1]?.url.href).toBe(`${ORIGIN}/asset/as11%2040%205874`);
    // Spaces are percent-encoded, and the real asset host is reached over HTTPS.
    expect(page?.[0]?.url).toBe(`${ASSETS}/image/as11%2040%205874/as11%2040%205874~orig.jpg`);
    expect(page?.[0]?.pageUrl).toBe('https://images.nasa.gov/details/as11%2040%205874');
  });

  it('pages while a next link is given, stops at limit and fetches only the manifests it needs', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `P${i}`);
    const http = nasaHttp(
      [searchPage(ids.slice(0, 4).map((id) => hit(id)), true), searchPage(ids.slice(4).map((id) => hit(id)), true)],
      Object.fromEntries(ids.map((id) => [id, imageManifest(id)])),
    );
    const pages = await collectPages(nasaSource.search({ query: 'mars', kind: 'image', limit: 6 }, fakeContext(http, ENV)));

    expect(pages.flat().map((c) => c.title)).toEqual(ids.slice(0, 6).map((id) => `Mars ${id}`));
    const searches = http.requests.filter((r) => r.url.pathname === '/search');
    expect(searches.map((r) => r.url.searchParams.get('page'))).toEqual(['1', '2']);
    expect(searches.every((r) => r.url.searchParams.get('page_size') === '6')).toBe(true);
    expect(http.requests).toHaveLength(2 + 6);
  });

  it('stops when a page brings nothing new, even if it promises a next one', async () => {
    const same = searchPage([hit('A')], true);
    const http = nasaHttp([same, same, same], { A: imageManifest('A') });
    const pages = await collectPages(nasaSource.search({ query: 'mars', kind: 'image', limit: 5 }, fakeContext(http, ENV)));
    expect(pages.flat()).toHaveLength(1);
    expect(http.requests.filter((r) => r.url.pathname === '/search')).toHaveLength(2);
  });

  it('stops without a next link, and yields nothing for zero hits', async () => {
    const empty = { collection: { version: '1.0', href: 'x', items: [], metadata: { total_hits: 0 } } };
    const http = nasaHttp([empty], {});
    expect(await collectPages(nasaSource.search({ query: 'nothing', kind: 'video', limit: 5 }, fakeContext(http, ENV)))).toEqual([]);
    expect(http.requests).toHaveLength(1);
  });

  it('skips an item whose manifest fails but keeps the others', async () => {
    const failing = new TrawlError('TRAWL_HTTP_STATUS', 'answered 404', { context: { status: 404 } });
    const http = nasaHttp([searchPage([hit('A'), hit('B'), hit('C')])], { A: imageManifest('A'), B: failing, C: ['only/metadata.json'] });
    const pages = await collectPages(nasaSource.search({ query: 'mars', kind: 'image', limit: 5 }, fakeContext(http, ENV)));
    expect(pages.flat().map((c) => c.title)).toEqual(['Mars A']);
  });
});

describe('nasa videos', () => {
  it('takes the best mp4 and never a playlist, captions, stills or metadata', async () => {
    const id = 'KSC-2019-001';
    const files = ['~preview.mp4', '~thumb.jpg', '~small_1.jpg', '~orig.mov', '~mobile.mp4', '~large.mp4', '~medium.mp4', '.srt', '~orig.m3u8'].map(
      (suffix) => `${ASSETS}/video/${id}/${id}${suffix}`,
    );
    const video = { ...hit(id, { media_type: 'video' }), href: `${ASSETS}/video/${id}/collection.json` };
    const http = nasaHttp([searchPage([video])], { [id]: [...files, `${ASSETS}/video/${id}/metadata.json`] });
    const [page] = await collectPages(nasaSource.search({ query: 'launch', kind: 'video', limit: 5 }, fakeContext(http, ENV)));

    expect(http.requests[0]?.url.searchParams.get('media_type')).toBe('video');
    expect(page?.[0]).toMatchObject({ kind: 'video', url: `${ASSETS}/video/${id}/${id}~large.mp4` });
  });

  it('drops hits of another media type than asked for', async () => {
    const http = nasaHttp([searchPage([hit('A', { media_type: 'audio' })])], {});
    expect(await collectPages(nasaSource.search({ query: 'launch', kind: 'video', limit: 5 }, fakeContext(http, ENV)))).toEqual([]);
  });
});

describe('nasa renditions', () => {
  it('prefers ~orig > ~large > ~medium for images and a web format over TIFF at the same size', () => {
    const base = `${ASSETS}/image/X/X`;
    expect(bestRendition([`${base}~small.jpg`, `${base}~large.jpg`, `${base}~medium.jpg`], 'image')).toBe(`${base}~large.jpg`);
    expect(bestRendition([`${base}~orig.tif`, `${base}~orig.jpg`, `${base}~large.jpg`], 'image')).toBe(`${base}~orig.jpg`);
    expect(bestRendition([`${base}~orig.tif`, `${base}~large.jpg`], 'image')).toBe(`${base}~orig.tif`);
    expect(bestRendition([`${ASSETS}/image/X/metadata.json`], 'image')).toBeNull();
  });

  it('reads both manifest shapes and refuses anything else', () => {
    expect(manifestUrls(['https://a.test/x~orig.jpg', 'not a url', 7])).toEqual(['https://a.test/x~orig.jpg']);
    expect(manifestUrls({ collection: { items: [{ href: 'https://a.test/x y~orig.jpg' }, {}] } })).toEqual(['https://a.test/x%20y~orig.jpg']);
    expect(manifestUrls({ files: [] })).toBeNull();
  });
});

describe('nasa failures', () => {
  it('reports a changed search format as TRAWL_PARSER_OUTDATED', async () => {
    const http = nasaHttp([{ results: [] }], {});
    const error = await collectPages(nasaSource.search({ query: 'mars', kind: 'image', limit: 5 }, fakeContext(http, ENV))).catch((e: unknown) => e);
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED') && error.message).toMatch(/^nasa: \/search response has no collection\.items/);
  });

  it('reports manifests it cannot read at all as TRAWL_PARSER_OUTDATED, not as zero results', async () => {
    const http = nasaHttp([searchPage([hit('A'), hit('B')])], { A: { renditions: {} }, B: { renditions: {} } });
    const error = await collectPages(nasaSource.search({ query: 'mars', kind: 'image', limit: 5 }, fakeContext(http, ENV))).catch((e: unknown) => e);
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED') && error.message).toMatch(/^nasa: asset manifest/);
  });

  it('reports items without data[0].nasa_id as TRAWL_PARSER_OUTDATED', async () => {
    const http = nasaHttp([searchPage([{ href: 'https://x.test/c.json', data: [{ id: 1 }] }])], {});
    const error = await collectPages(nasaSource.search({ query: 'mars', kind: 'image', limit: 5 }, fakeContext(http, ENV))).catch((e: unknown) => e);
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED')).toBe(true);
  });

  it('reports a 429 that outlasted the retries as TRAWL_RATE_LIMITED', async () => {
    const busy = new TrawlError('TRAWL_HTTP_TRANSIENT', 'answered 429', { context: { status: 429 } });
    const http = new FakeHttp([busy]);
    const error = await collectPages(nasaSource.search({ query: 'mars', kind: 'image', limit: 5 }, fakeContext(http, ENV))).catch((e: unknown) => e);
    expect(isTrawlError(error, 'TRAWL_RATE_LIMITED') && error.message).toMatch(/^nasa: the service is rate-limiting requests \(HTTP 429\)/);
  });

  it('reports a page whose every manifest was rate limited as TRAWL_RATE_LIMITED', async () => {
    const busy = new TrawlError('TRAWL_HTTP_TRANSIENT', 'answered 429', { context: { status: 429 } });
    const http = nasaHttp([searchPage([hit('A')])], { A: busy });
    const error = await collectPages(nasaSource.search({ query: 'mars', kind: 'image', limit: 5 }, fakeContext(http, ENV))).catch((e: unknown) => e);
    expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
  });
});

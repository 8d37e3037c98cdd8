import { describe, expect, it } from 'vitest';
import { NO_FILTERS } from '../domain.js';
import { isTrawlError } from '../errors.js';
import { clevelandMuseumSource } from './cleveland-museum.source.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';

const ORIGIN = 'http://127.0.0.1:9013';
const ENV = { TRAWL_ORIGIN_CLEVELAND_MUSEUM: ORIGIN };
const CDN = 'https://openaccess-cdn.clevelandart.org';

/** One record in the recorded shape (SOURCES.md §13): sizes are strings. */
function work(id: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    accession_number: `1916.${id}`,
    share_license_status: 'CC0',
    tombstone: 'Claude Monet. Water Lilies, c. 1915–26. Oil on canvas.',
    title: `Water Lilies ${id}`,
    creation_date: 'c. 1915–1926',
    creators: [{ description: 'Claude Monet (French, 1840–1926)', role: 'artist', qualifier: null, birth_year: '1840', death_year: '1926' }],
    type: 'Painting',
    copyright: null,
    url: `https://clevelandart.org/art/1916.${id}`,
    citations: [],
    images: {
      web: { url: `${CDN}/1916.${id}/1916.${id}_web.jpg`, width: '900', height: '675', filesize: '211012', filename: `1916.${id}_web.jpg` },
      print: { url: `${CDN}/1916.${id}/1916.${id}_print.jpg`, width: '3400', height: '2550', filesize: '2834190', filename: `1916.${id}_print.jpg` },
      full: { url: `${CDN}/1916.${id}/1916.${id}_full.tif`, width: '7000', height: '5250', filesize: '110250000', filename: `1916.${id}_full.tif` },
    },
    ...fields,
  };
}

const answer = (data: unknown[], total = data.length): Record<string, unknown> => ({ info: { total, parameters: { q: 'x' } }, data });

describe('cleveland_museum search', () => {
  it('asks for CC0 works with images, and takes the print JPEG with its size', async () => {
    const http = new FakeHttp([answer([work(1)])]);
    const context = fakeContext(http, ENV);
    const [first] = await collectPages(clevelandMuseumSource.search({ query: 'water lilies', kind: 'image', limit: 5 }, context));

    const request = http.requests[0];
    expect(`${request?.url.origin ?? ''}${request?.url.pathname ?? ''}`).toBe(`${ORIGIN}/api/artworks/`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ q: 'water lilies', has_image: '1', cc0: '1', limit: '5', skip: '0' });
    expect(request?.signal).toBe(context.signal);
    expect(first).toEqual([
      {
        source: 'cleveland_museum',
        kind: 'image',
        url: `${CDN}/1916.1/1916.1_print.jpg`,
        pageUrl: 'https://clevelandart.org/art/1916.1',
        title: 'Water Lilies 1',
        author: 'Claude Monet',
        authorUrl: null,
        license: 'CC0 1.0 (Cleveland Museum of Art open access)',
        licenseUrl: 'https://creativecommons.org/publicdomain/zero/1.0/',
        licenseCode: 'cc0',
        width: 3400,
        height: 2550,
      },
    ]);
  });

  it('never gives a copyrighted or unmarked work, nor one without a print or web image, and never the TIFF', async () => {
    const onlyFull = { full: { url: `${CDN}/x_full.tif`, width: '9000', height: '7000' }, web: {}, print: {} };
    const data = [
      work(1, { share_license_status: 'Copyrighted', copyright: '© the artist' }),
      work(2, { share_license_status: undefined }),
      work(3, { images: null }),
      work(4, { images: onlyFull }),
      work(5, { images: { web: { url: `${CDN}/5_web.jpg`, width: '900', height: 'n/a' }, print: {} }, creators: [] }),
      work(6, { share_license_status: 'cc0' }),
    ];
    const [only] = await collectPages(clevelandMuseumSource.search({ query: 'x', kind: 'image', limit: 10 }, fakeContext(new FakeHttp([answer(data)]), ENV)));

    expect(only?.map((c) => c.url)).toEqual([`${CDN}/5_web.jpg`, `${CDN}/1916.6/1916.6_print.jpg`]);
    expect(only?.every((c) => c.licenseCode === 'cc0')).toBe(true);
    expect(only?.[0]).toMatchObject({ width: 900, height: null, author: null });
  });

  it('pages by skip until info.total or an empty page, stopping at the limit', async () => {
    const http = new FakeHttp([answer([work(1), work(2)], 5), answer([work(3), work(4)], 5), answer([work(5)], 5)]);
    const pages = await collectPages(clevelandMuseumSource.search({ query: 'x', kind: 'image', limit: 2 }, fakeContext(http, ENV)));
    expect(pages.flat()).toHaveLength(2);
    expect(http.requests).toHaveLength(1);

    const all = new FakeHttp([answer([work(1), work(2), work(3)], 9), answer([], 9)]);
    const found = await collectPages(clevelandMuseumSource.search({ query: 'x', kind: 'image', limit: 3 }, fakeContext(all, ENV)));
    expect(found.flat()).toHaveLength(3);
    expect(all.requests).toHaveLength(1);

    const ended = new FakeHttp([answer([work(1), work(2), work(3)], 9), answer([], 9)]);
    const short = await collectPages(clevelandMuseumSource.search({ query: 'x', kind: 'image', limit: 5 }, fakeContext(ended, ENV)));
    expect(short.flat()).toHaveLength(3);
    expect(ended.requests.map((r) => [r.url.searchParams.get('limit'), r.url.searchParams.get('skip')])).toEqual([['5', '0'], ['5', '5']]);
  });

  it('asks at most 100 a page', async () => {
    const http = new FakeHttp([answer([], 0)]);
    await collectPages(clevelandMuseumSource.search({ query: 'x', kind: 'image', limit: 500 }, fakeContext(http, ENV)));
    expect(http.requests[0]?.url.searchParams.get('limit')).toBe('100');
  });

  it('asks nothing for videos or when a licence filter leaves out cc0, and reports an answer without data[]', async () => {
    const none = new FakeHttp([]);
    expect(await collectPages(clevelandMuseumSource.search({ query: 'x', kind: 'video', limit: 5 }, fakeContext(none, ENV)))).toEqual([]);
    const filters = { ...NO_FILTERS, license: ['pdm' as const] };
    expect(await collectPages(clevelandMuseumSource.search({ query: 'x', kind: 'image', limit: 5, filters }, fakeContext(none, ENV)))).toEqual([]);
    expect(none.requests).toHaveLength(0);

    const err: unknown = await collectPages(clevelandMuseumSource.search({ query: 'x', kind: 'image', limit: 5 }, fakeContext(new FakeHttp([{ detail: 'Not Found' }]), ENV))).catch((e: unknown) => e);
    expect(isTrawlError(err, 'TRAWL_PARSER_OUTDATED')).toBe(true);
  });
});

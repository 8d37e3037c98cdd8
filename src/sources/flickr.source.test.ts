import { describe, expect, it } from 'vitest';
import { NO_FILTERS } from '../domain.js';
import { isTrawlError, TrawlError } from '../errors.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { FLICKR_LICENSES, flickrLicense, flickrLicenseParam } from './flickr.licenses.js';
import { flickrSource } from './flickr.source.js';
import { availability } from './source.js';

const ORIGIN = 'http://127.0.0.1:9002';
const KEY = 'flickr-test-key-0123';
const ENV = { FLICKR_API_KEY: KEY, TRAWL_ORIGIN_FLICKR: ORIGIN };

/** A photo as SOURCES.md §14 records it: licence id and o_dims as strings, url_l with numeric sizes. */
function photo(id: string, license: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    owner: '12345678@N00',
    secret: 'abcdef1234',
    server: '65535',
    farm: 66,
    title: 'Aurora over the fjord',
    ispublic: 1,
    isfriend: 0,
    isfamily: 0,
    license,
    ownername: 'Kari Nordmann',
    pathalias: 'karin',
    o_width: '4000',
    o_height: '3000',
    url_l: `https://live.staticflickr.com/65535/${id}_abcdef1234_b.jpg`,
    height_l: 768,
    width_l: 1024,
    url_m: `https://live.staticflickr.com/65535/${id}_abcdef1234.jpg`,
    height_m: 375,
    width_m: 500,
    ...extra,
  };
}

function page(photos: unknown[], pageNo = 1, pages = 1): Record<string, unknown> {
  return { photos: { page: pageNo, pages, perpage: 100, total: String(photos.length), photo: photos }, stat: 'ok' };
}

const search = (http: FakeHttp, limit = 10, env: Record<string, string> = ENV, filters = NO_FILTERS) =>
  collectPages(flickrSource.search({ query: 'aurora borealis', kind: 'image', limit, filters }, fakeContext(http, env)));

describe('flickr licence ids', () => {
  it('maps every id Flickr has: CC ids to their codes, 9 to cc0, 10 to pdm, and 0, 7 and 8 to no code', () => {
    const codes = Object.fromEntries(FLICKR_LICENSES.map((license) => [license.id, license.code]));
    expect(codes).toEqual({
      0: null,
      1: 'cc-by-nc-sa',
      2: 'cc-by-nc',
      3: 'cc-by-nc-nd',
      4: 'cc-by',
      5: 'cc-by-sa',
      6: 'cc-by-nd',
      7: null,
      8: null,
      9: 'cc0',
      10: 'pdm',
      11: 'cc-by',
      12: 'cc-by-sa',
      13: 'cc-by-nd',
      14: 'cc-by-nc',
      15: 'cc-by-nc-sa',
      16: 'cc-by-nc-nd',
    });
    expect([flickrLicense('4')?.name, flickrLicense(9)?.code, flickrLicense('17'), flickrLicense(null)]).toEqual(['CC BY 2.0', 'cc0', null, null]);
  });

  it('asks for the open ids only, narrowed by the licence filter', () => {
    expect(flickrLicenseParam(null)).toBe('1,2,3,4,5,6,9,10,11,12,13,14,15,16');
    expect(flickrLicenseParam(['cc-by', 'cc0'])).toBe('4,9,11');
    expect(flickrLicenseParam(['pexels', 'unsplash'])).toBeNull();
  });
});

describe('flickr search', () => {
  it('asks flickr.photos.search for open licences as plain JSON and maps the recorded fields', async () => {
    const http = new FakeHttp([page([photo('52001', '4')])]);
    const pages = await search(http);
    const params = Object.fromEntries(http.requests[0]?.url.searchParams ?? []);
    expect(http.requests[0]?.url.origin + (http.requests[0]?.url.pathname ?? '')).toBe(`${ORIGIN}/services/rest/`);
    expect(params).toMatchObject({ method: 'flickr.photos.search', api_key: KEY, text: 'aurora borealis', license: '1,2,3,4,5,6,9,10,11,12,13,14,15,16' });
    expect(params).toMatchObject({ safe_search: '1', media: 'photos', content_types: '0', per_page: '10', page: '1', format: 'json', nojsoncallback: '1' });
    expect(params.extras?.split(',')).toEqual(expect.arrayContaining(['license', 'owner_name', 'path_alias', 'url_o', 'url_l', 'url_m']));
    expect(pages).toEqual([
      [
        {
          source: 'flickr',
          kind: 'image',
          url: 'https://live.staticflickr.com/65535/52001_abcdef1234_b.jpg',
          pageUrl: 'https://www.flickr.com/photos/karin/52001/',
          title: 'Aurora over the fjord',
          author: 'Kari Nordmann',
          authorUrl: 'https://www.flickr.com/photos/karin/',
          license: 'CC BY 2.0',
          licenseUrl: 'https://creativecommons.org/licenses/by/2.0/',
          licenseCode: 'cc-by',
          width: 1024,
          height: 768,
        },
      ],
    ]);
  });

  it('takes the largest size present, falls back to the owner id and the photo id for page and title', async () => {
    const original = { url_o: 'https://live.staticflickr.com/65535/7_o.jpg', width_o: '4000', height_o: '3000', pathalias: null, title: '' };
    const http = new FakeHttp([page([photo('7', '10', original)])]);
    const [first] = (await search(http))[0] ?? [];
    expect(first).toMatchObject({ url: 'https://live.staticflickr.com/65535/7_o.jpg', width: 4000, height: 3000, title: '7', licenseCode: 'pdm' });
    expect(first?.pageUrl).toBe('https://www.flickr.com/photos/12345678%40N00/7/');
  });

  it('never offers a photo without an open licence mark (0, 7, 8, unknown or missing), nor one without a size', async () => {
    const { license: _none, ...unlabelled } = photo('6', '4');
    const { url_l: _l, url_m: _m, ...sizeless } = photo('9', '4');
    const photos = [photo('1', '0'), photo('2', '7'), photo('3', '8'), photo('4', '99'), unlabelled, sizeless, photo('5', '9')];
    const pages = await search(new FakeHttp([page(photos)]));
    expect(pages.flat().map((c) => [c.pageUrl, c.licenseCode])).toEqual([['https://www.flickr.com/photos/karin/5/', 'cc0']]);
  });

  it('sends only the ids the licence filter allows, safe_search=3 with safe search off, and nothing when no Flickr licence can pass', async () => {
    const http = new FakeHttp([page([photo('1', '5')])]);
    await search(http, 10, ENV, { ...NO_FILTERS, license: ['cc-by-sa', 'pdm'], safeSearch: false });
    expect(Object.fromEntries(http.requests[0]?.url.searchParams ?? [])).toMatchObject({ license: '5,10,12', safe_search: '3' });
    const none = new FakeHttp([]);
    expect(await search(none, 10, ENV, { ...NO_FILTERS, license: ['pixabay'] })).toEqual([]);
    expect(none.requests).toEqual([]);
  });

  it('pages until the limit or the last page, with one per_page for the whole search', async () => {
    const http = new FakeHttp([page([photo('1', '4'), photo('2', '0'), photo('3', '4')], 1, 3), page([photo('4', '4'), photo('5', '4')], 2, 3)]);
    const pages = await search(http, 3);
    expect(pages.map((p) => p.map((c) => c.pageUrl?.split('/').at(-2)))).toEqual([['1', '3'], ['4']]);
    expect(http.requests.map((r) => [r.url.searchParams.get('page'), r.url.searchParams.get('per_page')])).toEqual([['1', '3'], ['2', '3']]);
    const last = new FakeHttp([page([photo('1', '0')], 1, 1)]);
    expect(await search(last, 5)).toEqual([]);
    expect(last.requests).toHaveLength(1);
  });

  it('reports a refused key (stat fail, code 100) as TRAWL_AUTH naming the variable, other failures in Flickr’s words', async () => {
    const refused = await search(new FakeHttp([{ stat: 'fail', code: 100, message: 'Invalid API Key (Key has invalid format)' }])).catch((e: unknown) => e);
    expect(isTrawlError(refused) && refused.code).toBe('TRAWL_AUTH');
    expect((refused as Error).message).toContain('FLICKR_API_KEY');
    const other = await search(new FakeHttp([{ stat: 'fail', code: 105, message: 'Service currently unavailable' }])).catch((e: unknown) => e);
    expect(isTrawlError(other) && [other.code, other.message]).toEqual(['TRAWL_HTTP_STATUS', 'flickr: Flickr answered with error 105: Service currently unavailable']);
    const odd = await search(new FakeHttp([{ stat: 'ok', items: [] }])).catch((e: unknown) => e);
    expect(isTrawlError(odd) && odd.code).toBe('TRAWL_PARSER_OUTDATED');
  });

  it('keeps the key out of the errors of failed requests', async () => {
    const failing = new FakeHttp((url) => new TrawlError('TRAWL_HTTP_STATUS', `HTTP 500 from ${url.href}`, { context: { url: url.href, status: 500 } }));
    const err = await search(failing).catch((e: unknown) => e);
    expect(isTrawlError(err) && err.code).toBe('TRAWL_HTTP_STATUS');
    expect(JSON.stringify([(err as Error).message, isTrawlError(err) ? err.context : null])).not.toContain(KEY);
  });

  it('is not ready without FLICKR_API_KEY, and says so by name', async () => {
    const context = fakeContext(new FakeHttp([]), {});
    expect(availability(flickrSource, context.config)).toEqual({ ok: false, reason: 'FLICKR_API_KEY is not set' });
    const err = await collectPages(flickrSource.search({ query: 'a', kind: 'image', limit: 1 }, context)).catch((e: unknown) => e);
    expect(isTrawlError(err) && [err.code, err.message]).toEqual(['TRAWL_NOT_CONFIGURED', 'flickr: FLICKR_API_KEY is not set']);
  });
});

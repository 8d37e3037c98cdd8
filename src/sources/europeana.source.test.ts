import { describe, expect, it } from 'vitest';
import { NO_FILTERS } from '../domain.js';
import { isTrawlError } from '../errors.js';
import { europeanaSource } from './europeana.source.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { availability } from './source.js';

const ORIGIN = 'http://127.0.0.1:9003';
const KEY = 'europeana-test-key-42';
const ENV = { EUROPEANA_API_KEY: KEY, TRAWL_ORIGIN_EUROPEANA: ORIGIN };

/** An item as SOURCES.md §15 records it: nearly every field a list, the key in `link` and `guid`. */
function item(n: number, rights: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    completeness: 10,
    dataProvider: ['Rijksmuseum'],
    dcCreator: ['Vermeer, Johannes'],
    edmIsShownBy: [`https://lh3.example-provider.test/image-${n}.jpg`],
    edmIsShownAt: [`https://www.rijksmuseum.nl/nl/collectie/SK-A-${n}`],
    edmPreview: [`https://api.europeana.eu/thumbnail/v2/url.json?uri=x&type=IMAGE`],
    guid: `https://www.europeana.eu/item/90402/SK_A_${n}?utm_source=api&utm_medium=api&utm_campaign=${KEY}`,
    id: `/90402/SK_A_${n}`,
    link: `https://api.europeana.eu/record/v2/90402/SK_A_${n}.json?wskey=${KEY}`,
    rights: [rights],
    title: [`The Milkmaid ${n}`],
    type: 'IMAGE',
    ...extra,
  };
}

function page(items: unknown[], nextCursor?: string): Record<string, unknown> {
  return { apikey: KEY, success: true, requestNumber: 999, itemsCount: items.length, totalResults: 500, ...(nextCursor === undefined ? {} : { nextCursor }), items };
}

const search = (http: FakeHttp, limit = 10, env: Record<string, string> = ENV, filters = NO_FILTERS) =>
  collectPages(europeanaSource.search({ query: 'vermeer', kind: 'image', limit, filters }, fakeContext(http, env)));

describe('europeana search', () => {
  it('asks for open images with media, the key in X-Api-Key only, and maps the recorded fields without the key', async () => {
    const http = new FakeHttp([page([item(2344, 'http://creativecommons.org/publicdomain/mark/1.0/')])]);
    const pages = await search(http);
    const request = http.requests[0];
    expect(request?.url.origin + (request?.url.pathname ?? '')).toBe(`${ORIGIN}/record/v2/search.json`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ query: 'vermeer', qf: 'TYPE:IMAGE', media: 'true', reusability: 'open', rows: '10', cursor: '*' });
    expect(request?.headers).toEqual({ 'X-Api-Key': KEY });
    expect(pages).toEqual([
      [
        {
          source: 'europeana',
          kind: 'image',
          url: 'https://lh3.example-provider.test/image-2344.jpg',
          pageUrl: 'https://www.europeana.eu/item/90402/SK_A_2344',
          title: 'The Milkmaid 2344',
          author: 'Vermeer, Johannes',
          authorUrl: null,
          license: 'Public Domain Mark 1.0',
          licenseUrl: 'http://creativecommons.org/publicdomain/mark/1.0/',
          licenseCode: 'pdm',
          width: null,
          height: null,
        },
      ],
    ]);
    expect(JSON.stringify(pages)).not.toContain(KEY);
  });

  it('maps rights URLs to codes and names, and never offers an item without an open mark or a media file', async () => {
    const rights = [
      'http://creativecommons.org/publicdomain/zero/1.0/',
      'http://creativecommons.org/licenses/by/4.0/',
      'http://creativecommons.org/licenses/by-sa/3.0/',
      'https://creativecommons.org/licenses/by-nc-nd/4.0/',
      'http://rightsstatements.org/vocab/InC/1.0/',
      'http://rightsstatements.org/vocab/NoC-NC/1.0/',
      'http://www.europeana.eu/rights/rr-f/',
    ];
    const items = [...rights.map((r, n) => item(n, r)), item(9, 'http://creativecommons.org/licenses/by/4.0/', { edmIsShownBy: undefined }), item(10, '')];
    const found = (await search(new FakeHttp([page(items)]))).flat();
    expect(found.map((c) => [c.licenseCode, c.license])).toEqual([
      ['cc0', 'CC0 1.0'],
      ['cc-by', 'CC BY 4.0'],
      ['cc-by-sa', 'CC BY-SA 3.0'],
      ['cc-by-nc-nd', 'CC BY-NC-ND 4.0'],
    ]);
  });

  it('names the author from a readable creator, else the agent label, else the institution; the page from the id without a guid', async () => {
    const uriCreator = item(1, 'http://creativecommons.org/publicdomain/zero/1.0/', { dcCreator: ['http://data.europeana.eu/agent/123'], edmAgentLabel: [{ def: 'Rembrandt' }] });
    const noCreator = item(2, 'http://creativecommons.org/publicdomain/zero/1.0/', { dcCreator: undefined, guid: undefined });
    const found = (await search(new FakeHttp([page([uriCreator, noCreator])]))).flat();
    expect(found.map((c) => [c.author, c.pageUrl])).toEqual([
      ['Rembrandt', 'https://www.europeana.eu/item/90402/SK_A_1'],
      ['Rijksmuseum', 'https://www.europeana.eu/item/90402/SK_A_2'],
    ]);
  });

  it('follows nextCursor until the limit or the last page (no nextCursor)', async () => {
    const open = 'http://creativecommons.org/licenses/by/4.0/';
    const http = new FakeHttp([page([item(1, open), item(2, 'http://rightsstatements.org/vocab/InC/1.0/')], 'AoE/abc=='), page([item(3, open)])]);
    const found = await search(http, 5);
    expect(found.map((p) => p.map((c) => c.title))).toEqual([['The Milkmaid 1'], ['The Milkmaid 3']]);
    expect(http.requests.map((r) => r.url.searchParams.get('cursor'))).toEqual(['*', 'AoE/abc==']);
    const limited = new FakeHttp([page([item(1, open), item(2, open)], 'next')]);
    expect((await search(limited, 1)).flat()).toHaveLength(1);
    expect(limited.requests).toHaveLength(1);
  });

  it('asks nothing when the licence filter allows none of the open licences', async () => {
    const http = new FakeHttp([]);
    expect(await search(http, 5, ENV, { ...NO_FILTERS, license: ['cc-by-nc', 'pexels'] })).toEqual([]);
    expect(http.requests).toEqual([]);
  });

  it('reports an answer without success and items as a format change', async () => {
    const err = await search(new FakeHttp([{ success: false, error: 'Invalid query parameter' }])).catch((e: unknown) => e);
    expect(isTrawlError(err) && err.code).toBe('TRAWL_PARSER_OUTDATED');
  });

  it('is not ready without EUROPEANA_API_KEY, and says so by name', async () => {
    const context = fakeContext(new FakeHttp([]), {});
    expect(availability(europeanaSource, context.config)).toEqual({ ok: false, reason: 'EUROPEANA_API_KEY is not set' });
    const err = await collectPages(europeanaSource.search({ query: 'a', kind: 'image', limit: 1 }, context)).catch((e: unknown) => e);
    expect(isTrawlError(err) && [err.code, err.message]).toEqual(['TRAWL_NOT_CONFIGURED', 'europeana: EUROPEANA_API_KEY is not set']);
  });
});

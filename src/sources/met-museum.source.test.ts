import { describe, expect, it } from 'vitest';
import { type Filters, NO_FILTERS } from '../domain.js';
import { isTrawlError, TrawlError } from '../errors.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { licenseCode } from './license-codes.js';
import { readObject, searchIds } from './met-museum.records.js';
import { createMetMuseumSource, metMuseumSource } from './met-museum.source.js';

const ORIGIN = 'http://127.0.0.1:9010';
const ENV = { TRAWL_ORIGIN_MET_MUSEUM: ORIGIN };
const IMAGES = 'https://images.metmuseum.org/CRDImages';
const source = createMetMuseumSource({ pageDelay: { minMs: 0, maxMs: 0 } });

/** An object record in the REAL 2026 shape (SOURCES.md §11); `free: false` is an in-copyright work. */
function record(id: number, free = true, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    objectID: id,
    isHighlight: false,
    accessionNumber: '29.100.5',
    isPublicDomain: free,
    primaryImage: free ? `${IMAGES}/ep/original/DT${id}.jpg` : '',
    primaryImageSmall: free ? `${IMAGES}/ep/web-large/DT${id}.jpg` : '',
    additionalImages: [],
    constituents: [{ constituentID: 161_947, role: 'Artist', name: 'Vincent van Gogh', constituentULAN_URL: '', constituentWikidata_URL: '', gender: '' }],
    department: 'European Paintings',
    objectName: 'Painting',
    title: `Wheat Field ${id}`,
    culture: '',
    artistDisplayName: 'Vincent van Gogh',
    artistDisplayBio: 'Dutch, Zundert 1853–1890 Auvers-sur-Oise',
    objectDate: '1889',
    medium: 'Oil on canvas',
    dimensions: '28 7/8 x 36 3/4 in. (73.2 x 93.4 cm)\r\nFramed: 36 x 44 in.',
    measurements: [{ elementName: 'Overall', elementDescription: null, elementMeasurements: { Height: 73.2, Width: 93.4 } }],
    rightsAndReproduction: free ? '' : '© 2026 Artists Rights Society (ARS), New York',
    tags: null,
    objectURL: `https://www.metmuseum.org/art/collection/search/${id}`,
    GalleryNumber: '822',
    ...overrides,
  };
}

/** Answers the search from `pages` (by offset / limit) and object reads from `objects` (by id). */
function metHttp(ids: number[], objects: Record<number, unknown>, total = ids.length): FakeHttp {
  return new FakeHttp((url) => {
    if (url.pathname === '/public/collection/v1.1/search') {
      const offset = Number(url.searchParams.get('offset'));
      const page = ids.slice(offset, offset + Number(url.searchParams.get('limit')));
      return { total, objectIDs: page.length === 0 ? null : page };
    }
    const id = Number(/^\/public\/collection\/v1\/objects\/(\d+)$/.exec(url.pathname)?.[1]);
    const answer = objects[id];
    if (answer === undefined) throw new Error(`unexpected request ${url.href}`);
    return answer;
  });
}

const objectReads = (http: FakeHttp): number[] => http.requests.filter((r) => r.url.pathname.includes('/objects/')).map((r) => Number(r.url.pathname.split('/').pop()));
const searchFor = (limit: number, filters?: Filters) => ({ query: 'wheat field', kind: 'image' as const, limit, ...(filters ? { filters } : {}) });

describe('met_museum search', () => {
  it('asks the v1.1 search for public-domain works with images, then reads each object on v1', async () => {
    const http = metHttp([436535, 437980], { 436535: record(436535), 437980: record(437980) });
    const context = fakeContext(http, ENV);
    const pages = await collectPages(source.search(searchFor(5), context));

    const [search] = http.requests;
    expect(`${search?.url.origin ?? ''}${search?.url.pathname ?? ''}`).toBe(`${ORIGIN}/public/collection/v1.1/search`);
    expect(Object.fromEntries(search?.url.searchParams ?? [])).toEqual({ q: 'wheat field', hasImages: 'true', isPublicDomain: 'true', offset: '0', limit: '10' });
    expect(http.requests.slice(1).map((r) => r.url.href)).toEqual([`${ORIGIN}/public/collection/v1/objects/436535`, `${ORIGIN}/public/collection/v1/objects/437980`]);
    expect(http.requests.every((r) => r.signal === context.signal)).toBe(true);
    expect(pages.flat()[0]).toEqual({
      source: 'met_museum',
      kind: 'image',
      url: `${IMAGES}/ep/original/DT436535.jpg`,
      pageUrl: 'https://www.metmuseum.org/art/collection/search/436535',
      title: 'Wheat Field 436535',
      author: 'Vincent van Gogh',
      authorUrl: null,
      license: 'CC0 1.0 (The Met Open Access)',
      licenseUrl: 'https://creativecommons.org/publicdomain/zero/1.0/',
      licenseCode: 'cc0',
      width: null,
      height: null,
    });
    expect(pages.flat()).toHaveLength(2);
  });

  it('never gives a work without the public-domain mark or without its original image', async () => {
    const objects = {
      1: record(1, false),
      // Marked in copyright yet linking an image: still never a candidate.
      2: record(2, false, { primaryImage: `${IMAGES}/ep/original/DT2.jpg` }),
      3: record(3, true, { primaryImage: '' }),
      4: record(4),
    };
    const http = metHttp([1, 2, 3, 4], objects);
    const pages = await collectPages(source.search(searchFor(5), fakeContext(http, ENV)));
    expect(pages.flat().map((c) => c.url)).toEqual([`${IMAGES}/ep/original/DT4.jpg`]);
  });

  it('credits the first constituent, then the culture, when no artist is named (2020 records too)', () => {
    const noArtist = record(1, true, { artistDisplayName: '', constituents: [{ role: 'Maker', name: 'Tiffany Studios', constituentULAN_URL: '', constituentWikidata_URL: '', gender: '' }] });
    const cultureOnly = record(2, true, { artistDisplayName: '', constituents: null, culture: 'Japan', title: '' });
    const outcomes = [noArtist, cultureOnly].map(readObject);
    expect(outcomes.map((o) => (o.kind === 'candidate' ? [o.candidate.author, o.candidate.title] : o.kind))).toEqual([
      ['Tiffany Studios', 'Wheat Field 1'],
      ['Japan', null],
    ]);
  });

  it('states CC0 for every work it gives, a code the licence readers agree with', async () => {
    const http = metHttp([1, 2, 3], { 1: record(1), 2: record(2), 3: record(3) });
    const items = (await collectPages(source.search(searchFor(3), fakeContext(http, ENV)))).flat();
    expect(items.map((c) => c.licenseCode)).toEqual(['cc0', 'cc0', 'cc0']);
    expect(items.every((c) => licenseCode(c.license) === 'cc0')).toBe(true);
  });

  it('stops at the limit and reads at most `limit` objects beyond what it needs', async () => {
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const objects = Object.fromEntries(ids.map((id) => [id, record(id, id % 3 !== 1)]));
    const http = metHttp(ids, objects);
    const given = await collectPages(source.search(searchFor(3), fakeContext(http, ENV)));
    expect(given.flat().map((c) => c.title)).toEqual(['Wheat Field 2', 'Wheat Field 3', 'Wheat Field 5']);
    expect(objectReads(http)).toEqual([1, 2, 3, 4, 5]);

    const allInCopyright = metHttp(ids, Object.fromEntries(ids.map((id) => [id, record(id, false)])));
    expect(await collectPages(source.search(searchFor(3), fakeContext(allInCopyright, ENV)))).toEqual([]);
    expect(objectReads(allInCopyright)).toEqual([1, 2, 3]);
  });

  it('pages by offset while pages are full, reads each id once, and ends at objectIDs null', async () => {
    const ids = [1, 1, 1, 2, 2, 3, 4, 5];
    const objects = { 1: record(1, false), 2: record(2), 3: record(3, false), 4: record(4), 5: record(5) };
    const http = metHttp(ids, objects);
    const items = (await collectPages(source.search(searchFor(3), fakeContext(http, ENV)))).flat();
    expect(items.map((c) => c.title)).toEqual(['Wheat Field 2', 'Wheat Field 4', 'Wheat Field 5']);
    expect(http.requests.filter((r) => r.url.pathname.endsWith('/search')).map((r) => r.url.searchParams.get('offset'))).toEqual(['0', '6']);
    expect(objectReads(http)).toEqual([1, 2, 3, 4, 5]);
  });

  it('yields nothing and reads nothing for no match (objectIDs null)', async () => {
    const http = metHttp([], {});
    expect(await collectPages(source.search(searchFor(5), fakeContext(http, ENV)))).toEqual([]);
    expect(http.requests).toHaveLength(1);
  });

  it('asks nothing for videos, or when the licence filter leaves out cc0', async () => {
    const http = metHttp([1], { 1: record(1) });
    const byOnly: Filters = { ...NO_FILTERS, license: ['cc-by', 'pdm'] };
    expect(await collectPages(source.search({ ...searchFor(5), kind: 'video' }, fakeContext(http, ENV)))).toEqual([]);
    expect(await collectPages(source.search(searchFor(5, byOnly), fakeContext(http, ENV)))).toEqual([]);
    expect(http.requests).toEqual([]);
    const pages = await collectPages(source.search(searchFor(5, { ...NO_FILTERS, license: ['cc0'] }), fakeContext(http, ENV)));
    expect(pages.flat()).toHaveLength(1);
  });

  it('pauses between its reads as declared: a few a second by default', async () => {
    expect(metMuseumSource.requests.pageDelay?.minMs).toBeGreaterThanOrEqual(200);
    const paced = createMetMuseumSource({ pageDelay: { minMs: 60, maxMs: 60 } });
    const http = metHttp([1, 2], { 1: record(1), 2: record(2) });
    const started = performance.now();
    await collectPages(paced.search(searchFor(2), fakeContext(http, ENV)));
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });
});

describe('met_museum failures', () => {
  it('ends with TRAWL_RATE_LIMITED when the firewall answers an object read with 403, reading no further', async () => {
    const forbidden = new TrawlError('TRAWL_HTTP_STATUS', 'answered 403', { context: { status: 403 } });
    const http = metHttp([1, 2, 3], { 1: record(1), 2: forbidden, 3: record(3) });
    const pages: unknown[] = [];
    const error = await (async () => {
      for await (const page of source.search(searchFor(5), fakeContext(http, ENV))) pages.push(page);
    })().catch((e: unknown) => e);
    expect(isTrawlError(error, 'TRAWL_RATE_LIMITED') && error.message).toMatch(/^met_museum: the service is rate-limiting requests \(HTTP 403\)/);
    expect(pages).toHaveLength(1);
    expect(objectReads(http)).toEqual([1, 2]);
  });

  it('skips an unknown or withdrawn object (404) and keeps the others', async () => {
    const gone = new TrawlError('TRAWL_HTTP_STATUS', 'answered 404', { context: { status: 404 } });
    const http = metHttp([1, 2], { 1: gone, 2: record(2) });
    const items = (await collectPages(source.search(searchFor(5), fakeContext(http, ENV)))).flat();
    expect(items.map((c) => c.title)).toEqual(['Wheat Field 2']);
  });

  it('reports reads that all failed as that failure, and records it cannot read as TRAWL_PARSER_OUTDATED', async () => {
    const gone = new TrawlError('TRAWL_HTTP_STATUS', 'answered 404', { context: { status: 404 } });
    const failed = await collectPages(source.search(searchFor(5), fakeContext(metHttp([1, 2], { 1: gone, 2: gone }), ENV))).catch((e: unknown) => e);
    expect(failed).toBe(gone);
    const changed = metHttp([1, 2], { 1: { id: 1, image: 'x' }, 2: { id: 2 } });
    const error = await collectPages(source.search(searchFor(5), fakeContext(changed, ENV))).catch((e: unknown) => e);
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED') && error.message).toMatch(/^met_museum: \/public\/collection\/v1\/objects\/ response has no object record/);
  });

  it('reports a changed search answer as TRAWL_PARSER_OUTDATED, and reads null as no ids', () => {
    expect(searchIds({ total: 0, objectIDs: null })).toEqual([]);
    expect(searchIds({ total: 2, objectIDs: [5, 'x', 6] })).toEqual([5, 6]);
    for (const changed of [{ total: 3 }, { total: 3, objectIDs: '1,2,3' }, [1, 2, 3]]) {
      expect(() => searchIds(changed)).toThrow(/^met_museum: \/public\/collection\/v1\.1\/search response has no objectIDs/);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltinSourceId, type FilterName, type Filters, NO_FILTERS, type SourceId } from '../domain.js';
import { createBingImagesSource } from '../sources/bing-images.source.js';
import { createDuckDuckGoImagesSource } from '../sources/duckduckgo-images.source.js';
import { createGoogleImagesSource } from '../sources/google-images.source.js';
import { SOURCE_LIST, SOURCES } from '../sources/registry.js';
import type { Source } from '../sources/source.js';
import { type LiveSim, searchAll, startLiveSim } from './live-source.test-helper.js';

// Every source, through the real HTTP client against the simulator: the filters it declares as
// pushed down are what it sends, and a filter it does not declare changes nothing it sends.

const NO_PAUSE = { pageDelay: { minMs: 0, maxMs: 0 } };
const QUICK: Partial<Record<SourceId, Source>> = {
  google_images: createGoogleImagesSource(NO_PAUSE),
  bing_images: createBingImagesSource(NO_PAUSE),
  duckduckgo_images: createDuckDuckGoImagesSource(NO_PAUSE),
};
const sources = SOURCE_LIST.map((source) => QUICK[source.id] ?? source);

/** 6000 × 4000 = 24 million pixels: big enough to select a size bucket on every service that has them. */
const ALL: Filters = { minWidth: 6000, minHeight: 4000, orientation: 'landscape', license: null, safeSearch: false, format: ['png'] };
const ONE: Readonly<Record<FilterName, Partial<Filters>>> = {
  minWidth: { minWidth: 6000, minHeight: 4000 },
  minHeight: { minWidth: 6000, minHeight: 4000 },
  orientation: { orientation: 'landscape' },
  license: { license: ['cc-by'] },
  safeSearch: { safeSearch: false },
  format: { format: ['png'] },
};

let live: LiveSim;
beforeAll(async () => (live = await startLiveSim({ itemsPerQuery: 5 })));
afterAll(() => live.close());

/** The query parameters of every API request one image search for "aurora" made, in order. */
async function sent(source: Source, filters: Filters): Promise<Record<string, string>[]> {
  const before = live.sim.requests().length;
  await searchAll(source, live.context(), { query: 'aurora', kind: 'image', limit: 1, filters });
  return live.sim
    .requests()
    .slice(before)
    .filter((r) => r.source === source.id && r.target === 'api')
    .map((r) => Object.fromEntries(new URL(r.path, live.sim.url).searchParams));
}

/** The parameters of the search request proper (DuckDuckGo's second, after the token page). */
const search = (requests: Record<string, string>[], id: SourceId): Record<string, string> => requests[id === 'duckduckgo_images' ? 1 : 0] ?? {};

describe('filters asked of each service', () => {
  const expected: Readonly<Record<BuiltinSourceId, Record<string, string>>> = {
    google_images: { tbs: 'isz:lt,islt:20mp,iar:w', safe: 'off' },
    bing_images: { qft: ' filterui:imagesize-custom_5999_3999 filterui:aspect-wide', adlt: 'off' },
    duckduckgo_images: { p: '-2', f: ',size:Large,,,layout:Wide,' },
    pexels: { size: 'medium', orientation: 'landscape' },
    pixabay: { min_width: '6000', min_height: '4000', orientation: 'horizontal', safesearch: 'false' },
    unsplash: { orientation: 'landscape', content_filter: 'low' },
    openverse: { size: 'large', aspect_ratio: 'wide', mature: 'true', extension: 'png' },
    wikimedia_commons: { gsrsearch: 'aurora filetype:bitmap filew:>6000 fileh:>4000 filemime:image/png' },
    nasa: {},
    flickr: { license: '1,2,3,4,5,6,9,10,11,12,13,14,15,16', safe_search: '3', media: 'photos' },
    europeana: {},
    met_museum: {},
    art_institute_chicago: { 'query[term][is_public_domain]': 'true' },
    cleveland_museum: { cc0: '1' },
  };

  it.each(sources.map((source) => [source.id, source] as const))('%s sends its parameters for the filters it declares', async (id, source) => {
    const requests = await sent(source, ALL);
    expect(search(requests, id)).toMatchObject(expected[id as BuiltinSourceId]);
    if (id === 'duckduckgo_images') expect(requests[0]).toMatchObject({ kp: '-2' });
  });

  it('sends the safe-search "on" value when no filter is set, where the service has a switch', async () => {
    const on = await Promise.all(sources.map(async (source) => [source.id, search(await sent(source, NO_FILTERS), source.id)] as const));
    const switches = Object.fromEntries(on.map(([id, params]) => [id, params.safe ?? params.adlt ?? params.p ?? params.safesearch ?? params.content_filter ?? params.mature ?? params.safe_search ?? null]));
    expect(switches).toEqual({
      google_images: 'active',
      bing_images: 'strict',
      duckduckgo_images: '1',
      pexels: null,
      pixabay: 'true',
      unsplash: 'high',
      openverse: null,
      wikimedia_commons: null,
      nasa: null,
      flickr: '1',
      europeana: null,
      met_museum: null,
      art_institute_chicago: null,
      cleveland_museum: null,
    });
  });

  it('asks a one-licence source nothing at all when its licence cannot pass, and Openverse for the CC codes only', async () => {
    const byOnly: Filters = { ...NO_FILTERS, license: ['cc-by', 'pexels'] };
    for (const source of [SOURCES.pixabay, SOURCES.unsplash, SOURCES.nasa, SOURCES.met_museum, SOURCES.art_institute_chicago, SOURCES.cleveland_museum]) expect(await sent(source, byOnly), source.id).toEqual([]);
    expect(search(await sent(SOURCES.openverse, byOnly), 'openverse')).toMatchObject({ license: 'by' });
    expect(await sent(SOURCES.openverse, { ...NO_FILTERS, license: ['pexels'] })).toEqual([]);
    expect(search(await sent(SOURCES.flickr, byOnly), 'flickr')).toMatchObject({ license: '4,11' });
    expect(await sent(SOURCES.flickr, { ...NO_FILTERS, license: ['pexels'] })).toEqual([]);
  });

  describe.each(sources.map((source) => [source.id, source] as const))('%s', (id, source) => {
    it('changes its requests for exactly the filters its push-down declares', async () => {
      const plain = await sent(source, NO_FILTERS);
      for (const filter of Object.keys(ONE) as FilterName[]) {
        const filtered = await sent(source, { ...NO_FILTERS, ...ONE[filter] });
        const declared = source.pushdown.some((row) => row.filter === filter);
        // Both size rows stand for the pair of minimums some services need together.
        const pair = (filter === 'minWidth' || filter === 'minHeight') && source.pushdown.some((row) => row.filter === 'minWidth' || row.filter === 'minHeight');
        if (declared || pair) expect(filtered, `${id} ${filter}`).not.toEqual(plain);
        else expect(filtered, `${id} ${filter}`).toEqual(plain);
      }
    });
  });
});

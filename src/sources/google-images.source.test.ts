import { describe, expect, it } from 'vitest';
import { type Filters, NO_FILTERS } from '../domain.js';
import { TrawlError, isTrawlError } from '../errors.js';
import { collectPages, fakeContext, FakeHttp } from './fake-http.test-helper.js';
import { parseGoogleImages, unescapeJs } from './google-images.formats.js';
import { createGoogleImagesSource, googleImagesSource } from './google-images.source.js';

const ORIGIN = 'http://127.0.0.1:9101';
const ENV = { TRAWL_ORIGIN_GOOGLE_IMAGES: ORIGIN };
const source = createGoogleImagesSource({ pageDelay: { minMs: 0, maxMs: 0 } });

// Two results as the 2025 udm=2 page carries them (google-img-scrap's googleImagesParsed.html,
// compacted): sizes are [url, height, width]; `=` and `&` are \u escapes.
const UNISQ = String.raw`{"444383007":[1,[0,"dmTxYPgM24aljM",["https://encrypted-tbn0.gstatic.com/images?q\u003dtbn:ANd9GcQFh_cKmXU9pEVVePcLlOOJrAgS50OANu037w\u0026usqp\u003dCAU",174,290],["https://unisq.edu.au/-/media/usq/news/2025/04/cat-hair-news-image.ashx?rev\u003df50e0d8d86ab43fab9c499dadf01f11f",450,750],null,0,null,null,false,{"22":false,"25":false,"2001":[null,null,null,0,0,9,3,false,false],"2003":[null,"NozI2Lx4Q1gAdM","https://www.unisq.edu.au/news/2025/04/the-conversation-cat-allergies","Why are some cats more allergenic than others? It's not their coat length |  UniSQ",null,null,null,null,null,false,null,null,"UniSQ",null,null,null,null,"unisq.edu.au",null,null,null,null,null,null,false,[null,2],null,null,null,null,null,null,null,"https://www.google.com/search/about-this-image?img\u003dH4sIAAAAAAAA_-MS5dg2Y9Gxs9PvLYwQ-HbiaHvb_MNv2xgBr2nKgRcAAAA%3D\u0026q\u003dhttps://www.unisq.edu.au/news/2025/04/the-conversation-cat-allergies\u0026ctx\u003div\u0026hl\u003den-US"],"2008":[null,"Why are some cats more allergenic than ..."]}],null,[233,139,null,null,null,233,139,0,null,0,null,null,null,false,2],21,null,null,"dmTxYPgM24aljM",1,null,null,null,null,[[1780464718785520,36153333,2100948496],null,null,null,null,[[0,24]]],[null,null,null,null,null,null,null,null,null,null,true,null,null,true],{"48":true}]}`;
const VETS = String.raw`{"444383007":[1,[0,"SdCUruXFsbOICM",["https://encrypted-tbn0.gstatic.com/images?q\u003dtbn:ANd9GcTziCfaBKWyBQVmi4usD-mZ5CaJFkl_ALc-xQ\u0026usqp\u003dCAU",168,300],["https://www.vets4pets.com/siteassets/species/cat/two-cats-on-wall-in-sun.jpg?w\u003d585\u0026scale\u003ddown",1800,3200],null,0,null,null,false,{"22":false,"25":false,"2001":[null,null,null,0,0,3,3,false,false],"2003":[null,"OES_a0moVKibLM","https://www.vets4pets.com/pet-health-advice/cat-advice/introducing-cats/","How to Introduce Cats | Pet Health Advice | Vets4Pets",null,null,null,null,null,false,null,null,"Vets4Pets"]}],null,[232,154],22,null,null,"SdCUruXFsbOICM",1]}`;
/** A related-searches chip: a thumbnail with no size, which is not a result. */
const CHIP = String.raw`["kitten",["https://encrypted-tbn0.gstatic.com/images?q\u003dtbn:ANd9GcSQ0GMbolZDfX5s5vEajRMWnTPnAMLfbE9Xms4j0ZRccT6T3k4wsY47Eu0\u0026usqp\u003dCAU",null,null,true,[null,3]],"/search?q\u003dcats\u0026tbm\u003disch"]`;

/** A result in the recorded shape, for paging tests. */
function item(n: number, extra = ''): string {
  const id = `doc${String(n).padStart(10, '0')}`;
  return String.raw`{"444383007":[1,[0,"${id}",["https://encrypted-tbn0.gstatic.com/images?q\u003dtbn:${id}",180,240],["https://img.test.invalid/${n}.jpg?s\u003d${n}\u0026f\u003djpg",600,800],null,0,null,null,false,{"2003":[null,"${id}","https://pages.test.invalid/${n}${extra}","Photo ${n}"]}],null,[180,240],${n},null,null,"${id}",1]}`;
}

function resultsPage(items: string[]): string {
  return `<!doctype html><html lang="en"><head><title>cats - Google Search</title></head><body><div id="islrg"></div>
<script nonce="x">AF_initDataCallback({key: 'ds:1', hash: '2', data:[null,[${[CHIP, ...items].join(',')}]], sideChannel: {}});</script></body></html>`;
}

function run(http: FakeHttp, limit: number, env: Record<string, string> = ENV) {
  const context = fakeContext(http, env);
  return { context, pages: collectPages(source.search({ query: 'cats', kind: 'image', limit }, context)) };
}

async function failure(http: FakeHttp, limit = 5): Promise<TrawlError> {
  const error = await run(http, limit).pages.catch((err: unknown) => err);
  if (!(error instanceof TrawlError)) throw new Error(`expected a TrawlError, got ${String(error)}`);
  return error;
}

describe('google_images: the udm=2 results page', () => {
  it('asks /search for udm=2 image results in English with the consent cookie, and reads the recorded results', async () => {
    // Fewer results than asked for: the next page (here past the end) tells whether there are more.
    const http = new FakeHttp([resultsPage([UNISQ, VETS]), resultsPage([])]);
    const { context, pages } = run(http, 10);
    const found = (await pages).flat();
    expect(http.requests.map((r) => r.url.searchParams.get('start'))).toEqual([null, '2']);

    const request = http.requests[0];
    expect(`${request?.url.origin ?? ''}${request?.url.pathname ?? ''}`).toBe(`${ORIGIN}/search`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ q: 'cats', tbm: 'isch', udm: '2', hl: 'en', safe: 'active' });
    expect(request?.headers).toMatchObject({ 'Accept-Language': 'en-US,en;q=0.9', Cookie: 'CONSENT=YES+' });
    expect(request?.signal).toBe(context.signal);

    expect(found).toEqual([
      {
        source: 'google_images',
        kind: 'image',
        url: 'https://unisq.edu.au/-/media/usq/news/2025/04/cat-hair-news-image.ashx?rev=f50e0d8d86ab43fab9c499dadf01f11f',
        pageUrl: 'https://www.unisq.edu.au/news/2025/04/the-conversation-cat-allergies',
        title: "Why are some cats more allergenic than others? It's not their coat length |  UniSQ",
        author: null,
        authorUrl: null,
        license: null,
        licenseUrl: null,
        licenseCode: null,
        width: 750,
        height: 450,
      },
      expect.objectContaining({
        url: 'https://www.vets4pets.com/siteassets/species/cat/two-cats-on-wall-in-sun.jpg?w=585&scale=down',
        title: 'How to Introduce Cats | Pet Health Advice | Vets4Pets',
        width: 3200,
        height: 1800,
      }),
    ]);
  });

  it('talks to www.google.com when no override is configured and does not search for videos', async () => {
    const http = new FakeHttp([resultsPage([VETS])]);
    await collectPages(googleImagesSource.search({ query: 'big cats', kind: 'image', limit: 1 }, fakeContext(http)));
    expect(http.requests[0]?.url.href).toBe('https://www.google.com/search?q=big+cats&tbm=isch&udm=2&hl=en&safe=active');
    const none = new FakeHttp([]);
    expect(await collectPages(googleImagesSource.search({ query: 'cats', kind: 'video', limit: 5 }, fakeContext(none)))).toEqual([]);
    expect(none.requests).toHaveLength(0);
  });

  it('leaves page URL and title empty when a result has no "2003" block, and escaped quotes in titles intact', () => {
    const bare = String.raw`[1,[0,"bareDoc",["https://encrypted-tbn0.gstatic.com/images?q\u003dtbn:x",100,100],["https://img.test.invalid/bare.png",300,400],null,0]]`;
    const quoted = String.raw`[1,[0,"quoted",["https://encrypted-tbn0.gstatic.com/images?q\u003dtbn:y",100,100],["https://img.test.invalid/q.png",30,40],null,{"2003":[null,"q","https://pages.test.invalid/q?a\u003d1\u0026b\u003d2","Cats \u0026 \"dogs\" \u003cb\u003e"]}]]`;
    const found = parseGoogleImages(`<script>var m=[${bare},${quoted}];</script>`);
    expect(found[0]).toEqual({ url: 'https://img.test.invalid/bare.png', pageUrl: null, title: null, author: null, width: 400, height: 300 });
    expect(found[1]).toMatchObject({ pageUrl: 'https://pages.test.invalid/q?a=1&b=2', title: 'Cats & "dogs" <b>' });
  });
});

describe('google_images: older and other formats', () => {
  it('reads arrays carried inside a JS string literal (one escaping level more)', () => {
    const page = `<script>window.W_jd = "${VETS.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}";</script>`;
    expect(parseGoogleImages(page)).toEqual([expect.objectContaining({ url: 'https://www.vets4pets.com/siteassets/species/cat/two-cats-on-wall-in-sun.jpg?w=585&scale=down', width: 3200, height: 1800 })]);
  });

  it('falls back to every sized URL that is not a thumbnail when results lose their docid head', () => {
    const page = String.raw`<script>x=[[["https://encrypted-tbn0.gstatic.com/images?q\u003dtbn:a",90,120],["https://img.test.invalid/a.jpg",900,1200],{"2003":[null,"a","https://pages.test.invalid/a","A"]}],[["https://img.test.invalid/b.jpg",50,70]]]</script>`;
    expect(parseGoogleImages(page)).toEqual([
      { url: 'https://img.test.invalid/a.jpg', pageUrl: 'https://pages.test.invalid/a', title: 'A', author: null, width: 1200, height: 900 },
      { url: 'https://img.test.invalid/b.jpg', pageUrl: null, title: null, author: null, width: 70, height: 50 },
    ]);
  });

  it('reads the internal ischj JSON (2022–2025), author included', () => {
    const body = `)]}'\n{"ischj":{"metadata":[{"original_image":{"url":"https://img.test.invalid/i.jpg","width":1024,"height":768},"thumbnail":{"url":"https://encrypted-tbn0.gstatic.com/images?q=tbn:i"},"result":{"referrer_url":"https://pages.test.invalid/i","page_title":"A {braced} title","site_title":"Site","iptc":{"creator":"Jane Doe","copyright_notice":"(c) Jane"}}},{"original_image":{"url":null},"result":{}},{"original_image":{"url":"https://img.test.invalid/j.png"}}]}}`;
    expect(parseGoogleImages(body)).toEqual([
      { url: 'https://img.test.invalid/i.jpg', pageUrl: 'https://pages.test.invalid/i', title: 'A {braced} title', author: 'Jane Doe', width: 1024, height: 768 },
      { url: 'https://img.test.invalid/j.png', pageUrl: null, title: null, author: null, width: null, height: null },
    ]);
  });

  it('reads /imgres links, entity-escaped in markup and \\x-escaped in scripts', () => {
    const markup = '<a href="/imgres?imgurl=https://img.test.invalid/w.jpg&amp;imgrefurl=https://pages.test.invalid/w&amp;h=480&amp;w=640&amp;tbnid=abc"><img alt="w"></a>';
    const script = String.raw`<script>["/imgres?imgurl\x3dhttps://img.test.invalid/s.jpg\x26imgrefurl\x3dhttps://pages.test.invalid/s\x26h\x3d10\x26w\x3d20"]</script>`;
    expect(parseGoogleImages(markup + script)).toEqual([
      { url: 'https://img.test.invalid/w.jpg', pageUrl: 'https://pages.test.invalid/w', title: null, author: null, width: 640, height: 480 },
      { url: 'https://img.test.invalid/s.jpg', pageUrl: 'https://pages.test.invalid/s', title: null, author: null, width: 20, height: 10 },
    ]);
  });

  it('reads the legacy rg_meta blocks (≤2019)', () => {
    const page = '<div class="rg_meta notranslate">{"id":"x","ou":"https://img.test.invalid/o.jpg","ow":1600,"oh":900,"pt":"Old \\u0026 gold","ru":"https://pages.test.invalid/o","rh":"pages.test.invalid","ity":"jpg"}</div><div class="rg_meta notranslate">{"ou":"not a url"}</div>';
    expect(parseGoogleImages(page)).toEqual([{ url: 'https://img.test.invalid/o.jpg', pageUrl: 'https://pages.test.invalid/o', title: 'Old & gold', author: null, width: 1600, height: 900 }]);
  });

  it('resolves \\u, \\x and one-character escapes', () => {
    expect(unescapeJs(String.raw`a\u003db\x26c\"d\\e\/f\ng`)).toBe('a=b&c"d\\e/f\ng');
  });
});

describe('google_images: paging', () => {
  const pageOf = (from: number, count: number): string => resultsPage(Array.from({ length: count }, (_, i) => item(from + i)));

  it('pages by start, pausing between pages, and stops at the limit', async () => {
    const http = new FakeHttp((url) => pageOf(Number(url.searchParams.get('start') ?? 0), 20));
    const paced = createGoogleImagesSource({ pageDelay: { minMs: 60, maxMs: 60 } });
    const started = Date.now();
    const pages = await collectPages(paced.search({ query: 'cats', kind: 'image', limit: 45 }, fakeContext(http, ENV)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(http.requests.map((r) => r.url.searchParams.get('start'))).toEqual([null, '20', '40']);
    expect(pages.map((p) => p.length)).toEqual([20, 20, 5]);
    expect(new Set(pages.flat().map((c) => c.url)).size).toBe(45);
    expect(pages[1]?.[0]?.url).toBe('https://img.test.invalid/20.jpg?s=20&f=jpg');
  });

  it('stops on a page that repeats what was given, or on an empty page after the first', async () => {
    const repeating = new FakeHttp(() => pageOf(0, 20));
    expect((await run(repeating, 100).pages).flat()).toHaveLength(20);
    expect(repeating.requests).toHaveLength(2);

    const ending = new FakeHttp([pageOf(0, 20), '<!doctype html><html><body><div id="islrg"></div></body></html>']);
    expect((await run(ending, 100).pages).flat()).toHaveLength(20);
    expect(ending.requests).toHaveLength(2);
  });

  it("yields nothing for Google's \"did not match any image results\" page", async () => {
    const http = new FakeHttp(['<html><body><p>Your search - <b>zzqx</b> - did not match any image results.</p></body></html>']);
    expect(await run(http, 5).pages).toEqual([]);
  });
});

describe('google_images: refusals and format changes', () => {
  const limited = (error: TrawlError, how: string): void => {
    expect(error.code).toBe('TRAWL_RATE_LIMITED');
    expect(error.message).toContain(`google_images: the service is rate-limiting requests (${how}`);
  };

  it('reports the /sorry/ captcha, "unusual traffic" and the consent wall as rate limiting', async () => {
    limited(await failure(new FakeHttp([{ body: '<html><form id="captcha-form"></form></html>', url: `${ORIGIN}/sorry/index?continue=x` }])), 'a captcha');
    limited(await failure(new FakeHttp(['<p>Our systems have detected unusual traffic from your computer network.</p>'])), 'a captcha');
    limited(await failure(new FakeHttp([{ body: '<h1>Before you continue to Google</h1>', url: 'https://consent.google.com/ml?continue=x' }])), 'a cookie-consent page');
  });

  it('maps 429 (retries spent), 403 and 418 answers and a 202 to TRAWL_RATE_LIMITED, reporting a named wait as quota', async () => {
    const url = `${ORIGIN}/search`;
    const http = new FakeHttp([new TrawlError('TRAWL_HTTP_TRANSIENT', `${url} answered 429`, { context: { status: 429, url, retryAfterMs: 120_000 } })]);
    const context = fakeContext(http, ENV);
    const error = await collectPages(source.search({ query: 'cats', kind: 'image', limit: 5 }, context)).catch((err: unknown) => err);
    expect(isTrawlError(error, 'TRAWL_RATE_LIMITED')).toBe(true);
    expect((error as TrawlError).message).toContain('google_images: the service is rate-limiting requests (HTTP 429) and asked to wait 2m');
    expect(context.quotas).toEqual([{ remaining: 0, limit: null, resetAt: expect.any(String) as string }]);
    expect(Date.parse(context.quotas[0]?.resetAt ?? '') - Date.now()).toBeGreaterThan(100_000);

    limited(await failure(new FakeHttp([new TrawlError('TRAWL_AUTH', `${url} refused the request with 403`, { context: { status: 403, url } })])), 'HTTP 403');
    limited(await failure(new FakeHttp([new TrawlError('TRAWL_HTTP_STATUS', `${url} answered 418`, { context: { status: 418, url } })])), 'HTTP 418');
    limited(await failure(new FakeHttp([{ body: '', status: 202 }])), 'HTTP 202');
  });

  it('lets other failures through unchanged', async () => {
    const notFound = new TrawlError('TRAWL_HTTP_STATUS', 'answered 404', { context: { status: 404 } });
    expect(await failure(new FakeHttp([notFound]))).toBe(notFound);
    const timeout = new TrawlError('TRAWL_SOURCE_TIMEOUT', 'source budget ran out');
    expect(await failure(new FakeHttp([timeout]))).toBe(timeout);
  });

  it('reports a results page it cannot read as TRAWL_PARSER_OUTDATED, naming the source and the formats', async () => {
    const thumbnailsOnly = '<html><body><div data-docid="a"><img src="https://encrypted-tbn0.gstatic.com/images?q=tbn:a"></div><script>var x={"new":["shape"]};</script></body></html>';
    const error = await failure(new FakeHttp([thumbnailsOnly]));
    expect(error.code).toBe('TRAWL_PARSER_OUTDATED');
    expect(error.message).toContain('google_images: /search response has no image results (ischj JSON, ["url",height,width] result arrays');
    expect((await failure(new FakeHttp(['']))).code).toBe('TRAWL_PARSER_OUTDATED');
  });
});

describe('google_images filters', () => {
  const tbs = async (filters: Partial<Filters>): Promise<string | null> => {
    const http = new FakeHttp(() => resultsPage([item(0)]));
    await collectPages(source.search({ query: 'cats', kind: 'image', limit: 1, filters: { ...NO_FILTERS, ...filters } }, fakeContext(http, ENV)));
    return http.requests[0]?.url.searchParams.get('tbs') ?? null;
  };

  it('asks for the largest "larger than" size below both minimums, and none for one minimum alone', async () => {
    // 1920 × 1080 is 2,073,600 pixels: "2mp" could mean 2,097,152 and leave such a file out.
    expect(await tbs({ minWidth: 1920, minHeight: 1080 })).toBe('isz:lt,islt:xga');
    expect(await tbs({ minWidth: 4000, minHeight: 3000 })).toBe('isz:lt,islt:10mp');
    expect(await tbs({ minWidth: 4000 })).toBeNull();
    expect(await tbs({ orientation: 'square' })).toBe('iar:s');
  });
});

import { describe, expect, it } from 'vitest';
import { type Candidate, NO_FILTERS } from '../domain.js';
import { isTrawlError, TrawlError } from '../errors.js';
import { bingImagesSource, createBingImagesSource } from './bing-images.source.js';
import { collectPages, fakeContext, FakeHttp, type PageAnswer } from './fake-http.test-helper.js';

const ORIGIN = 'http://127.0.0.1:9002';
const ENV = { TRAWL_ORIGIN_BING_IMAGES: ORIGIN };
// No pause between pages: the tests that time the pause ask for one of their own.
const source = createBingImagesSource({ pageDelay: { minMs: 0, maxMs: 0 } });

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface TileOptions {
  meta?: Record<string, unknown>;
  size?: boolean;
  info?: string;
  caption?: string;
}

/** One `li` in the recorded markup: `a.iusc[m][href]` then the info line, as SOURCES.md §7 shows it. */
function tile(n: number, options: TileOptions = {}): string {
  const murl = `https://upload.example.org/cats/${n}.jpg`;
  const meta = {
    cid: `c${n}`,
    purl: `https://example.org/cats/page-${n}.html`,
    murl,
    turl: `https://tse2.mm.bing.net/th?id=OIP.x${n}&pid=15.1`,
    md5: 'abc',
    shkey: '',
    t: `\ue000Cats\ue001 &amp; friends ${n}`,
    mid: 'M',
    desc: 'a description',
    ...options.meta,
  };
  const size = options.size === false ? '' : '&exph=2972&expw=3442';
  const href = `/images/search?view=detailV2&ccid=c${n}&id=X&thid=OIP.x${n}&mediaurl=${encodeURIComponent(murl)}${size}&q=cats`;
  const caption = options.caption === undefined ? '' : `<div class="infopt"><div class="infnmpt"><div class="inflnk"><a href="${escape(meta.purl)}">${options.caption}</a></div></div></div>`;
  return (
    `<li data-idx="${n}"><div class="iuscp varh"><div class="imgpt"><a class="iusc" style="height:185px" m="${escape(JSON.stringify(meta))}" href="${escape(href)}" h="ID=images.1_1">` +
    `<div class="img_cont hoff"><img class="mimg" src="${escape(meta.turl)}" alt="Image result for cats" /></div></a>` +
    `<div class="img_info hon"><span class="nowrap">${options.info ?? '3442 x 2972 · jpeg'}</span><div class="lnkw"><a href="${escape(meta.purl)}">example.org</a></div></div></div>${caption}</div></li>`
  );
}

function page(...tiles: string[]): string {
  return `<div class="dgControl hover" data-nextUrl="/images/async?q=cats&amp;first=36&amp;count=35"><ul class="dgControl_list">${tiles.join('')}</ul></div><script>var x = "<a class='iusc' m='{}'>";</script>`;
}

async function run(answers: PageAnswer[], limit = 10, from = source): Promise<{ http: FakeHttp; pages: Candidate[][] }> {
  const http = new FakeHttp(answers);
  const pages = await collectPages(from.search({ query: 'cats', kind: 'image', limit }, fakeContext(http, ENV)));
  return { http, pages };
}

async function failure(answers: PageAnswer[]): Promise<unknown> {
  return run(answers).catch((err: unknown) => err);
}

describe('bing_images parsing', () => {
  it('requests /images/async with q, first and count, and maps the m JSON of each a.iusc link', async () => {
    const { http, pages } = await run([page(tile(1), tile(2)), '']);
    const [request] = http.requests;
    expect(`${request?.url.origin ?? ''}${request?.url.pathname ?? ''}`).toBe(`${ORIGIN}/images/async`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ q: 'cats', first: '1', count: '35', adlt: 'strict' });
    expect(request?.headers['Accept-Language']).toMatch(/^en/);
    expect(pages.flat()).toHaveLength(2);
    expect(pages[0]?.[0]).toEqual({
      source: 'bing_images',
      kind: 'image',
      url: 'https://upload.example.org/cats/1.jpg',
      pageUrl: 'https://example.org/cats/page-1.html',
      title: 'Cats & friends 1',
      author: null,
      authorUrl: null,
      license: null,
      licenseUrl: null,
      licenseCode: null,
      width: 3442,
      height: 2972,
    });
  });

  it('takes the size from the info line when the link has none, and the title from the caption when m has none', async () => {
    const { pages } = await run([page(tile(1, { size: false, info: '640 × 480 · png', meta: { t: undefined }, caption: 'Tabby &quot;Tom&quot;' }), tile(2, { size: false, info: 'png' })), '']);
    expect(pages[0]?.map((c) => [c.width, c.height, c.title])).toEqual([
      [640, 480, 'Tabby "Tom"'],
      [null, null, 'Cats & friends 2'],
    ]);
  });

  it('reads single-quoted attributes in any order, ignores scripts, and skips tiles without a usable murl', async () => {
    const meta = { murl: "https://example.org/it's.png", purl: 'https://example.org/p', t: 'Quoted' };
    const single = `<li><div class="imgpt"><a href='/images/search?expw=10&amp;exph=20' m='${JSON.stringify(meta).replace(/'/g, '&#39;')}' class='iusc hv'>x</a></div></li>`;
    const broken = `<li><a class="iusc" m="{not json">x</a></li><li><a class="iusc" m="${escape(JSON.stringify({ murl: 'data:image/png;base64,AAAA' }))}">x</a></li>`;
    // A script with a lone apostrophe before the tile must not make the scanner swallow it.
    const script = `<li><script>if (i<a) { /* it's */ }</script></li>`;
    const { pages } = await run([page(broken, script, tile(7), single, "<li>Tom's</li>"), '']);
    expect(pages.flat()).toEqual([
      expect.objectContaining({ url: 'https://upload.example.org/cats/7.jpg' }),
      expect.objectContaining({ url: "https://example.org/it's.png", title: 'Quoted', width: 10, height: 20 }),
    ]);
  });
});

describe('bing_images paging', () => {
  it('advances first by the tiles received, stops at limit, and pauses politely between pages', async () => {
    const first = page(...[1, 2, 3].map((n) => tile(n)));
    const second = page(...[4, 5, 6].map((n) => tile(n)));
    const started = Date.now();
    const { http, pages } = await run([first, second], 5, createBingImagesSource({ pageDelay: { minMs: 60, maxMs: 60 } }));
    expect(pages.map((p) => p.length)).toEqual([3, 2]);
    expect(http.requests.map((r) => r.url.searchParams.get('first'))).toEqual(['1', '4']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('pauses 300–800 ms between pages by default, as a person scrolling would', () => {
    expect(bingImagesSource.requests.pageDelay).toEqual({ minMs: 300, maxMs: 800 });
  });

  it('stops when a page brings nothing new (Bing repeats itself past the end) or is empty', async () => {
    const repeated = page(tile(1), tile(2));
    const { http, pages } = await run([repeated, repeated]);
    expect(pages.flat()).toHaveLength(2);
    expect(http.requests).toHaveLength(2);
  });

  it('yields nothing for a genuine no-results answer', async () => {
    const noResults = '<div class="dg_b"><div class="b_no"><h1>There are no results for <strong>zzqx</strong></h1></div></div>';
    expect((await run([noResults])).pages).toEqual([]);
    expect((await run([''])).pages).toEqual([]);
    expect((await run(['<div class="dgControl"><ul class="dgControl_list"></ul></div>'])).pages).toEqual([]);
  });
});

describe('bing_images failures', () => {
  it.each([
    ['a 202 answer', { status: 202, body: '' }],
    ['a captcha page', { status: 200, body: '<html><body><form action="/turing/captcha/challenge">Please solve the challenge</form></body></html>' }],
    ['a redirect to the challenge', { status: 200, body: '<html></html>', url: `${ORIGIN}/turing/captcha/challenge?q=cats` }],
    ['a 429 after the retries', new TrawlError('TRAWL_HTTP_TRANSIENT', 'answered 429', { context: { status: 429 } })],
    ['a 403', new TrawlError('TRAWL_AUTH', 'answered 403', { context: { status: 403 } })],
    ['a 418', new TrawlError('TRAWL_HTTP_STATUS', 'answered 418', { context: { status: 418 } })],
    ['a Retry-After beyond the budget', new TrawlError('TRAWL_RATE_LIMITED', 'asked to wait 1h', { context: { status: 429 } })],
  ])('reports %s as TRAWL_RATE_LIMITED', async (_name, answer: PageAnswer) => {
    const error = await failure([answer]);
    expect(isTrawlError(error, 'TRAWL_RATE_LIMITED') && error.message).toMatch(/^bing_images: the service is rate-limiting requests/);
  });

  it('passes other HTTP failures through unchanged', async () => {
    const error = await failure([new TrawlError('TRAWL_HTTP_STATUS', 'answered 404', { context: { status: 404 } })]);
    expect(isTrawlError(error, 'TRAWL_HTTP_STATUS')).toBe(true);
  });

  it('reports markup without a.iusc tiles as TRAWL_PARSER_OUTDATED', async () => {
    const redesigned = '<div class="grid"><ul class="results"><li><img src="https://tse1.mm.bing.net/th?id=1"></li></ul></div>';
    const error = await failure([redesigned]);
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED') && error.message).toMatch(/^bing_images: \/images\/async response has no a\.iusc/);
  });

  it('reports tiles whose m JSON no longer has murl as TRAWL_PARSER_OUTDATED', async () => {
    const error = await failure([page(tile(1, { meta: { murl: undefined, mediaurl: 'https://x.test/1.jpg' } }))]);
    expect(isTrawlError(error, 'TRAWL_PARSER_OUTDATED')).toBe(true);
  });
});

describe('bing_images filters', () => {
  it('asks for images larger than one pixel less than the minimums (Bing keeps larger ones), with the aspect and safe search', async () => {
    const http = new FakeHttp([page(tile(1))]);
    const filters = { ...NO_FILTERS, minWidth: 1920, orientation: 'portrait' as const, safeSearch: false };
    await collectPages(source.search({ query: 'cats', kind: 'image', limit: 1, filters }, fakeContext(http, ENV)));
    expect(http.requests[0]?.url.searchParams.get('qft')).toBe(' filterui:imagesize-custom_1919_0 filterui:aspect-tall');
    expect(http.requests[0]?.url.searchParams.get('adlt')).toBe('off');
    expect(http.requests[0]?.url.search).toContain('qft=+filterui%3Aimagesize-custom_1919_0+filterui%3Aaspect-tall');
  });
});

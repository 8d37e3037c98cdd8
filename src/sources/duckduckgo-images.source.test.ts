import { describe, expect, it } from 'vitest';
import { TrawlError } from '../errors.js';
import { createDuckDuckGoImagesSource, duckduckgoImagesSource } from './duckduckgo-images.source.js';
import { collectPages, fakeContext, FakeHttp, type PageAnswer } from './fake-http.test-helper.js';

const ORIGIN = 'http://127.0.0.1:9103';
const ENV = { TRAWL_ORIGIN_DUCKDUCKGO_IMAGES: ORIGIN };
const VQD = '4-39911919969715559825435217871297706556';
const source = createDuckDuckGoImagesSource({ pageDelay: { minMs: 0, maxMs: 0 } });

/** The search page variants duckduckgo_search and imagedl read the token from. */
const PAGES = {
  ampersand: `<html><script>DDG.deep.initialize('/d.js?q=dogs&l=us-en&s=0&dl=en&ct=US&vqd=${VQD}&p_ent=&ex=-1&sp=0');</script></html>`,
  double: `<html><script>DDG.ready(function(){});var vqd="${VQD}";</script></html>`,
  single: `<html><script>window.vqd='${VQD}';</script></html>`,
  json: `<html><script>DDG.page=new DDG.Pages.SERP({"vqd":"${VQD}","q":"dogs"});</script></html>`,
};

/** The result imagedl's README records (tokens shortened by its author). */
const RECORDED = {
  height: 626,
  width: 626,
  image: 'https://img.freepik.com/premium-vector/cut-animal-cartoon-bundle-set_508290-2349.jpg',
  image_token: 'fbff471d31328',
  thumbnail: 'https://tse2.mm.bing.net/th/id/OIP.vD-8G0MjAMREv1bYbKaqEwHaHa',
  thumbnail_token: '4ca07ad2aab9',
  source: 'Bing',
  title: 'Premium Vector | Cut animal cartoon bundle set',
  url: 'https://www.freepik.com/premium-vector/cut-animal-cartoon-bundle-set_25750969.htm',
};

function results(from: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({ ...RECORDED, image: `https://img.test.invalid/${from + i}.jpg`, url: `https://pages.test.invalid/${from + i}` }));
}

function json(body: Record<string, unknown>): string {
  return JSON.stringify({ ads: null, query: 'dogs', queryEncoded: 'dogs', response_type: 'places', vqd: { dogs: VQD }, ...body });
}

const next = (offset: number): string => `i.js?q=dogs&o=json&p=1&s=${offset}&u=bing&f=,,,,,&l=us-en&vqd=${VQD}`;

async function failure(answers: PageAnswer[]): Promise<TrawlError> {
  const error = await collectPages(source.search({ query: 'dogs', kind: 'image', limit: 5 }, fakeContext(new FakeHttp(answers), ENV))).catch((err: unknown) => err);
  if (!(error instanceof TrawlError)) throw new Error(`expected a TrawlError, got ${String(error)}`);
  return error;
}

describe('duckduckgo_images: token and results', () => {
  it('gets the vqd from the search page, then asks /i.js with it and the Referer, and maps the recorded fields', async () => {
    const http = new FakeHttp([PAGES.ampersand, json({ results: [RECORDED] })]);
    const context = fakeContext(http, ENV);
    const found = (await collectPages(source.search({ query: 'dogs', kind: 'image', limit: 10 }, context))).flat();

    const [page, api] = http.requests;
    expect(`${page?.url.origin ?? ''}${page?.url.pathname ?? ''}`).toBe(`${ORIGIN}/`);
    expect(Object.fromEntries(page?.url.searchParams ?? [])).toEqual({ q: 'dogs', iax: 'images', ia: 'images', kp: '1' });
    expect(api?.url.pathname).toBe('/i.js');
    expect(Object.fromEntries(api?.url.searchParams ?? [])).toEqual({ o: 'json', q: 'dogs', l: 'us-en', vqd: VQD, p: '1', f: ',,,,,' });
    expect(api?.headers).toEqual({ Referer: `${ORIGIN}/`, Accept: '*/*' });
    expect(http.requests.every((r) => r.signal === context.signal)).toBe(true);

    expect(found).toEqual([
      {
        source: 'duckduckgo_images',
        kind: 'image',
        url: RECORDED.image,
        pageUrl: RECORDED.url,
        title: RECORDED.title,
        author: null,
        authorUrl: null,
        license: null,
        licenseUrl: null,
        licenseCode: null,
        width: 626,
        height: 626,
      },
    ]);
  });

  it.each(Object.entries(PAGES))('reads the token written as %s', async (_form, html) => {
    const http = new FakeHttp([html, json({ results: results(0, 1) })]);
    await collectPages(source.search({ query: 'dogs', kind: 'image', limit: 1 }, fakeContext(http, ENV)));
    expect(http.requests[1]?.url.searchParams.get('vqd')).toBe(VQD);
  });

  it('talks to duckduckgo.com with its own Referer when no override is configured, and not at all for videos', async () => {
    const http = new FakeHttp([PAGES.double, json({ results: results(0, 1) })]);
    await collectPages(duckduckgoImagesSource.search({ query: 'big dogs', kind: 'image', limit: 1 }, fakeContext(http)));
    expect(http.requests[0]?.url.href).toBe('https://duckduckgo.com/?q=big+dogs&iax=images&ia=images&kp=1');
    expect(http.requests[1]?.url.href).toBe(`https://duckduckgo.com/i.js?o=json&q=big+dogs&l=us-en&vqd=${VQD}&p=1&f=%2C%2C%2C%2C%2C`);
    expect(http.requests[1]?.headers.Referer).toBe('https://duckduckgo.com/');
    const none = new FakeHttp([]);
    expect(await collectPages(duckduckgoImagesSource.search({ query: 'dogs', kind: 'video', limit: 5 }, fakeContext(none)))).toEqual([]);
    expect(none.requests).toHaveLength(0);
  });

  it('skips results without an image URL and leaves missing fields empty', async () => {
    const sparse = [{ image: 'https://img.test.invalid/a.jpg' }, { ...RECORDED, image: null }, { ...RECORDED, image: 'https://img.test.invalid/b.jpg', width: 0, height: null, title: '  ', url: 'not a url' }];
    const found = (await collectPages(source.search({ query: 'dogs', kind: 'image', limit: 10 }, fakeContext(new FakeHttp([PAGES.single, json({ results: sparse })]), ENV)))).flat();
    expect(found.map((c) => [c.url, c.pageUrl, c.title, c.width, c.height])).toEqual([
      ['https://img.test.invalid/a.jpg', null, null, null, null],
      ['https://img.test.invalid/b.jpg', null, null, null, null],
    ]);
  });
});

describe('duckduckgo_images: paging', () => {
  it('follows next (relative to the site), pausing between pages, until the limit', async () => {
    const http = new FakeHttp((url) => {
      if (url.pathname === '/') return PAGES.json;
      const offset = Number(url.searchParams.get('s') ?? 0);
      return json({ results: results(offset, 100), next: next(offset + 100) });
    });
    const paced = createDuckDuckGoImagesSource({ pageDelay: { minMs: 60, maxMs: 60 } });
    const started = Date.now();
    const pages = await collectPages(paced.search({ query: 'dogs', kind: 'image', limit: 250 }, fakeContext(http, ENV)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
    expect(http.requests.slice(2).map((r) => `${r.url.origin}${r.url.pathname}?s=${r.url.searchParams.get('s') ?? ''}&vqd=${r.url.searchParams.get('vqd') ?? ''}`)).toEqual([
      `${ORIGIN}/i.js?s=100&vqd=${VQD}`,
      `${ORIGIN}/i.js?s=200&vqd=${VQD}`,
    ]);
    expect(http.requests.slice(1).every((r) => r.headers.Referer === `${ORIGIN}/`)).toBe(true);
  });

  it('stops without next, on an empty page, on a next that leaves the site or repeats, and adds a missing vqd', async () => {
    const last = new FakeHttp([PAGES.double, json({ results: results(0, 3) })]);
    expect((await collectPages(source.search({ query: 'dogs', kind: 'image', limit: 50 }, fakeContext(last, ENV)))).flat()).toHaveLength(3);
    expect(last.requests).toHaveLength(2);

    const empty = new FakeHttp([PAGES.double, json({ results: results(0, 3), next: next(3) }), json({ results: [], next: next(6) })]);
    expect((await collectPages(source.search({ query: 'dogs', kind: 'image', limit: 50 }, fakeContext(empty, ENV)))).flat()).toHaveLength(3);
    expect(empty.requests).toHaveLength(3);

    const away = new FakeHttp([PAGES.double, json({ results: results(0, 3), next: 'http://127.0.0.2:9/i.js?s=3' })]);
    await collectPages(source.search({ query: 'dogs', kind: 'image', limit: 50 }, fakeContext(away, ENV)));
    expect(away.requests).toHaveLength(2);

    const noToken = new FakeHttp([PAGES.double, json({ results: results(0, 3), next: 'i.js?q=dogs&o=json&s=3' }), json({ results: results(3, 3), next: 'i.js?q=dogs&o=json&s=3' })]);
    const found = (await collectPages(source.search({ query: 'dogs', kind: 'image', limit: 50 }, fakeContext(noToken, ENV)))).flat();
    expect(found).toHaveLength(6);
    expect(noToken.requests).toHaveLength(3);
    expect(noToken.requests[2]?.url.searchParams.get('vqd')).toBe(VQD);
  });
});

describe('duckduckgo_images: refusals and format changes', () => {
  const limited = (error: TrawlError, how: string): void => {
    expect(error.code).toBe('TRAWL_RATE_LIMITED');
    expect(error.message).toContain(`duckduckgo_images: the service is rate-limiting requests (${how}`);
  };

  it('reports 403, 418, 429 (retries spent) and 202 answers from /i.js as rate limiting', async () => {
    const url = `${ORIGIN}/i.js`;
    limited(await failure([PAGES.double, new TrawlError('TRAWL_AUTH', `${url} refused the request with 403`, { context: { status: 403, url } })]), 'HTTP 403');
    limited(await failure([PAGES.double, new TrawlError('TRAWL_HTTP_STATUS', `${url} answered 418`, { context: { status: 418, url } })]), 'HTTP 418');
    limited(await failure([PAGES.double, new TrawlError('TRAWL_HTTP_TRANSIENT', `${url} answered 429`, { context: { status: 429, url } })]), 'HTTP 429)');
    limited(await failure([PAGES.double, { body: '', status: 202 }]), 'HTTP 202');
    limited(await failure([new TrawlError('TRAWL_HTTP_TRANSIENT', 'answered 429', { context: { status: 429 } })]), 'HTTP 429');
  });

  it('tells a bot check from a missing token on the search page', async () => {
    limited(await failure(['<html><div class="anomaly-modal__title">Unfortunately, bots use DuckDuckGo too.</div></html>']), 'a bot-check page');
    const outdated = await failure(['<html><script>DDG.page = new DDG.Pages.SERP({});</script></html>']);
    expect(outdated.code).toBe('TRAWL_PARSER_OUTDATED');
    expect(outdated.message).toContain('duckduckgo_images: search page (/?q=) response has no vqd token');
  });

  it('reports /i.js answers without results[] as TRAWL_PARSER_OUTDATED, and a bot check there as rate limiting', async () => {
    const notJson = await failure([PAGES.double, 'DDG.inject("images", [])']);
    expect(notJson.code).toBe('TRAWL_PARSER_OUTDATED');
    expect(notJson.message).toContain('duckduckgo_images: /i.js response has no JSON body');
    const reshaped = await failure([PAGES.double, JSON.stringify({ items: results(0, 2) })]);
    expect(reshaped.code).toBe('TRAWL_PARSER_OUTDATED');
    expect(reshaped.message).toContain('duckduckgo_images: /i.js response has no results[] array');
    limited(await failure([PAGES.double, '<html><form id="challenge-form"></form></html>']), 'a bot-check page');
  });
});

// A Trawl source from outside the package: copy this file, point TRAWL_SOURCES_PATH at it and
// `trawl sources` lists `lorem_images` next to the built-ins. docs/sources.md ("Writing a source")
// walks through it. It is plain ESM with no imports: Trawl hands it everything it needs in the
// SourceContext (the HTTP client with the SSRF guard, the source's budget as `signal`, the config).
//
// The service it searches is a tiny JSON API:
//   GET /api/search?q=<query>&page=<n>&per_page=<k>
//   → { "results": [{ "id", "image", "page", "title", "author", "license", "width", "height" }], "more": true|false }

/** The licence names the service uses, as Trawl's licence codes (CONTRACT.md "Filters"). */
const LICENSE_CODES = { 'CC0 1.0': 'cc0', 'Public Domain Mark 1.0': 'pdm', 'CC BY 4.0': 'cc-by', 'CC BY-SA 4.0': 'cc-by-sa' };
const PER_PAGE = 20;

/** @type {import('trawl').Source} */
export default {
  id: 'lorem_images',
  displayName: 'Lorem Images',
  kinds: ['image'],
  licensePolicy: 'per item: CC0, public domain or CC BY(-SA), stated by the service',
  statesLicenses: true,
  // Filters this service cannot apply: Trawl checks every filter itself anyway.
  pushdown: [],
  // A polite pause between pages; 429 is always a refusal, and this service sends no quota headers.
  requests: { pageDelay: { minMs: 50, maxMs: 100 }, refusalStatuses: [], quotaHeaders: null },
  // The real service; TRAWL_ORIGIN_LOREM_IMAGES replaces it (a mirror, a test server).
  defaultOrigin: 'https://lorem-images.example',

  async *search(request, context) {
    const origin = context.config.origins[this.id] ?? this.defaultOrigin;
    let given = 0;
    for (let page = 1; given < request.limit; page++) {
      const url = new URL('/api/search', origin);
      url.search = new URLSearchParams({ q: request.query, page: String(page), per_page: String(PER_PAGE) }).toString();
      // Pass the budget: when the source's time runs out, the request ends at once.
      const { data } = await context.http.getJson(url.href, { signal: context.signal });
      if (!data || !Array.isArray(data.results)) throw new Error(`lorem_images: unexpected answer from ${url.href}`);
      const candidates = data.results.slice(0, request.limit - given).map(toCandidate);
      given += candidates.length;
      if (candidates.length > 0) yield candidates;
      if (!data.more || data.results.length === 0) return;
    }
  },
};

function toCandidate(result) {
  const license = typeof result.license === 'string' ? result.license : null;
  return {
    source: 'lorem_images',
    kind: 'image',
    url: String(result.image),
    pageUrl: typeof result.page === 'string' ? result.page : null,
    title: typeof result.title === 'string' ? result.title : null,
    author: typeof result.author === 'string' ? result.author : null,
    authorUrl: null,
    license,
    licenseUrl: null,
    licenseCode: (license && LICENSE_CODES[license]) ?? null,
    width: Number.isInteger(result.width) ? result.width : null,
    height: Number.isInteger(result.height) ? result.height : null,
  };
}

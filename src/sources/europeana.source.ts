/**
 * Europeana (https://pro.europeana.eu/page/search, SOURCES.md §15): the Search API for openly
 * reusable images (`reusability=open`, `qf=TYPE:IMAGE`, `media=true`), the key in the `X-Api-Key`
 * header so it never travels in a URL, paged by `cursor`. Each item's file is its provider's
 * `edmIsShownBy`, on any host; its licence is its `rights` URL.
 */
import type { Candidate, LicenseCode } from '../domain.js';
import { apiUrl } from './api-url.js';
import { filtersOf, licenseAllows } from './filter-params.js';
import { licenseCodeOfUrl } from './license-codes.js';
import { asRecord, httpUrl, type JsonRecord, parserOutdated, records, str } from './parse.js';
import { sourceRequests } from './source-request.js';
import { requireKey, type SearchRequest, type Source, type SourceContext } from './source.js';

const KEY_VAR = 'EUROPEANA_API_KEY';
const ENDPOINT = '/record/v2/search.json';
/** The API's maximum for `rows`. */
const MAX_ROWS = 100;
/** What `reusability=open` covers (Europeana: PDM, CC0, CC BY, CC BY-SA). */
const OPEN_CODES: readonly LicenseCode[] = ['pdm', 'cc0', 'cc-by', 'cc-by-sa'];

/** Openly licensed and public-domain images from Europe's cultural heritage; needs `EUROPEANA_API_KEY`. */
export const europeanaSource: Source = {
  id: 'europeana',
  displayName: 'Europeana',
  kinds: ['image'],
  keyVar: KEY_VAR,
  statesLicenses: true,
  pushdown: [],
  requests: { pageDelay: null, refusalStatuses: [], quotaHeaders: null },
  licensePolicy: 'Only items their institution marks as open (Public Domain Mark, CC0, CC BY, CC BY-SA), each with its own rights statement.',
  defaultOrigin: 'https://api.europeana.eu',
  search,
};

async function* search(request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  const filters = filtersOf(request);
  if (request.kind !== 'image' || request.limit <= 0) return;
  // Europeana is asked for open works only: when none of them could pass the filter, ask nothing.
  if (!OPEN_CODES.some((code) => licenseAllows(filters, code))) return;
  const key = requireKey({ id: 'europeana', keyVar: KEY_VAR }, context.config);
  const requests = sourceRequests(europeanaSource, context);
  const rows = Math.min(request.limit, MAX_ROWS);
  const asked = new Set<string>();
  let cursor: string | null = '*';
  let remaining = request.limit;
  while (cursor !== null && remaining > 0 && !asked.has(cursor)) {
    asked.add(cursor);
    const params = { query: request.query, qf: 'TYPE:IMAGE', media: 'true', reusability: 'open', rows, cursor };
    const { data } = await requests.json(apiUrl(europeanaSource, context.config, ENDPOINT, params), { 'X-Api-Key': key });
    const body = asRecord(data);
    if (body === undefined || body.success !== true || !Array.isArray(body.items)) throw parserOutdated('europeana', ENDPOINT, 'success: true with an items[] array');
    const candidates = records(body.items)
      .map(itemCandidate)
      .filter((c): c is Candidate => c !== null)
      .slice(0, remaining);
    remaining -= candidates.length;
    if (candidates.length > 0) yield candidates;
    cursor = body.items.length === 0 ? null : str(body.nextCursor);
  }
}

/**
 * An item with an open rights mark and a full media file, else null (never downloaded). The
 * item's `link` and the answer's `apikey` carry the key: they are never read.
 */
function itemCandidate(item: JsonRecord): Candidate | null {
  const rights = httpUrl(first(item.rights));
  const code = licenseCodeOfUrl(rights);
  const url = httpUrl(first(item.edmIsShownBy));
  if (code === null || rights === null || url === null) return null;
  return {
    source: 'europeana',
    kind: 'image',
    url,
    pageUrl: pageUrlOf(item),
    title: str(first(item.title)),
    author: authorOf(item),
    authorUrl: null,
    license: rightsName(rights, code),
    licenseUrl: rights,
    licenseCode: code,
    width: null,
    height: null,
  };
}

/** The first entry of a list field (almost every Europeana field is a list); a plain value as is. */
function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** `guid` without its `utm_*` parameters, else the item page built from the record id. */
function pageUrlOf(item: JsonRecord): string | null {
  const guid = httpUrl(item.guid);
  if (guid !== null) {
    const url = new URL(guid);
    for (const name of [...url.searchParams.keys()]) if (name.startsWith('utm_')) url.searchParams.delete(name);
    return url.href;
  }
  const id = str(item.id);
  return id === null ? null : `https://www.europeana.eu/item${id.startsWith('/') ? '' : '/'}${id}`;
}

/** `dcCreator` unless it is a URI (providers put entity links there), else the agent label, else the providing institution. */
function authorOf(item: JsonRecord): string | null {
  const creator = str(first(item.dcCreator));
  if (creator !== null && !/^[a-z][a-z0-9+.-]*:\/\//i.test(creator)) return creator;
  return str(asRecord(first(item.edmAgentLabel))?.def) ?? str(first(item.dataProvider));
}

/** "CC BY-SA 4.0", "CC0 1.0", "Public Domain Mark 1.0" from the rights URL. */
function rightsName(rights: string, code: LicenseCode): string {
  const version = /\/(\d+(?:\.\d+)*)\/?/.exec(new URL(rights).pathname)?.[1];
  const name = code === 'cc0' ? 'CC0' : code === 'pdm' ? 'Public Domain Mark' : code.toUpperCase().replace(/^CC-/, 'CC ');
  return version === undefined ? name : `${name} ${version}`;
}

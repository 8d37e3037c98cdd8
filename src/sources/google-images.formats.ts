/**
 * Readers for the generations of Google Images result pages SOURCES.md §8 records, tried from the
 * newest to the oldest on every page, so a page in any of them still yields its images:
 * 1. internal JSON (`{"ischj":{"metadata":[…]}}`, 2022–2025 async answers);
 * 2. result arrays in the page's scripts (`[1,[0,"docid",["thumb",h,w],["full",h,w],…,{"2003":[…]}]]`,
 *    the same shape inside AF_initDataCallback (2020–2023) and the udm=2 page (2024–));
 * 3. `/imgres?imgurl=…&imgrefurl=…&w=…&h=…` links (basic and feature-phone HTML);
 * 4. legacy `<div class="rg_meta">{"ou":…}</div>` (≤2019).
 */
import { asRecord, dimension, httpUrl, type JsonRecord, records, str } from './parse.js';
import { decodeAttribute, decodeEntities } from './text.js';

/** One image result, whichever format it came from. */
export interface GoogleImage {
  /** The full-size image on its own site (never Google's thumbnail). */
  url: string;
  pageUrl: string | null;
  title: string | null;
  /** Only the internal JSON names one (IPTC creator). */
  author: string | null;
  width: number | null;
  height: number | null;
}

/** The images on a result page in the first format that has any; empty when none does. */
export function parseGoogleImages(html: string): GoogleImage[] {
  const readers = [
    ischjImages,
    arrayImages,
    // Some page variants carry the arrays inside a JS string literal: one level of escaping more.
    (text: string) => (text.includes('\\"') ? arrayImages(unescapeJs(text)) : []),
    imgresImages,
    rgMetaImages,
  ];
  for (const read of readers) {
    const images = distinct(read(html));
    if (images.length > 0) return images;
  }
  return [];
}

/**
 * What a refusal page is — the `/sorry/` captcha, "unusual traffic", the consent wall — or null
 * for any other page. Asked only of pages without images: real result pages link the consent page too.
 */
export function googleChallenge(html: string, answeredUrl: string): string | null {
  const url = httpUrl(answeredUrl);
  const where = url === null ? null : new URL(url);
  if (where?.pathname.startsWith('/sorry/') || /id="captcha-form"|g-recaptcha|unusual traffic from your computer network/i.test(html)) {
    return 'a captcha / "unusual traffic" page';
  }
  if (where?.hostname.startsWith('consent.') || /Before you continue to Google|consent\.google\.com\/save/i.test(html)) return 'a cookie-consent page';
  return null;
}

/** Whether a page without images is Google's own "did not match any image results". */
export function isNoResultsPage(html: string): boolean {
  return /did not match any (?:image results|documents)|No results found for/i.test(html);
}

/** What a page of any format looks like, for the "format changed" error. */
export const KNOWN_FORMATS = 'image results (ischj JSON, ["url",height,width] result arrays, /imgres links or rg_meta blocks)';

/**
 * A JS/JSON string literal's content with its escapes resolved: `\u003d` → `=`, `\x26` → `&`,
 * `\"` → `"`. Google writes URLs in its scripts with `=` and `&` escaped this way.
 */
export function unescapeJs(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (_whole, escape: string) => {
    if (escape.length > 1) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return SIMPLE_ESCAPES[escape] ?? escape;
  });
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' };

// --- 1. internal JSON -------------------------------------------------------------------------

function ischjImages(text: string): GoogleImage[] {
  const start = text.indexOf('{"ischj":');
  if (start < 0) return [];
  const metadata = asRecord(asRecord(jsonValueAt(text, start))?.ischj)?.metadata;
  return records(metadata).flatMap((entry) => {
    const original = asRecord(entry.original_image);
    const result = asRecord(entry.result);
    const url = httpUrl(original?.url);
    if (url === null) return [];
    return [{
      url,
      pageUrl: httpUrl(result?.referrer_url),
      title: str(result?.page_title),
      author: str(asRecord(result?.iptc)?.creator),
      width: dimension(original?.width),
      height: dimension(original?.height),
    }];
  });
}

/** The JSON object or array starting at `start` (strings respected), or undefined when it does not parse. */
function jsonValueAt(text: string, start: number): unknown {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return parseJson(text.slice(start, i + 1));
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// --- 2. result arrays ----------------------------------------------------------------------------

const S = String.raw`\s*`;
const STRING = String.raw`"((?:[^"\\]|\\.)*)"`;
const URL_STRING = String.raw`"(https?:(?:[^"\\]|\\.)+)"`;
/** `["https://…",height,width]` (google-img-scrap reads the integers as height, width; recordings agree). */
const SIZED_URL = String.raw`\[${S}${URL_STRING}${S},${S}(\d+)${S},${S}(\d+)${S}\]`;
/** `[0,"docid",[thumbnail…],[full image…]`: the thumbnail is told apart by its place, not its host. */
const ITEM = new RegExp(String.raw`\[${S}\d+${S},${S}"[\w-]+"${S},${S}${SIZED_URL}${S},${S}${SIZED_URL}`, 'g');
const LONE_SIZED_URL = new RegExp(SIZED_URL, 'g');
/** `"2003":[null,"id","page URL","title",…]`: the result's source page. */
const PAGE_INFO = new RegExp(String.raw`"2003"${S}:${S}\[${S}null${S},${S}"[^"]*"${S},${S}${URL_STRING}${S},${S}${STRING}`);

interface SizedUrl {
  at: number;
  url: string;
  height: string;
  width: string;
}

/** Results by their `[0,"docid",thumb,full]` head; failing that, every sized URL that is not a thumbnail. */
function arrayImages(text: string): GoogleImage[] {
  const items = [...text.matchAll(ITEM)].map((m) => ({ at: m.index, url: m[4] ?? '', height: m[5] ?? '', width: m[6] ?? '' }));
  if (items.length > 0) return withPageInfo(text, items);
  const loose = [...text.matchAll(LONE_SIZED_URL)]
    .map((m) => ({ at: m.index, url: m[1] ?? '', height: m[2] ?? '', width: m[3] ?? '' }))
    .filter((found) => !isThumbnail(unescapeJs(found.url)));
  return withPageInfo(text, loose);
}

/** Each image with the page info found between it and the next one. */
function withPageInfo(text: string, found: readonly SizedUrl[]): GoogleImage[] {
  return found.flatMap((item, i) => {
    const url = httpUrl(unescapeJs(item.url));
    if (url === null) return [];
    const info = PAGE_INFO.exec(text.slice(item.at, found[i + 1]?.at ?? text.length));
    return [{
      url,
      pageUrl: info?.[1] === undefined ? null : httpUrl(unescapeJs(info[1])),
      title: info?.[2] === undefined ? null : str(decodeEntities(unescapeJs(info[2]))),
      author: null,
      height: dimension(Number(item.height)),
      width: dimension(Number(item.width)),
    }];
  });
}

/** Google's own thumbnails (`encrypted-tbn0.gstatic.com/images?q=tbn:…`), never the image itself. */
function isThumbnail(url: string): boolean {
  return /^https?:\/\/encrypted-tbn\d*\.gstatic\.com\//i.test(url) || /[?&]q=tbn:/i.test(url);
}

// --- 3. /imgres links ----------------------------------------------------------------------------

const IMGRES = /\/imgres\?((?:[^"'\s<>\\]|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4})+)/g;

function imgresImages(text: string): GoogleImage[] {
  return [...text.matchAll(IMGRES)].flatMap((m) => {
    const params = new URLSearchParams(decodeAttribute(unescapeJs(m[1] ?? '')));
    const url = httpUrl(params.get('imgurl'));
    if (url === null) return [];
    return [{
      url,
      pageUrl: httpUrl(params.get('imgrefurl')),
      title: null,
      author: null,
      width: dimension(Number(params.get('w'))),
      height: dimension(Number(params.get('h'))),
    }];
  });
}

// --- 4. legacy rg_meta ---------------------------------------------------------------------------

const RG_META = /<div\b[^>]*\bclass="rg_meta\b[^"]*"[^>]*>([\s\S]*?)<\/div>/g;

function rgMetaImages(text: string): GoogleImage[] {
  return [...text.matchAll(RG_META)].flatMap((m) => {
    const raw = m[1] ?? '';
    const meta: JsonRecord | undefined = asRecord(parseJson(raw)) ?? asRecord(parseJson(decodeEntities(raw)));
    const url = httpUrl(meta?.ou);
    if (meta === undefined || url === null) return [];
    return [{ url, pageUrl: httpUrl(meta.ru), title: str(meta.pt), author: null, width: dimension(meta.ow), height: dimension(meta.oh) }];
  });
}

/** The first of each image URL (pages repeat results in their "related" strips). */
function distinct(images: GoogleImage[]): GoogleImage[] {
  const seen = new Set<string>();
  return images.filter((image) => {
    if (seen.has(image.url)) return false;
    seen.add(image.url);
    return true;
  });
}

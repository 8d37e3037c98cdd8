/**
 * Reading Bing's image-result markup without an HTML parser: a tag scanner that honours quoted
 * attribute values (which may contain `>`), whatever the attribute order, quoting or class list.
 * Each result is an `a.iusc` link whose `m` attribute holds HTML-escaped JSON (murl, purl, t, …);
 * the markup after the link, up to the next result, holds the info line and, on newer pages, the
 * title.
 */
import { asRecord, type JsonRecord } from './parse.js';
import { decodeAttribute, stripHtml } from './text.js';

/** One result tile as found in the markup. */
export interface BingTile {
  /** The `m` attribute's JSON, or null when the attribute is missing or is not a JSON object. */
  meta: JsonRecord | null;
  /** The link's `href` (entities decoded): the detail view carrying `expw`/`exph`. */
  href: string | null;
  /** `W x H` from the tile's info line (`span.nowrap`, "3442 x 2972 · png"), when present. */
  infoSize: { width: number; height: number } | null;
  /** The visible title (`div.infnmpt a`, newer pages), when present. */
  caption: string | null;
}

// A start tag: quoted values may hold `>`, so they are consumed whole.
const START_TAG = /<([a-z][a-z0-9]*)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
const ATTRIBUTE = /([^\s=/"'>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

interface Tag {
  name: string;
  attributes: Map<string, string>;
  start: number;
  end: number;
}

// Scripts, styles and comments may hold `<a …` in strings; they are blanked (same length, so offsets hold).
const OPAQUE = /<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->/gi;

/** A page ready to scan: markup with its opaque parts blanked, and its start tags. */
interface Scan {
  html: string;
  tags: Tag[];
}

function scan(raw: string): Scan {
  const html = raw.replace(OPAQUE, (whole) => ' '.repeat(whole.length));
  return { html, tags: startTags(html) };
}

/** Every start tag in `html`, attributes keyed by lower-case name, values entity-decoded. */
function startTags(html: string): Tag[] {
  const tags: Tag[] = [];
  for (const match of html.matchAll(START_TAG)) {
    const attributes = new Map<string, string>();
    for (const attr of (match[2] ?? '').matchAll(ATTRIBUTE)) {
      const name = (attr[1] ?? '').toLowerCase();
      if (!attributes.has(name)) attributes.set(name, decodeAttribute(attr[2] ?? attr[3] ?? attr[4] ?? ''));
    }
    tags.push({ name: (match[1] ?? '').toLowerCase(), attributes, start: match.index, end: match.index + match[0].length });
  }
  return tags;
}

function hasClass(tag: Tag, name: string): boolean {
  return (tag.attributes.get('class') ?? '').split(/\s+/).includes(name);
}

/** The result tiles of a page, in page order (an empty array when there are none). */
export function readTiles(html: string): BingTile[] {
  const page = scan(html);
  const links = page.tags.filter((tag) => tag.name === 'a' && hasClass(tag, 'iusc'));
  return links.map((link, i) => {
    const until = links[i + 1]?.start ?? page.html.length;
    const after = page.tags.filter((tag) => tag.start >= link.end && tag.start < until);
    return {
      meta: parseMeta(link.attributes.get('m')),
      href: link.attributes.get('href') ?? null,
      infoSize: infoSize(page, after, until),
      caption: caption(page, after, until),
    };
  });
}

function parseMeta(value: string | undefined): JsonRecord | null {
  if (value === undefined) return null;
  try {
    return asRecord(JSON.parse(value)) ?? null;
  } catch {
    return null;
  }
}

/** Where the next `</name` after `tag` starts (nesting is not tracked), or the end of the page. */
function closeOf(page: Scan, tag: Tag): number {
  const closing = new RegExp(`</${tag.name}\\b`, 'gi');
  closing.lastIndex = tag.end;
  return closing.exec(page.html)?.index ?? page.html.length;
}

/** The text from the end of `tag` up to its closing tag (or `until`). */
function innerText(page: Scan, tag: Tag, until: number): string {
  return stripHtml(page.html.slice(tag.end, Math.min(closeOf(page, tag), until)));
}

function infoSize(page: Scan, tags: readonly Tag[], until: number): { width: number; height: number } | null {
  const span = tags.find((tag) => tag.name === 'span' && hasClass(tag, 'nowrap'));
  if (span === undefined) return null;
  const match = /(\d{1,6})\s*[x×]\s*(\d{1,6})/i.exec(innerText(page, span, until));
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  return width > 0 && height > 0 ? { width, height } : null;
}

function caption(page: Scan, tags: readonly Tag[], until: number): string | null {
  const box = tags.find((tag) => hasClass(tag, 'infnmpt'));
  const link = box === undefined ? undefined : tags.find((tag) => tag.name === 'a' && tag.start > box.start);
  if (link === undefined) return null;
  const text = innerText(page, link, until);
  return text === '' ? null : text;
}

// Bing's bot checks: a challenge page instead of results.
const CHALLENGE = /\/turing\/captcha|\bcaptcha\b|unusual traffic|verify (?:that )?you are (?:a )?human|are you a robot/i;
// How Bing words an empty search ("There are no results for …", "We didn't find any results …").
const NO_RESULTS = /\bno results for\b|didn['’]t find any results|did not match any/i;

/** What a page without tiles is when it is a bot check (captcha or challenge) rather than an answer, else null. */
export function bingChallenge(html: string, url: string): string | null {
  return CHALLENGE.test(url) || CHALLENGE.test(html.replace(OPAQUE, ' ')) ? 'a captcha page' : null;
}

/**
 * Whether a page without tiles genuinely says "nothing (more)": an empty body (how `/images/async`
 * ends paging), Bing's no-results wording, or a result list with no entries.
 */
export function isEmptyAnswer(html: string): boolean {
  if (html.trim() === '' || NO_RESULTS.test(stripHtml(html))) return true;
  const page = scan(html);
  const list = page.tags.find((tag) => hasClass(tag, 'dgControl_list'));
  if (list === undefined) return false;
  const end = closeOf(page, list);
  return !page.tags.some((tag) => tag.name === 'li' && tag.start > list.start && tag.start < end);
}

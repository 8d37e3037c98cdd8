/**
 * Plain text from the HTML fragments some APIs put in metadata (Wikimedia's `extmetadata`:
 * an artist as `<a href=…>`, descriptions with markup and entities) and from scraped pages.
 * Entities are decoded as a browser does (the `entities` package: every HTML5 named reference,
 * decimal and hex references, and the legacy names browsers accept without `;`).
 */
import { decodeHTML, decodeHTMLAttribute } from 'entities';

/** `decodeURIComponent`, or the text unchanged when it is not valid percent-encoding. */
export function decodeUriSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// Tags that separate words; inline tags (a, b, span, …) join them, so "<b>X</b>, Y" stays "X, Y".
const BREAKING_TAG = /<\/?(?:br|p|div|li|ul|ol|tr|td|th|table|h[1-6])\b[^>]*>/gi;

/**
 * Decodes the character references of HTML text: `Jos&eacute;` → "José", `&#x1F600;` → "😀",
 * `&copy 2024` → "© 2024". Unknown names stay as written.
 */
export function decodeEntities(text: string): string {
  return decodeHTML(text);
}

/**
 * Decodes an attribute value (an `href`, a JSON `m="…"`): as in a browser, a legacy name without
 * `;` followed by `=` or a letter stays as written, so `?a=1&copy=2` keeps its parameter.
 */
export function decodeAttribute(value: string): string {
  return decodeHTMLAttribute(value);
}

/**
 * The readable text of an HTML fragment: scripts, styles, comments and tags removed, entities
 * decoded, whitespace collapsed and trimmed. Entities are decoded last, so an escaped `&lt;b&gt;`
 * stays visible as `<b>` text rather than being mistaken for markup.
 */
export function stripHtml(html: string): string {
  const withoutTags = html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(BREAKING_TAG, ' ')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(withoutTags).replace(/\s+/g, ' ').trim();
}

/** The `href` of the first link in an HTML fragment (entities decoded), or null when there is none. */
export function firstLinkHref(html: string): string | null {
  const match = /<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(html);
  const href = match?.[1] ?? match?.[2] ?? match?.[3];
  return href === undefined ? null : decodeAttribute(href).trim() || null;
}

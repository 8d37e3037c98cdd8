/** `decodeURIComponent`, or the text unchanged when it is not valid percent-encoding. */
export function decodeUriSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Plain text from the HTML fragments some APIs put in metadata (Wikimedia's `extmetadata`:
 * an artist as `<a href=…>`, descriptions with markup and entities).
 */

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '\u2013',
  mdash: '\u2014',
  hellip: '\u2026',
  copy: '\u00a9',
};

// Tags that separate words; inline tags (a, b, span, …) join them, so "<b>X</b>, Y" stays "X, Y".
const BREAKING_TAG = /<\/?(?:br|p|div|li|ul|ol|tr|td|th|table|h[1-6])\b[^>]*>/gi;

/** Decodes named (`&amp;`, `&nbsp;`, …), decimal (`&#39;`) and hex (`&#x27;`) character references. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
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
  return href === undefined ? null : decodeEntities(href).trim() || null;
}

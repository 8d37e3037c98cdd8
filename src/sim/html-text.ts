/** Text for the HTML pages the scraped sources' routes answer with (Google's results page, DuckDuckGo's search page). */
import { type Payload, textPayload } from './payload.js';

/** `text` safe inside HTML text and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** An HTML answer (`text/html; charset=utf-8`). */
export function htmlPayload(status: number, html: string, headers: Record<string, string> = {}): Payload {
  return textPayload(status, html, 'text/html; charset=utf-8', headers);
}

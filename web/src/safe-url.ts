/**
 * Decides whether a URL that came over the network may go into an `href` or `src`. Only http(s)
 * URLs and this server's own `/api/` paths pass, so a `javascript:` or `data:` URL in an item's
 * metadata can never run or render in the dashboard.
 */

/**
 * The URL to use, or undefined when it must not be used. `origin` is the dashboard's own origin
 * (`window.location.origin`); relative paths are accepted only when they stay under `/api/` on it.
 */
export function safeUrl(value: string | null | undefined, origin: string): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    if (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) {
      const url = new URL(value, origin);
      return url.origin === origin && url.pathname.startsWith('/api/') ? `${url.pathname}${url.search}` : undefined;
    }
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

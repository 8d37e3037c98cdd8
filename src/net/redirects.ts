import { TrawlError } from '../errors.js';

/** Statuses followed by hand; every hop is a new, untrusted URL. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Headers that must not travel to another origin (fetch standard): the API key stays home. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** Parses a URL we are asked to fetch; only http and https pass (TRAWL_BAD_URL otherwise). */
export function parseRequestUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    throw new TrawlError('TRAWL_BAD_URL', `not a valid URL: ${JSON.stringify(text)}`, { cause: err, context: { url: text } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TrawlError('TRAWL_BAD_URL', `only http and https URLs can be fetched, not ${url.protocol} (${text})`, { context: { url: text } });
  }
  url.hash = '';
  return url;
}

/**
 * The next URL of a redirect chain: `location` resolved against `current`, http/https only
 * (TRAWL_BAD_REDIRECT). `hops` counts this redirect (1-based); more than `maxRedirects`, or a URL
 * already in `seen`, is TRAWL_TOO_MANY_REDIRECTS. The returned URL is added to `seen`.
 */
export function nextHop(current: URL, location: string | undefined, seen: Set<string>, hops: number, maxRedirects: number): URL {
  const context = { url: current.href, location };
  if (location === undefined || location.trim() === '') {
    throw new TrawlError('TRAWL_BAD_REDIRECT', `${current.href} redirected without a Location header`, { context });
  }
  let next: URL;
  try {
    next = new URL(location.trim(), current);
  } catch (err) {
    throw new TrawlError('TRAWL_BAD_REDIRECT', `${current.href} redirected to an invalid Location ${JSON.stringify(location)}`, { cause: err, context });
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new TrawlError('TRAWL_BAD_REDIRECT', `${current.href} redirected to a ${next.protocol} URL; only http and https are followed`, { context });
  }
  next.hash = '';
  if (hops > maxRedirects) {
    throw new TrawlError('TRAWL_TOO_MANY_REDIRECTS', `${current.href} redirected more than ${maxRedirects} times (TRAWL_MAX_REDIRECTS)`, { context: { ...context, hops } });
  }
  if (seen.has(next.href)) {
    throw new TrawlError('TRAWL_TOO_MANY_REDIRECTS', `redirect loop: ${current.href} sent us back to ${next.href}`, { context: { ...context, hops } });
  }
  seen.add(next.href);
  return next;
}

/** The request headers for the next hop: credentials are dropped when the origin changes. */
export function headersForHop(headers: Record<string, string>, from: URL, to: URL): Record<string, string> {
  if (from.origin === to.origin) return headers;
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name.toLowerCase())));
}

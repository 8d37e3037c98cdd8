import type { Config } from '../config/config.js';
import { apiOrigin, type Source } from './source.js';

/**
 * A request URL on the source's API origin (the `TRAWL_ORIGIN_<ID>` override when configured),
 * with the path and query parameters exactly as the real service expects them.
 */
export function apiUrl(
  source: Pick<Source, 'id' | 'defaultOrigin'>,
  config: Config,
  path: string,
  params: Readonly<Record<string, string | number>>,
): string {
  const url = new URL(path, apiOrigin(source, config));
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
  return url.href;
}

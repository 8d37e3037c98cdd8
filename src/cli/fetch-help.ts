import type { Source } from '../sources/source.js';

/**
 * The end of `trawl fetch --help`: every source id (what it offers, the key it needs) and the
 * forms a duration takes, so a first run needs no other page.
 */
export function fetchHelpText(sources: readonly Source[]): string {
  const width = Math.max(...sources.map((source) => source.id.length));
  const lines = sources.map((source) => `  ${source.id.padEnd(width)}  ${source.kinds.join('+').padEnd(11)}  ${source.keyVar === undefined ? 'no key needed' : `needs ${source.keyVar}`}`);
  return [
    '',
    'Sources (--sources takes a comma-separated list; default: every configured one, see trawl sources):',
    ...lines,
    '',
    'Durations (--request-timeout, --source-timeout, --job-timeout):',
    '  500ms, 10s, 5m, 1h, or a bare number of seconds',
  ].join('\n');
}

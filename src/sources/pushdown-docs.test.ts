import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILTER_FLAGS } from '../filters/parse.js';
import { SOURCE_LIST } from './registry.js';

// docs/sources.md "Filters asked of each source" is the push-down declarations, row for row.

/** The cells of a Markdown table row, `\|` read as a literal bar. */
const cells = (line: string): string[] =>
  line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));

describe('docs/sources.md', () => {
  it("lists every source's push-down exactly as the sources declare it", () => {
    const docs = readFileSync(path.resolve(import.meta.dirname, '../../docs/sources.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## Filters asked of each source'), docs.indexOf('\n## ', docs.indexOf('## Filters asked of each source') + 1));
    const rows = section.split('\n').filter((line) => /^\| `[a-z_]+` \| `--/.test(line)).map(cells);
    const declared = SOURCE_LIST.flatMap((source) => source.pushdown.map((row) => [`\`${source.id}\``, `\`${FILTER_FLAGS[row.filter]}\``, row.sends, row.precision]));
    expect(rows).toEqual(declared);
  });
});

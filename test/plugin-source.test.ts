/**
 * A source from outside the package, as a user adds one: the example plugin
 * (examples/plugin-source/lorem-images.source.mjs) loaded through TRAWL_SOURCES_PATH by the real
 * CLI, searching a tiny JSON API on 127.0.0.1, and broken plugins stopping start-up with exit 2.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobReport } from '../src/services/report.js';
import type { SourceStatus } from '../src/services/source-status.js';
import { picturePng } from '../src/sim/png.js';
import { type Harness, ROOT, runCli, startHarness } from './support/harness.js';

const EXAMPLE = path.join(ROOT, 'examples/plugin-source/lorem-images.source.mjs');
const TOTAL = 5;

let h: Harness;
let lorem: Server;
let origin: string;
const asked: string[] = [];

/** The service the example searches: TOTAL results, two per page, and their PNGs. */
function startLorem(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    asked.push(url.pathname + url.search);
    if (url.pathname === '/api/search') {
      const page = Number(url.searchParams.get('page'));
      const ids = [1, 2].map((n) => (page - 1) * 2 + n).filter((id) => id <= TOTAL);
      const results = ids.map((id) => ({ id, image: `${origin}/img/${id}.png`, page: `${origin}/photo/${id}`, title: `cat ${id}`, author: 'Ann', license: 'CC0 1.0', width: 64, height: 48 }));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ results, more: page * 2 < TOTAL }));
      return;
    }
    const image = /^\/img\/(\d+)\.png$/.exec(url.pathname);
    if (image) {
      res.setHeader('content-type', 'image/png');
      res.end(picturePng(64, 48, `lorem-${image[1] ?? ''}`));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  lorem = await startLorem();
  origin = `http://127.0.0.1:${(lorem.address() as AddressInfo).port}`;
  h = await startHarness({}, { TRAWL_SOURCES_PATH: EXAMPLE, TRAWL_ORIGIN_LOREM_IMAGES: origin });
});
afterAll(async () => {
  await h.close();
  await new Promise((resolve) => lorem.close(resolve));
});

describe('a plugin source on TRAWL_SOURCES_PATH', () => {
  it('runs a trawl fetch job like a built-in: items saved, the report lists it', async () => {
    const result = await runCli(['fetch', 'cats', '--sources', 'lorem_images', '--limit', '3', '--json'], h);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as JobReport;
    expect(report.sources.map((s) => [s.source, s.status, s.found, s.downloaded])).toEqual([['lorem_images', 'done', 3, 3]]);
    for (const item of report.items) {
      expect(item).toMatchObject({ source: 'lorem_images', licenseCode: 'cc0', contentType: 'image/png' });
      expect((await readFile(path.join(h.cwd, item.path))).length).toBe(item.bytes);
    }
    // Paged up to the limit and no further.
    expect(asked.filter((p) => p.startsWith('/api/search')).map((p) => new URLSearchParams(p.split('?')[1]).get('page'))).toEqual(['1', '2']);
  });

  it('is listed by trawl sources and trawl doctor', async () => {
    const sources = await runCli(['sources', '--json'], h);
    expect(sources.code).toBe(0);
    const lorem = (JSON.parse(sources.stdout) as SourceStatus[]).find((s) => s.id === 'lorem_images');
    expect(lorem).toMatchObject({ configured: true, kinds: ['image'] });
    const doctor = await runCli(['doctor'], h);
    expect(doctor.stdout).toContain(`1 plugin source loaded: lorem_images (${EXAMPLE})`);
  });
});

describe('a broken plugin stops start-up with exit 2, naming the file and what is wrong', () => {
  const broken: [string, string, RegExp][] = [
    ['throws at import', "throw new Error('boom at import');\n", /cannot be imported: boom at import/],
    ['has the wrong shape', "export default { id: 'Bad Id', kinds: ['pdf'], search: 5 };\n", /id must match[\s\S]*kinds must be a non-empty list[\s\S]*search must be an async generator/],
    ['takes a built-in id', `import lorem from ${JSON.stringify(pathToFileURL(EXAMPLE).href)};\nexport default { ...lorem, id: 'pexels' };\n`, /id "pexels" is already taken/],
  ];
  it.each(broken)('a plugin that %s', async (_, code, problem) => {
    const file = path.join(h.cwd, `broken-${Math.random().toString(36).slice(2)}.mjs`);
    await writeFile(file, code);
    for (const args of [['fetch', 'cats', '--json'], ['sources']]) {
      const result = await runCli(args, h, { env: { TRAWL_SOURCES_PATH: file } });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`TRAWL_SOURCES_PATH: ${file}`);
      expect(result.stderr).toMatch(problem);
      expect(result.stdout).toBe('');
    }
  });

  it('a second plugin with the id of the first', async () => {
    const copy = path.join(h.cwd, 'lorem-copy.mjs');
    await writeFile(copy, `export { default } from ${JSON.stringify(pathToFileURL(EXAMPLE).href)};\n`);
    const result = await runCli(['sources'], h, { env: { TRAWL_SOURCES_PATH: [EXAMPLE, copy].join(path.delimiter) } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${copy.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}: id "lorem_images" is already taken`));
  });
});

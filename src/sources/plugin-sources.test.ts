import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { TrawlError } from '../errors.js';
import type { ApiResponse, HttpClient, RequestPurpose } from '../net/http.js';
import { collectPages } from './fake-http.test-helper.js';
import { loadSourceRegistry } from './plugin-sources.js';
import { SOURCE_LIST } from './registry.js';
import type { Source, SourceContext } from './source.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/plugin-source/lorem-images.source.mjs');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A plugin module in a fresh directory whose search GETs each URL of its query (space-separated) and yields `page`. */
function pluginFile(exportAs: 'default' | 'source', page = '[]'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'trawl-plugin-'));
  dirs.push(dir);
  const file = path.join(dir, 'probe.source.mjs');
  const body = `{ id: 'probe', displayName: 'Probe', kinds: ['image'], licensePolicy: 'none', statesLicenses: false, pushdown: [],
    requests: { pageDelay: null, refusalStatuses: [], quotaHeaders: null }, defaultOrigin: 'http://127.0.0.1:9',
    async *search(request, context) { for (const url of request.query.split(' ')) await context.http.getJson(url, { signal: context.signal }); yield ${page}; } }`;
  writeFileSync(file, exportAs === 'default' ? `export default ${body};\n` : `export const source = ${body};\n`);
  return file;
}

const configFor = (env: Record<string, string>) => loadConfig({ env: { TRAWL_DATA_DIR: tmpdir(), ...env }, cwd: tmpdir() });

/** Answers every GET with `{}` (or throws `fail`), recording the purpose each request was sent with. */
function recordingHttp(fail?: Error): HttpClient & { sent: [string, RequestPurpose | undefined][] } {
  const sent: [string, RequestPurpose | undefined][] = [];
  const answer = <T>(url: string, purpose: RequestPurpose | undefined): Promise<ApiResponse<T>> => {
    sent.push([url, purpose]);
    return fail ? Promise.reject(fail) : Promise.resolve({ status: 200, headers: {}, url, data: {} as T });
  };
  return {
    sent,
    getJson: (url, options) => answer(url, options.purpose),
    getText: (url, options) => answer(url, options.purpose),
    open: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(),
  };
}

async function search(source: Source, query: string, http: HttpClient, env: Record<string, string>): Promise<unknown[]> {
  const context: SourceContext = { signal: new AbortController().signal, http, config: configFor(env), reportQuota: () => undefined };
  return collectPages(source.search({ query, kind: 'image', limit: 5 }, context));
}

describe('loadSourceRegistry', () => {
  it('is the built-ins alone when TRAWL_SOURCES_PATH is unset', async () => {
    expect(await loadSourceRegistry(configFor({}))).toEqual(SOURCE_LIST);
  });

  it('adds the plugins after the built-ins, from a default or a named `source` export', async () => {
    const named = pluginFile('source');
    const registry = await loadSourceRegistry(configFor({ TRAWL_SOURCES_PATH: [EXAMPLE, named].join(path.delimiter) }));
    expect(registry.map((s) => s.id)).toEqual([...SOURCE_LIST.map((s) => s.id), 'lorem_images', 'probe']);
    expect(registry.at(-1)?.licensePolicy).toBe(`none (plugin ${named})`);
  });

  it('rejects a missing file with TRAWL_BAD_CONFIG naming it', async () => {
    const missing = path.join(tmpdir(), 'no-such-plugin.mjs');
    await expect(loadSourceRegistry(configFor({ TRAWL_SOURCES_PATH: missing }))).rejects.toMatchObject({ code: 'TRAWL_BAD_CONFIG', message: expect.stringContaining(`TRAWL_SOURCES_PATH: ${missing}: cannot be imported`) as string });
  });
});

describe('a plugin runs confined', () => {
  const load = async (file: string, env: Record<string, string> = {}) => (await loadSourceRegistry(configFor({ TRAWL_SOURCES_PATH: file, ...env }))).at(-1) as Source;

  it("gets no trust in another source's TRAWL_ORIGIN_*: only its own override is sent as a trusted api request", async () => {
    const env = { TRAWL_ORIGIN_PEXELS: 'http://127.0.0.1:7001', TRAWL_ORIGIN_PROBE: 'http://127.0.0.1:7002' };
    const probe = await load(pluginFile('default'), env);
    const http = recordingHttp();
    await search(probe, 'http://127.0.0.1:7001/v1/search http://127.0.0.1:7002/api http://127.0.0.1:7003/elsewhere', http, env);
    expect(http.sent).toEqual([
      ['http://127.0.0.1:7001/v1/search', 'media'],
      ['http://127.0.0.1:7002/api', 'api'],
      ['http://127.0.0.1:7003/elsewhere', 'api'],
    ]);
  });

  it('has a 429 become TRAWL_RATE_LIMITED naming the plugin, as for a built-in', async () => {
    const probe = await load(pluginFile('default'));
    const http = recordingHttp(new TrawlError('TRAWL_HTTP_TRANSIENT', 'HTTP 429', { context: { status: 429 } }));
    await expect(search(probe, 'http://127.0.0.1:7003/api', http, {})).rejects.toMatchObject({ code: 'TRAWL_RATE_LIMITED', message: expect.stringMatching(/^probe: the service is rate-limiting/) as string });
  });

  it('ends its search (not the job) on a candidate with an unknown licence code, and stamps its id on good ones', async () => {
    const good = `{ source: 'other', kind: 'image', url: 'http://127.0.0.1:7003/a.png', licenseCode: 'cc0' }`;
    const goodPages = await search(await load(pluginFile('default', `[${good}]`)), 'http://127.0.0.1:7003/api', recordingHttp(), {});
    expect(goodPages).toEqual([[expect.objectContaining({ source: 'probe', licenseCode: 'cc0' })]]);
    const bad = await load(pluginFile('default', `[{ kind: 'image', url: 'http://127.0.0.1:7003/a.png', licenseCode: 'free' }]`));
    await expect(search(bad, 'http://127.0.0.1:7003/api', recordingHttp(), {})).rejects.toMatchObject({ code: 'TRAWL_PARSER_OUTDATED' });
  });
});

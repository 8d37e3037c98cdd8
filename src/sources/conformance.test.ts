/**
 * The source conformance kit (`trawl/testing`) on every built-in source, against responses the
 * simulator records as it answers, and on the example plugin against a recording made by hand.
 * New sources are covered by iterating SOURCE_LIST; the kit's own checks are shown to fail on a
 * source that breaks each rule.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { type Simulator, startSimulator } from '../sim/simulator.js';
import { type RecordedResponse, checkSource } from '../testing.js';
import { loadPluginSource } from './plugin-sources.js';
import { SOURCE_LIST } from './registry.js';
import type { Source } from './source.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ itemsPerQuery: 12 });
});
afterAll(async () => {
  await sim.close();
});

/** The simulator's answer to `url`, recorded as the kit takes it. */
async function simulated(url: URL, headers: Readonly<Record<string, string>>): Promise<RecordedResponse> {
  // The User-Agent the real client sends on every request (Wikimedia refuses generic ones).
  const answer = await fetch(url, { headers: { 'user-agent': loadConfig({ env: {}, cwd: import.meta.dirname }).userAgent, ...headers } });
  return { status: answer.status, headers: Object.fromEntries(answer.headers), body: await answer.text() };
}

describe('every built-in source passes the conformance kit', () => {
  it.each(SOURCE_LIST.map((source) => [source.id, source] as const))('%s', async (_, source) => {
    const failures = await checkSource(source, { responses: simulated, env: sim.env(), limit: 5 });
    expect(failures).toEqual([]);
  });
});

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/plugin-source/lorem-images.source.mjs');
const ORIGIN = 'http://127.0.0.1:9';
/** Seven results, three per page, as the example's service would answer. */
function loremRecording(license: string | null = 'CC0 1.0') {
  return (url: URL): RecordedResponse | undefined => {
    if (url.pathname !== '/api/search') return undefined;
    const page = Number(url.searchParams.get('page'));
    const ids = [1, 2, 3].map((n) => (page - 1) * 3 + n).filter((id) => id <= 7);
    return { body: { results: ids.map((id) => ({ id, image: `${ORIGIN}/img/${id}.png`, license, width: 10, height: 10 })), more: page * 3 < 7 } };
  };
}

describe('the example plugin, as Trawl loads it', () => {
  it('passes the kit against a recording', async () => {
    const lorem = await loadPluginSource(EXAMPLE);
    expect(await checkSource(lorem, { responses: loremRecording(), env: { TRAWL_ORIGIN_LOREM_IMAGES: ORIGIN } })).toEqual([]);
  });

  it('fails the licence check when the service states no licence for an item', async () => {
    const lorem = await loadPluginSource(EXAMPLE);
    const failures = await checkSource(lorem, { responses: loremRecording(null), env: { TRAWL_ORIGIN_LOREM_IMAGES: ORIGIN } });
    expect(failures.map((f) => f.check)).toContain('licence');
  });
});

describe('the kit catches a source that breaks the rules', () => {
  const base: Omit<Source, 'search'> = {
    id: 'rogue', displayName: 'Rogue', kinds: ['image'], licensePolicy: 'none', statesLicenses: false, pushdown: [],
    requests: { pageDelay: null, refusalStatuses: [], quotaHeaders: null }, defaultOrigin: ORIGIN,
  };
  const candidate = (n: number) => ({ source: 'rogue', kind: 'image' as const, url: `${ORIGIN}/${n}.png`, pageUrl: null, title: null, author: null, authorUrl: null, license: null, licenseUrl: null, licenseCode: null, width: null, height: null });

  it('pages forever, ignores its budget and the 429, and asks another origin', async () => {
    const rogue: Source = {
      ...base,
      async *search(request, context) {
        for (let page = 1; ; page++) {
          // No signal passed, errors swallowed, and a host the source never declared.
          await context.http.getJson(`${page === 2 ? 'http://127.0.0.1:8' : ORIGIN}/api?page=${page}`, { signal: new AbortController().signal }).catch(() => undefined);
          yield [candidate(page)];
        }
      },
    };
    const failures = await checkSource(rogue, { responses: () => ({ body: {} }), limit: 2, maxRequests: 10, settleMs: 200 });
    expect(new Set(failures.map((f) => f.check))).toEqual(new Set(['paging', 'end', 'budget', 'refusal', 'origins']));
  });
});

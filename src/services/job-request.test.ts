import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { NO_FILTERS } from '../domain.js';
import type { Source } from '../sources/source.js';
import { buildJobRequest } from './job-request.js';

const config = loadConfig({ env: {}, cwd: mkdtempSync(path.join(tmpdir(), 'trawl-req-')) });
const fake = (id: Source['id'], kinds: Source['kinds'], keyVar?: string): Source => ({
  id,
  kinds,
  displayName: id,
  licensePolicy: '',
  statesLicenses: true,
  pushdown: [],
  requests: { pageDelay: null, refusalStatuses: [], quotaHeaders: null },
  defaultOrigin: 'https://example.invalid',
  ...(keyVar ? { keyVar } : {}),
  search: async function* () {},
});
const registry = [fake('pexels', ['image', 'video'], 'PEXELS_API_KEY'), fake('openverse', ['image']), fake('wikimedia_commons', ['image', 'video'])];

describe('buildJobRequest', () => {
  it('fills defaults from the config and picks configured sources offering the type', () => {
    const request = buildJobRequest({ query: '  cats ' }, config, registry);
    expect(request).toMatchObject({ query: 'cats', type: 'image', limit: 20, outDir: 'downloads', sources: ['openverse', 'wikimedia_commons'] });
    expect(request.budgets).toEqual({ requestMs: 10_000, sourceMs: 30_000, jobMs: 300_000 });
    expect(buildJobRequest({ query: 'cats', type: 'video' }, config, registry).sources).toEqual(['wikimedia_commons']);
  });

  it('takes explicit sources, limits and budgets', () => {
    const request = buildJobRequest({ query: 'cats', sources: 'pexels, openverse,pexels', limit: '5', timeouts: { job: '1m', source: 10 } }, config, registry);
    expect(request.sources).toEqual(['pexels', 'openverse']);
    expect(request.limit).toBe(5);
    expect(request.budgets.jobMs).toBe(60_000);
    expect(request.budgets.sourceMs).toBe(10_000);
  });

  it('carries the filters, none unless asked', () => {
    expect(buildJobRequest({ query: 'cats' }, config, registry).filters).toEqual(NO_FILTERS);
    const request = buildJobRequest({ query: 'cats', filters: { minWidth: '1920', orientation: 'landscape', license: 'cc0,cc-by' } }, config, registry);
    expect(request.filters).toEqual({ ...NO_FILTERS, minWidth: 1920, orientation: 'landscape', license: ['cc0', 'cc-by'] });
  });

  it.each([
    [{ query: '' }, 'query'],
    [{}, 'query'],
    [{ query: 'x'.repeat(501) }, 'query'],
    [{ query: 'a\u0000b' }, 'query'],
    [{ query: 'cats', sources: 'pexels,flickrr' }, 'sources'],
    [{ query: 'cats', sources: 'nasa' }, 'sources'],
    [{ query: 'cats', sources: [] }, 'sources'],
    [{ query: 'cats', type: 'gif' }, 'type'],
    [{ query: 'cats', limit: '-1' }, 'limit'],
    [{ query: 'cats', limit: 1.5 }, 'limit'],
    [{ query: 'cats', limit: 100_000 }, 'limit'],
    [{ query: 'cats', timeouts: { job: 'soon' } }, 'timeouts.job'],
    [{ query: 'cats', timeouts: { request: -3 } }, 'timeouts.request'],
    [{ query: 'cats', filters: { minWidth: '0' } }, 'filters.minWidth'],
    [{ query: 'cats', filters: { license: 'gpl' } }, 'filters.license'],
  ])('rejects %j naming %s', (input, field) => {
    let error: unknown;
    try {
      buildJobRequest(input, config, registry);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'TRAWL_BAD_INPUT', context: { field } });
    expect((error as Error).message.startsWith(`${field}:`)).toBe(true);
  });
});

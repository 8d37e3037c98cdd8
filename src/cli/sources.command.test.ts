import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceStatus } from '../services/source-status.js';
import type { CliIo } from './io.js';
import { runCli } from './main.js';

describe('trawl sources', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'trawl-sources-cli-'));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  const sources = async (args: string[] = []): Promise<string> => {
    let out = '';
    const io: CliIo = {
      stdout: { write: (text: string) => ((out += text), true) },
      stderr: { write: () => true },
      env: { PEXELS_API_KEY: 'k' },
      cwd,
      onInterrupt: () => () => undefined,
      exitCode: 0,
    };
    expect(await runCli(['node', 'trawl', 'sources', ...args], io)).toBe(0);
    return out;
  };

  it('shows which filters each source asks its service for, as a table under the list', async () => {
    const out = await sources();
    const table = out.slice(out.indexOf('Filters asked of each service'));
    const lines = table.split('\n');
    expect(lines[1]?.trim().split(/\s+/)).toEqual(['--min-width', '--min-height', '--orientation', '--license', '--safe-search', '--format']);
    const row = (id: string): string[] => lines.find((l) => l.startsWith(`${id} `))?.trim().split(/\s+/).slice(1) ?? [];
    expect(row('google_images')).toEqual(['coarse', 'coarse', 'approx.', 'skipped', 'exact', '-']);
    expect(row('wikimedia_commons')).toEqual(['exact', 'exact', '-', '-', '-', 'exact']);
    expect(row('nasa')).toEqual(['-', '-', '-', 'exact', '-', '-']);
  });

  it('gives what is sent for each filter with --json', async () => {
    const statuses = JSON.parse(await sources(['--json'])) as SourceStatus[];
    const pixabay = statuses.find((s) => s.id === 'pixabay');
    expect(pixabay?.statesLicenses).toBe(true);
    expect(pixabay?.pushdown.find((p) => p.filter === 'safeSearch')).toEqual({ filter: 'safeSearch', sends: 'safesearch=true | safesearch=false', precision: 'exact' });
    expect(statuses.find((s) => s.id === 'bing_images')?.statesLicenses).toBe(false);
  });
});

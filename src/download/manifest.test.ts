import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Item } from '../domain.js';
import { MANIFEST_FILE, appendManifest } from './manifest.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'trawl-manifest-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function item(n: number): Item {
  return {
    id: `id-${n}`, jobId: 'job-1', source: 'pexels', kind: 'image', url: `http://127.0.0.1/${n}.png`, pageUrl: null, title: `t${n}`, author: null, authorUrl: null,
    license: null, licenseUrl: null, licenseCode: null, width: 8, height: 8, bytes: n, sha256: 'ab'.repeat(32), contentType: 'image/png', path: `out/${n}.png`, createdAt: '2026-01-01T00:00:00.000Z',
  };
}

async function lines(outDir: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path.join(outDir, MANIFEST_FILE), 'utf8');
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('appendManifest', () => {
  it('creates a missing output directory and appends one line per item, without the job id', async () => {
    const outDir = path.join(root, 'a', 'b');
    await appendManifest(item(1), outDir);
    await appendManifest(item(2), outDir);
    const written = await lines(outDir);
    expect(written.map((l) => l.id)).toEqual(['id-1', 'id-2']);
    expect(written[0]).not.toHaveProperty('jobId');
  });

  it('recreates the directory when it was removed between items', async () => {
    const outDir = path.join(root, 'out');
    await appendManifest(item(1), outDir);
    await rm(outDir, { recursive: true });
    await appendManifest(item(2), outDir);
    expect((await lines(outDir)).map((l) => l.id)).toEqual(['id-2']);
  });

  it('still fails for errors other than a missing directory', async () => {
    const outDir = path.join(root, 'out');
    await appendManifest(item(1), outDir);
    // The manifest path is a directory now: appending to it cannot work and must not be swallowed.
    await rm(path.join(outDir, MANIFEST_FILE));
    await mkdir(path.join(outDir, MANIFEST_FILE));
    await expect(appendManifest(item(2), outDir)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { placeInLibrary } from './library-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trawl-library-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A temp file in the library root holding `text`, and its sha256. */
async function tempFile(name: string, text: string): Promise<{ file: string; sha: string; bytes: number }> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return { file, sha: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
}

describe('placeInLibrary', () => {
  it('moves a file into a shard it creates, and leaves no temp file', async () => {
    const t = await tempFile('.trawl-a.part', 'first');
    const placed = await placeInLibrary(t.file, dir, t.sha, 'png', t.bytes);
    expect(placed).toEqual({ path: path.join(dir, t.sha.slice(0, 2), `${t.sha}.png`), relativePath: `${t.sha.slice(0, 2)}/${t.sha}.png`, duplicate: false });
    expect(await readFile(placed.path, 'utf8')).toBe('first');
    expect(await readdir(dir)).toEqual([t.sha.slice(0, 2)]);
  });

  it('recreates a shard removed since an earlier file was placed in it', async () => {
    const t = await tempFile('.trawl-b.part', 'again');
    const first = await placeInLibrary(t.file, dir, t.sha, 'png', t.bytes);
    await rm(path.dirname(first.path), { recursive: true });
    const u = await tempFile('.trawl-c.part', 'again');
    const second = await placeInLibrary(u.file, dir, u.sha, 'png', u.bytes);
    expect(second.duplicate).toBe(false);
    expect(await readFile(second.path, 'utf8')).toBe('again');
  });

  it('keeps one copy of the same content and deletes the second temp file', async () => {
    const t = await tempFile('.trawl-d.part', 'same bytes');
    const first = await placeInLibrary(t.file, dir, t.sha, 'png', t.bytes);
    const u = await tempFile('.trawl-e.part', 'same bytes');
    const second = await placeInLibrary(u.file, dir, u.sha, 'png', u.bytes);
    expect(second).toEqual({ ...first, duplicate: true });
    expect((await readdir(dir)).sort()).toEqual([t.sha.slice(0, 2)]);
  });

  it('reports a temp file that is gone as TRAWL_DISK, naming the target', async () => {
    const sha = 'ab'.repeat(32);
    const failure = await placeInLibrary(path.join(dir, '.trawl-missing.part'), dir, sha, 'png', 3).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'TRAWL_DISK' });
    expect((failure as Error).message).toContain(`${sha}.png`);
  });
});

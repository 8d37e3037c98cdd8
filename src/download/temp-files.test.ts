import { mkdir, mkdtemp, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempFile, releaseTempFile, removeOwnTempFilesSync, removeTempFile, sweepTempFiles } from './temp-files.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trawl-sweep-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(relative: string, ageMs = 0): Promise<void> {
  const file = path.join(dir, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, 'x');
  if (ageMs > 0) {
    const when = new Date(Date.now() - ageMs);
    await utimes(file, when, when);
  }
}

async function remaining(): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

describe('sweepTempFiles', () => {
  it('removes .trawl-*.part files in the library root and its shard dirs, and nothing else', async () => {
    await put('.trawl-aaaa.part');
    await put('ab/.trawl-bbbb.part');
    await put('ab/abcdef.png');
    await put('manifest.jsonl');
    await put('.trawl-cccc.txt');
    await put('notes.part');
    await put('nested/.trawl-dddd.part'); // not a shard dir: never ours
    await put('ab/cd/.trawl-eeee.part'); // too deep: never ours

    expect(await sweepTempFiles(dir)).toBe(2);
    expect(await remaining()).toEqual(['.trawl-cccc.txt', 'ab/abcdef.png', 'ab/cd/.trawl-eeee.part', 'manifest.jsonl', 'nested/.trawl-dddd.part', 'notes.part']);
  });

  it('keeps temp files younger than olderThanMs (a download may still be writing them)', async () => {
    await put('.trawl-old.part', 60 * 60_000);
    await put('.trawl-new.part');
    await put('0f/.trawl-old2.part', 60 * 60_000);

    expect(await sweepTempFiles(dir, { olderThanMs: 10 * 60_000 })).toBe(2);
    expect(await remaining()).toEqual(['.trawl-new.part']);
  });

  it('treats a missing library as clean', async () => {
    expect(await sweepTempFiles(path.join(dir, 'missing'))).toBe(0);
  });
});

describe('removeOwnTempFilesSync', () => {
  it('deletes at once the temp files this process still writes, open or not, and leaves released and other files', async () => {
    const open = await createTempFile(dir);
    await open.handle.write(Buffer.from('partial'));
    const closed = await createTempFile(path.join(dir, 'ab'));
    await closed.handle.close();
    const released = await createTempFile(dir);
    await released.handle.close();
    await rename(released.path, path.join(dir, 'kept.png'));
    releaseTempFile(released);
    const removed = await createTempFile(dir);
    await removeTempFile(removed);
    await put('.trawl-other-process.part');

    expect(removeOwnTempFilesSync()).toBe(2);
    expect(await remaining()).toEqual(['.trawl-other-process.part', 'kept.png']);
    expect(removeOwnTempFilesSync()).toBe(0);
    await open.handle.close();
  });
});

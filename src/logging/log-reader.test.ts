import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJobLogLines } from './log-reader.js';

const line = (jobId: string, n: number, extra: Record<string, unknown> = {}): string => JSON.stringify({ time: '2030-01-01T00:00:00.000Z', level: 'info', msg: `line ${n}`, jobId, n, ...extra });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'trawl-log-reader-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `lines`, each followed by a newline, without holding the whole file in memory. */
async function writeLog(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file);
  for (const text of lines) if (!out.write(`${text}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** ~`bytes` of other jobs' lines. */
function* noise(bytes: number): Generator<string> {
  const sample = line('another-job', 0, { pad: 'x'.repeat(200) });
  for (let written = 0; written < bytes; written += sample.length + 1) yield sample;
}

describe('readJobLogLines', () => {
  it("keeps the job's last lines, oldest first, skipping other jobs, non-JSON and look-alikes", async () => {
    const file = path.join(dir, 'trawl.log');
    const lines = [line('j1', 1), line('j2', 2), 'not json j1', line('j1', 3), line('j2', 4, { note: 'mentions j1' }), '[1, "j1"]', line('j1', 5), line('j1', 6)];
    await writeFile(file, `${lines.join('\n')}\n`);
    expect((await readJobLogLines(file, 'j1', { limit: 3 })).lines.map((l) => l.n)).toEqual([3, 5, 6]);
    expect((await readJobLogLines(file, 'j1', { limit: 10 })).lines.map((l) => l.n)).toEqual([1, 3, 5, 6]);
    expect((await readJobLogLines(file, 'j3', { limit: 10 })).lines).toEqual([]);
  });

  it('reads a first line with no newline before it, a last one with none after it, and CRLF', async () => {
    const file = path.join(dir, 'trawl.log');
    await writeFile(file, `${line('j1', 1)}\r\n${line('j1', 2)}`);
    expect((await readJobLogLines(file, 'j1', { limit: 5 })).lines.map((l) => l.n)).toEqual([1, 2]);
  });

  it('has no lines for a missing or empty file', async () => {
    expect(await readJobLogLines(path.join(dir, 'none.log'), 'j1', { limit: 5 })).toEqual({ lines: [], bytesRead: 0 });
    await writeFile(path.join(dir, 'empty.log'), '');
    expect(await readJobLogLines(path.join(dir, 'empty.log'), 'j1', { limit: 5 })).toEqual({ lines: [], bytesRead: 0 });
  });

  it('joins lines and multi-byte characters cut by chunk boundaries', async () => {
    const file = path.join(dir, 'trawl.log');
    // Lines of odd lengths full of 2- and 3-byte characters: some straddle every 64 KiB boundary.
    const lines = Array.from({ length: 3000 }, (_, n) => line(n % 3 === 0 ? 'j1' : 'j2', n, { title: 'é€'.repeat(n % 97) }));
    await writeLog(file, lines);
    const { lines: got } = await readJobLogLines(file, 'j1', { limit: 10_000 });
    expect(got).toEqual(lines.filter((_, n) => n % 3 === 0).map((text) => JSON.parse(text) as unknown));
  });

  it('skips a line longer than 1 MiB and keeps its neighbours', async () => {
    const file = path.join(dir, 'trawl.log');
    await writeLog(file, [line('j1', 1), line('j1', 2, { huge: 'y'.repeat(3 * 1024 * 1024) }), line('j1', 3)]);
    expect((await readJobLogLines(file, 'j1', { limit: 5 })).lines.map((l) => l.n)).toEqual([1, 3]);
  });

  it('reads only the end of a 50 MB log when the job is recent', async () => {
    const file = path.join(dir, 'trawl.log');
    await writeLog(file, (function* () {
      yield* noise(50 * 1024 * 1024);
      for (let n = 0; n < 60; n++) yield line(n % 2 === 0 ? 'recent' : 'another-job', n);
    })());
    const tail = await readJobLogLines(file, 'recent', { limit: 20 });
    expect(tail.lines.map((l) => l.n)).toEqual(Array.from({ length: 20 }, (_, k) => 20 + 2 * k));
    expect(tail.bytesRead).toBeLessThanOrEqual(64 * 1024);
  });

  it('finds an old job at the start of a 50 MB log, reading each byte once', async () => {
    const file = path.join(dir, 'trawl.log');
    await writeLog(file, (function* () {
      for (let n = 0; n < 3; n++) yield line('old', n);
      yield* noise(50 * 1024 * 1024);
    })());
    const tail = await readJobLogLines(file, 'old', { limit: 40 });
    expect(tail.lines.map((l) => l.n)).toEqual([0, 1, 2]);
    // Each byte once: 64 KiB chunks from the end, never the file twice.
    expect(tail.bytesRead).toBe((await stat(file)).size);
  });

  it('stops when its signal is aborted', async () => {
    const file = path.join(dir, 'trawl.log');
    await writeLog(file, noise(1024 * 1024));
    await expect(readJobLogLines(file, 'j1', { limit: 5, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

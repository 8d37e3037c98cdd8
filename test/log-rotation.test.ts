/**
 * Log rotation on a live `trawl serve`: logrotate renames the log and sends SIGHUP; the server must
 * reopen `logs/trawl.log` at its original path and write its new lines there, not to the renamed file.
 */
import { existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../src/domain.js';
import { type Harness, startHarness, waitFor } from './support/harness.js';
import { type ServeProcess, startServe } from './support/serve.js';

let h: Harness;
let serve: ServeProcess;
beforeAll(async () => {
  h = await startHarness({ itemsPerQuery: 1 });
  serve = await startServe(h);
});
afterAll(async () => {
  await serve.stop();
  await h.close();
});

const messages = async (file: string): Promise<string[]> => (await readFile(file, 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg);

describe.skipIf(process.platform === 'win32')('trawl serve and a rotated log (SIGHUP)', () => {
  it('writes to a new file at the original path after the old one was renamed', async () => {
    const log = path.join(h.cwd, 'data', 'logs', 'trawl.log');
    const rotated = `${log}.1`;
    await waitFor('SERVER START in the log', async () => (existsSync(log) && (await messages(log)).includes('SERVER START') ? true : undefined));
    await rename(log, rotated);
    serve.child.kill('SIGHUP');
    await waitFor('the log to be reopened', () => (existsSync(log) ? true : undefined), 10_000);

    const created = await fetch(`${serve.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'rotated', sources: ['openverse'], limit: 1 }) });
    const { id } = (await created.json()) as Job;
    await waitFor('JOB COMPLETE in the new log', async () => ((await messages(log)).includes('JOB COMPLETE') ? true : undefined));

    expect(serve.child.exitCode).toBeNull();
    const fresh = await readFile(log, 'utf8');
    expect(await messages(log)).toEqual(expect.arrayContaining(['LOG REOPENED', 'JOB START', 'JOB COMPLETE']));
    expect(fresh).toContain(id);
    const old = await messages(rotated);
    expect(old).toContain('SERVER START');
    expect(old).not.toContain('JOB START');
  });
});

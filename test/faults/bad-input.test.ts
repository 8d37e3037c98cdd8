/**
 * Bad input (docs/reliability.md, table 5): the real `trawl serve` over HTTP and the real `trawl
 * fetch` binary. Every bad request answers 400 `{ error: { code: TRAWL_BAD_INPUT, message } }`
 * whose message starts with the field; every bad command line exits 2 naming the flag. Neither
 * writes anything: no job is stored, no file or directory is created.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, ROOT, listFiles, runCli, startHarness } from '../support/harness.js';
import { waitUntil } from './support/fault-kit.js';

let h: Harness;
let server: ChildProcess;
let base = '';

beforeAll(async () => {
  h = await startHarness({ itemsPerQuery: 2 });
  server = spawn(process.execPath, [path.join(ROOT, 'bin/trawl.js'), 'serve', '--port', '0'], {
    cwd: h.cwd,
    env: { PATH: process.env.PATH ?? '', ...h.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitUntil('trawl serve to listen', () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.test(stderr), 30_000);
  base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1] ?? '';
});
afterAll(async () => {
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGINT');
    await exited;
  }
  await h.close();
});

interface ErrorBody {
  error?: { code?: string; message?: string };
}

async function post(body: string, contentType = 'application/json'): Promise<{ status: number; body: ErrorBody }> {
  const res = await fetch(`${base}/api/jobs`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, body: (await res.json()) as ErrorBody };
}

async function storedJobs(): Promise<unknown[]> {
  const res = await fetch(`${base}/api/jobs`);
  return ((await res.json()) as { jobs: unknown[] }).jobs;
}

describe('trawl serve: bad job requests answer 400 naming the field and store nothing', () => {
  it.each([
    ['query of the wrong type', { query: 5 }, 'query'],
    ['limit of the wrong type', { query: 'cats', limit: '5' }, 'limit'],
    ['type of the wrong type', { query: 'cats', type: 7 }, 'type'],
    ['sources of the wrong type', { query: 'cats', sources: { a: 1 } }, 'sources'],
    ['an empty query', { query: '' }, 'query'],
    ['a 10,000-character query', { query: 'x'.repeat(10_000) }, 'query'],
    ['an unknown source', { query: 'cats', sources: ['myspace'] }, 'sources'],
    ['a malformed source id', { query: 'cats', sources: ['My Space'] }, 'sources[0]'],
    ['a negative limit', { query: 'cats', limit: -1 }, 'limit'],
    ['a huge limit', { query: 'cats', limit: 1_000_000_000 }, 'limit'],
    ['a bad duration', { query: 'cats', timeouts: { job: 'soon' } }, 'timeouts.job'],
    ['a negative duration', { query: 'cats', timeouts: { request: -5 } }, 'timeouts.request'],
    ['an unknown field', { query: 'cats', colour: 'red' }, 'colour'],
    ['an unknown filter', { query: 'cats', filters: { colour: 'red' } }, 'filters.colour'],
    ['a negative minimum width', { query: 'cats', filters: { minWidth: -1 } }, 'filters.minWidth'],
    ['an unknown orientation', { query: 'cats', filters: { orientation: 'round' } }, 'filters.orientation'],
    ['an unknown licence', { query: 'cats', filters: { license: 'commercial,gpl' } }, 'filters.license'],
    ['safe search as a word', { query: 'cats', filters: { safeSearch: 'sometimes' } }, 'filters.safeSearch'],
    ['an unknown format', { query: 'cats', filters: { format: ['tiff'] } }, 'filters.format'],
  ])('%s', async (_name, payload, field) => {
    const answer = await post(JSON.stringify(payload));
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe('TRAWL_BAD_INPUT');
    expect(answer.body.error?.message?.startsWith(`${field}: `), answer.body.error?.message).toBe(true);
  });

  it.each([
    ['invalid JSON', '{"query": "cats",', 'application/json'],
    ['a huge body (1 MiB)', JSON.stringify({ query: 'cats', padding: 'x'.repeat(1024 * 1024) }), 'application/json'],
    ['not JSON at all', 'cats', 'text/plain'],
  ])('%s', async (_name, body, contentType) => {
    const answer = await post(body, contentType);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe('TRAWL_BAD_INPUT');
    expect(answer.body.error?.message).toMatch(/^body: /);
  });

  it('stored no job and fetched nothing', async () => {
    expect(await storedJobs()).toEqual([]);
    expect(h.sim.requests()).toEqual([]);
  });
});

describe('trawl fetch: bad command lines exit 2 naming the flag and write nothing', () => {
  it.each([
    ['fetch ""', ['fetch', ''], /<query>: must not be empty/],
    ['fetch <10,000 characters>', ['fetch', 'x'.repeat(10_000)], /<query>: is 10000 characters long; the limit is 500/],
    ['fetch cats --sources myspace', ['fetch', 'cats', '--sources', 'myspace'], /--sources: unknown source "myspace"/],
    ['fetch cats --limit -1', ['fetch', 'cats', '--limit', '-1'], /--limit: must be a whole number from 1 to 1000; got "-1"/],
    ['fetch cats --limit 1000000', ['fetch', 'cats', '--limit', '1000000'], /--limit: must be a whole number from 1 to 1000; got "1000000"/],
    ['fetch cats --limit abc', ['fetch', 'cats', '--limit', 'abc'], /--limit: .* got "abc"/],
    ['fetch cats --job-timeout soon', ['fetch', 'cats', '--job-timeout', 'soon'], /--job-timeout="soon": expected a duration/],
    ['fetch cats --request-timeout -5s', ['fetch', 'cats', '--request-timeout', '-5s'], /--request-timeout="-5s": expected a duration/],
    ['fetch cats --type gif', ['fetch', 'cats', '--type', 'gif'], /--type: must be one of image, video, all; got "gif"/],
    ['fetch cats --max-concurrent-sources 0', ['fetch', 'cats', '--max-concurrent-sources', '0'], /--max-concurrent-sources="0"/],
    ['fetch cats --colour red', ['fetch', 'cats', '--colour', 'red'], /unknown option '--colour'/],
    ['fetch cats --min-width 0', ['fetch', 'cats', '--min-width', '0'], /--min-width: must be a whole number of pixels from 1 to 65535; got "0"/],
    ['fetch cats --min-height 1080px', ['fetch', 'cats', '--min-height', '1080px'], /--min-height: .* got "1080px"/],
    ['fetch cats --min-width 100000', ['fetch', 'cats', '--min-width', '100000'], /--min-width: .* got "100000"/],
    ['fetch cats --orientation round', ['fetch', 'cats', '--orientation', 'round'], /--orientation: must be one of landscape, portrait, square; got "round"/],
    ['fetch cats --license gpl', ['fetch', 'cats', '--license', 'gpl'], /--license: unknown licence "gpl"; use licence codes \(cc0, .*\) or groups \(open, commercial, modify\)/],
    ['fetch cats --license ,', ['fetch', 'cats', '--license', ','], /--license: must be a comma list of licence codes/],
    ['fetch cats --safe-search maybe', ['fetch', 'cats', '--safe-search', 'maybe'], /--safe-search: must be on or off .*got "maybe"/],
    ['fetch cats --format jpeg,bmp', ['fetch', 'cats', '--format', 'jpeg,bmp'], /--format: unknown format "bmp"; use jpeg, png, webp, gif, avif/],
  ])('trawl %s', async (_label, args, message) => {
    const before = await listFiles(h.cwd);
    const result = await runCli(args, h);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(await listFiles(h.cwd)).toEqual(before);
    expect(h.sim.requests()).toEqual([]);
  });
});

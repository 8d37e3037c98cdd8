/**
 * `trawl` as an installed command, run as a user runs it (the built binary, real signals, the
 * simulator on 127.0.0.1): one data directory whatever the current directory, a second Ctrl-C that
 * quits at once and still leaves nothing behind, job id prefixes, short flags, and `trawl sim
 * --env-file`. Only the PIDs spawned here are ever signalled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userDataDir } from '../src/config/data-dir.js';
import type { JobReport } from '../src/services/report.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite.store.js';
import { type Harness, ROOT, leftoverTempFiles, runCli, startHarness, waitFor } from './support/harness.js';

let h: Harness;
const spawned: ChildProcess[] = [];
beforeEach(async () => {
  h = await startHarness({ itemsPerQuery: 3 }, { TRAWL_MIN_SPEED: '0' });
});
afterEach(async () => {
  for (const child of spawned.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await h.close();
});

interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; at: number }>;
}

/** The built `trawl` in `cwd` with exactly `env` (and PATH): nothing of this process's environment leaks in. */
function start(args: string[], cwd: string, env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/trawl.js'), ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, at: Date.now() }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

describe('the data directory', () => {
  it('is the per-user data directory when TRAWL_DATA_DIR is not set: jobs fetched in one directory are listed and shown from another', async () => {
    const home = path.join(h.cwd, 'home');
    const [here, there] = [path.join(h.cwd, 'here'), path.join(h.cwd, 'there')];
    for (const dir of [home, here, there]) await mkdir(dir);
    const { TRAWL_DATA_DIR: _unused, ...origins } = h.env;
    const env = { ...origins, HOME: home, USERPROFILE: home };
    const fetched = start(['fetch', 'cats', '--sources', 'openverse', '--limit', '1', '--json'], here, env);
    expect((await fetched.exited).code).toBe(0);
    const id = (JSON.parse(fetched.stdout()) as JobReport).id;

    const listed = start(['jobs', 'list', '--json'], there, env);
    expect((await listed.exited).code).toBe(0);
    expect((JSON.parse(listed.stdout()) as Array<{ id: string }>).map((job) => job.id)).toEqual([id]);
    const shown = start(['jobs', 'show', id.slice(0, 8)], there, env);
    expect((await shown.exited).code).toBe(0);
    expect(shown.stdout()).toContain(`job ${id}: "cats"`);

    const expected = userDataDir({ platform: process.platform, env, homedir: home })?.dir ?? '';
    expect(existsSync(path.join(expected, 'trawl.db'))).toBe(true);
    expect(existsSync(path.join(here, 'data'))).toBe(false);
    const doctor = start(['doctor'], there, env);
    await doctor.exited;
    expect(doctor.stdout()).toContain(`${expected} exists and is writable (TRAWL_DATA_DIR is not set, so the per-user data directory`);
  });
});

describe.skipIf(process.platform === 'win32')('a second Ctrl-C', () => {
  it('quits at once, yet the job ends cancelled and no temp file is left in --out', async () => {
    // Two files arrive at once; the third trickles a byte every 200 ms and never ends.
    h.sim.setFaults([{ target: '/media/openverse/cats-3.png', fault: 'trickle' }]);
    const fetch = start(['fetch', 'cats', '-s', 'openverse', '-n', '3', '-o', 'downloads', '--json'], h.cwd, h.env);
    const out = path.join(h.cwd, 'downloads');
    await waitFor('a temp file being written', async () => ((await leftoverTempFiles(out)).length > 0 ? true : undefined));
    // The second comes as soon as the first is being handled: the graceful cancel has only begun.
    let secondAt = 0;
    fetch.child.stderr?.on('data', () => {
      if (secondAt === 0 && fetch.stderr().includes('cancelling…')) {
        secondAt = Date.now();
        fetch.child.kill('SIGINT');
      }
    });
    fetch.child.kill('SIGINT');
    const exit = await fetch.exited;

    expect([exit.code, fetch.stderr()]).toEqual([130, expect.stringContaining('quit: job') as string]);
    // The quit path ran, not the graceful one: no report, and its own last words.
    expect(fetch.stdout()).toBe('');
    expect(fetch.stderr()).toMatch(/quit: job [0-9a-f-]{36} cancelled\n/);
    expect(exit.at - secondAt).toBeLessThan(5_000);
    expect(await leftoverTempFiles(out)).toEqual([]);
    const store = openSqliteStore(path.join(h.cwd, 'data', 'trawl.db'), { readonly: true });
    try {
      const [job] = await store.listJobs();
      expect(job).toMatchObject({ status: 'cancelled', error: { code: 'TRAWL_CANCELLED', message: 'cancelled by the user (Ctrl-C twice: quit at once)' } });
      expect(job?.sources).toMatchObject([{ source: 'openverse', status: 'cancelled' }]);
      expect((await store.listEvents(job?.id ?? '')).at(-1)?.name).toBe('job.finished');
    } finally {
      await store.close();
    }
  });
});

describe('trawl fetch flags', () => {
  it('takes -s, -t (images), -l/-n and -o, and its help lists the source ids and the duration format', async () => {
    const result = await runCli(['fetch', 'cats', '-s', 'openverse', '-t', 'images', '-n', '3', '-l', '2', '-o', 'pictures', '--json'], h);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as JobReport;
    expect(report.downloaded).toBe(2);
    expect(report.items.every((item) => item.kind === 'image' && item.path.startsWith('pictures'))).toBe(true);

    const help = await runCli(['fetch', '--help'], h);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/-n, --limit <n> +items per source and per kind \(also -l\)/);
    expect(help.stdout).toMatch(/^ {2}wikimedia_commons +image\+video +no key needed$/m);
    expect(help.stdout).toMatch(/^ {2}pexels +image\+video +needs PEXELS_API_KEY$/m);
    expect(help.stdout).toContain('500ms, 10s, 5m, 1h, or a bare number of seconds');
  });

  it.each([
    [['-t', 'gifs'], /--type: must be one of image, video, all/],
    [['-l', 'many'], /--limit/],
    [['-s', 'nope'], /--sources: unknown source "nope"/],
  ])('exits 2 for the short flags %j, naming the long one', async (args, message) => {
    const result = await runCli(['fetch', 'cats', ...args], h);
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toMatch(message);
  });
});

describe('trawl sim --env-file', () => {
  it('sets its lines in the .env file, keeping the others, and trawl fetch in that directory uses them', async () => {
    const dir = path.join(h.cwd, 'project');
    await mkdir(dir);
    // A stale origin on a closed loopback port: should it survive, the fetch fails here, not on the Internet.
    await writeFile(path.join(dir, '.env'), '# mine\nTRAWL_ORIGIN_OPENVERSE=http://127.0.0.1:9\nTRAWL_JOB_TIMEOUT=2m\n');
    const sim = start(['sim', '--env-file', '.env'], dir, {});
    await waitFor('the simulator to print its lines', () => (sim.stdout().includes('TRAWL_ALLOW_HOSTS=') ? true : undefined), 20_000);
    const written = await readFile(path.join(dir, '.env'), 'utf8');
    expect(written).toMatch(/^# mine\nTRAWL_ORIGIN_OPENVERSE=http:\/\/127\.0\.0\.1:\d+\nTRAWL_JOB_TIMEOUT=2m\n/);
    expect(written).not.toContain(':9\n');
    for (const line of sim.stdout().trim().split('\n')) expect(written.split('\n')).toContain(line);
    expect(await readdir(dir)).toEqual(['.env']);

    const fetched = start(['fetch', 'cats', '--sources', 'openverse', '--limit', '2', '--json'], dir, { TRAWL_DATA_DIR: path.join(h.cwd, 'data') });
    expect((await fetched.exited).code).toBe(0);
    expect((JSON.parse(fetched.stdout()) as JobReport).downloaded).toBe(2);
    sim.child.kill('SIGINT');
    expect((await sim.exited).code).toBe(0);
  });
});

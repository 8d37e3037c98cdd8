import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceRun } from '../domain.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite.store.js';
import type { CliIo } from './io.js';
import { runCli } from './main.js';

const run = (source: SourceRun['source'], patch: Partial<SourceRun> = {}): SourceRun => ({ source, status: 'pending', found: 0, downloaded: 0, failed: 0, duplicates: 0, filtered: 0, startedAt: null, finishedAt: null, elapsedMs: null, budgetMs: null, error: null, ...patch });
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();

describe('trawl jobs and trawl doctor', () => {
  let cwd: string;
  let store: SqliteStore;
  const env = { TRAWL_DATA_DIR: 'data', TRAWL_HEARTBEAT_INTERVAL: '100ms', TRAWL_STUCK_AFTER: '2s' };

  beforeEach(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'trawl-jobs-cli-'));
    store = openSqliteStore(path.join(cwd, 'data', 'trawl.db'));
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    await rm(cwd, { recursive: true, force: true });
  });

  const cli = async (args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const io: CliIo = {
      stdout: { write: (text: string) => ((out += text), true) },
      stderr: { write: (text: string) => ((err += text), true) },
      env: { ...env, ...extraEnv },
      cwd,
      onInterrupt: () => () => undefined,
      exitCode: 0,
    };
    const code = await runCli(['node', 'trawl', ...args], io);
    return { code, out, err };
  };

  const job = async (id: string, query: string, createdMsAgo: number): Promise<void> => {
    await store.createJob({ id, query, type: 'image', limit: 2, outDir: path.join(cwd, 'out'), budgets: { requestMs: 1000, sourceMs: 2000, jobMs: 3000 }, sources: [run('pexels'), run('nasa')], createdAt: ago(createdMsAgo) });
  };

  it('lists jobs by state and age, as text and JSON', async () => {
    await job('old-done', 'old', 7_200_000);
    await job('new-queued', 'new', 60_000);
    await job('new-running', 'runs', 30_000);
    await store.claimJob('new-running', 'host:9:zz', ago(1000));
    await store.updateJob('old-done', { status: 'completed', elapsedMs: 1200 });

    const all = await cli(['jobs', 'list']);
    expect(all.code).toBe(0);
    expect(all.out.split('\n').slice(0, 3).map((line) => line.split(/\s+/)[0])).toEqual(['new-running', 'new-queued', 'old-done']);
    expect(all.out).toMatch(/new-running\s+running .* heartbeat \d.*s ago from host:9:zz/);
    expect(all.out).toContain('3 jobs');

    const recent = await cli(['jobs', 'list', '--since', '1h', '--status', 'queued,running', '--json']);
    expect((JSON.parse(recent.out) as Array<{ id: string }>).map((j) => j.id)).toEqual(['new-running', 'new-queued']);
    expect((await cli(['jobs', 'list', '--limit', '1'])).out).toContain('1 job\n');
  });

  it('shows a job\'s filters and each source\'s filtered count', async () => {
    const filters = { minWidth: 1920, minHeight: null, orientation: 'landscape', license: ['cc0', 'cc-by'], safeSearch: false, format: null } as const;
    await store.createJob({ id: 'jf', query: 'lakes', type: 'image', limit: 2, outDir: path.join(cwd, 'out'), budgets: { requestMs: 1000, sourceMs: 2000, jobMs: 3000 }, filters, sources: [run('pexels', { status: 'done', found: 5, downloaded: 1, filtered: 4 })], createdAt: ago(1000) });
    const shown = await cli(['jobs', 'show', 'jf']);
    expect(shown.out).toContain('filters:  min width 1920, landscape, licence cc0|cc-by, safe search off');
    expect(shown.out).toMatch(/pexels\s+done: 5 found, 1 saved, 0 failed, 4 filtered/);
  });

  it('refuses bad list flags with exit 2, naming the flag', async () => {
    for (const [args, message] of [
      [['--status', 'done'], /--status: unknown state "done"/],
      [['--since', 'yesterday'], /--since="yesterday"/],
      [['--limit', '0'], /--limit="0"/],
    ] as const) {
      const result = await cli(['jobs', 'list', ...args]);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(message);
    }
  });

  it('shows a job with its sources, counts, last events and its own log lines', async () => {
    await job('j1', 'otters', 1000);
    await store.appendEvent('j1', 'source.finished', { jobId: 'j1', source: 'pexels', run: { status: 'done' } });
    await mkdir(path.join(cwd, 'data', 'logs'), { recursive: true });
    const lines = [
      { time: ago(500), level: 'info', msg: 'JOB START', jobId: 'j1', query: 'otters' },
      { time: ago(400), level: 'info', msg: 'JOB START', jobId: 'other', query: 'cats' },
      { time: ago(300), level: 'warn', msg: 'ITEM FAILED', jobId: 'j1', url: 'http://127.0.0.1/x' },
    ];
    await writeFile(path.join(cwd, 'data', 'logs', 'trawl.log'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\nnot json\n`);

    const shown = await cli(['jobs', 'show', 'j1']);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('job j1: "otters"');
    expect(shown.out).toMatch(/pexels\s+pending: 0 found/);
    expect(shown.out).toMatch(/#\d+ {2}source\.finished {2}pexels done/);
    expect(shown.out).toMatch(/INFO +JOB START {2}query=otters/);
    expect(shown.out).toMatch(/WARN +ITEM FAILED {2}url=http:\/\/127\.0\.0\.1\/x/);
    expect(shown.out).not.toContain('cats');

    const json = JSON.parse((await cli(['jobs', 'show', 'j1', '--json'])).out) as { job: { id: string }; events: unknown[]; log: unknown[] };
    expect([json.job.id, json.events.length, json.log.length]).toEqual(['j1', 1, 2]);
    const missing = await cli(['jobs', 'show', 'nope']);
    expect([missing.code, missing.err]).toEqual([1, 'trawl: TRAWL_NOT_FOUND: job nope does not exist\n']);
  });

  it('show and cancel take a unique id prefix of at least 4 characters, as git does', async () => {
    for (const id of ['abcd-1111', 'abcd-2222', 'abce-3333', 'ab']) await job(id, `q ${id}`, 1000);
    const shown = await cli(['jobs', 'show', 'abce']);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('job abce-3333: "q abce-3333"');
    expect((await cli(['jobs', 'show', 'ab'])).out).toContain('job ab: "q ab"');

    const ambiguous = await cli(['jobs', 'show', 'abcd']);
    expect([ambiguous.code, ambiguous.out, ambiguous.err]).toEqual([2, '', 'trawl: job id prefix "abcd" is ambiguous: it starts 2 jobs: abcd-1111, abcd-2222; give more of the id\n']);
    expect((await cli(['jobs', 'cancel', 'abcd'])).code).toBe(2);
    expect((await store.getJob('abcd-1111'))?.status).toBe('queued');
    const short = await cli(['jobs', 'show', 'abc']);
    expect([short.code, short.err]).toEqual([1, 'trawl: TRAWL_NOT_FOUND: job abc does not exist\n']);

    const cancelled = await cli(['jobs', 'cancel', 'abcd-2']);
    expect([cancelled.code, cancelled.out]).toEqual([0, 'job abcd-2222 was queued; it is cancelled now\n']);
    for (let n = 0; n < 7; n++) await job(`zzzz-${n}`, 'many', 1000);
    expect((await cli(['jobs', 'cancel', 'zzzz-'])).err).toBe('trawl: job id prefix "zzzz-" is ambiguous: it starts more than 5 jobs, among them zzzz-0, zzzz-1, zzzz-2, zzzz-3, zzzz-4; give more of the id\n');
  });

  it('shows only the last 20 events and 40 log lines of a long job, read from the end of a 50 MB log', async () => {
    await job('long', 'long', 1000);
    for (let n = 0; n < 30; n++) await store.appendEvent('long', 'source.progress', { jobId: 'long', source: 'nasa', message: `step ${n}` });
    await mkdir(path.join(cwd, 'data', 'logs'), { recursive: true });
    const noise = `${JSON.stringify({ time: ago(900), level: 'info', msg: 'JOB START', jobId: 'other', pad: 'x'.repeat(1000) })}\n`.repeat(50 * 1024);
    const mine = Array.from({ length: 45 }, (_, n) => JSON.stringify({ time: ago(100), level: 'info', msg: `STEP ${n}`, jobId: 'long' })).join('\n');
    await writeFile(path.join(cwd, 'data', 'logs', 'trawl.log'), `${noise}${mine}\n`);

    const shown = await cli(['jobs', 'show', 'long']);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('last events (20 of 30):');
    expect(shown.out).toContain('step 29');
    expect(shown.out).toContain('step 10');
    expect(shown.out).not.toMatch(/step 9\b/);
    expect(shown.out).toContain('log lines (40, newest last):');
    expect(shown.out).toMatch(/STEP 5\b[\s\S]*STEP 44\b/);
    expect(shown.out).not.toMatch(/STEP 4\b/);
  });

  it('cancels a queued job at once, waits for a running one, and leaves an ended one', async () => {
    await job('queued', 'q', 1000);
    const queued = await cli(['jobs', 'cancel', 'queued']);
    expect([queued.code, queued.out]).toEqual([0, 'job queued was queued; it is cancelled now\n']);
    expect(await store.getJob('queued')).toMatchObject({ status: 'cancelled', error: { code: 'TRAWL_CANCELLED', message: 'cancelled by trawl jobs cancel' } });
    expect((await store.listEvents('queued')).map((e) => e.name)).toEqual(['job.finished']);

    // A running job whose worker never answers: the command waits 2 heartbeats, then says so.
    await job('running', 'r', 1000);
    await store.claimJob('running', 'host:1:dead', ago(10));
    const started = Date.now();
    const running = await cli(['jobs', 'cancel', 'running']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(running.code).toBe(0);
    expect(running.out).toMatch(/^cancel requested; job running is still running after 200ms: its worker host:1:dead stops it at its next heartbeat/);
    expect(await store.getCancelRequest('running')).not.toBeNull();

    const ended = await cli(['jobs', 'cancel', 'queued']);
    expect([ended.code, ended.out]).toEqual([0, 'job queued had already ended: cancelled; nothing to cancel\n']);
    expect((await cli(['jobs', 'cancel', 'nope'])).code).toBe(1);
  });

  it('cleans up: closes stuck jobs as failed and says what it did', async () => {
    await job('stuck', 'lost cause', 60_000);
    await store.claimJob('stuck', 'host:2:gone', ago(30_000));
    const result = await cli(['jobs', 'cleanup']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^checked 1 running job: 1 stuck, closed as failed\n {2}stuck "lost cause": worker host:2:gone lost: last heartbeat .*, 30s ago; no source was running\nremoved 0 orphaned temp files from /);
    expect(await store.getJob('stuck')).toMatchObject({ status: 'failed', error: { code: 'TRAWL_WORKER_LOST' } });
    const again = JSON.parse((await cli(['jobs', 'cleanup', '--json'])).out) as { reaped: unknown[] };
    expect(again.reaped).toEqual([]);
  });

  it('doctor: exit 0 when healthy, 1 with a line per problem, 2 for a bad setting', async () => {
    const healthy = await cli(['doctor']);
    expect(healthy.code).toBe(0);
    expect(healthy.out).toMatch(/TRAWL_HEARTBEAT_INTERVAL\s+100ms\s+env/);
    expect(healthy.out).toContain('no problems found');

    await job('stuck', 'q', 60_000);
    await store.claimJob('stuck', 'host:3:x', ago(30_000));
    const sick = await cli(['doctor', '--json']);
    expect(sick.code).toBe(1);
    expect((JSON.parse(sick.out) as { ok: boolean; problems: string[] }).problems).toEqual([expect.stringMatching(/^1 stuck job, .*stuck \(worker host:3:x/) as string]);

    const bad = await cli(['doctor'], { TRAWL_HEARTBEAT_INTERVAL: 'often' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('TRAWL_HEARTBEAT_INTERVAL="often": expected a duration');
    expect(bad.out).toBe('');
  });
});

/**
 * The real `trawl` binary as a user runs it: the --json report is the only thing on stdout, exit
 * codes follow the contract, bad usage names the flag, and Ctrl-C cancels cleanly.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobReport } from '../src/services/report.js';
import { type Harness, leftoverTempFiles, runCli, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ itemsPerQuery: 8 });
});
afterEach(async () => {
  await h.close();
});

describe('trawl fetch', () => {
  it('prints only the JSON report on stdout and exits 0 when completed', async () => {
    const result = await runCli(['fetch', 'cats', '--sources', 'openverse,pexels', '--limit', '3', '--json'], h);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as JobReport;
    expect(report.status).toBe('completed');
    expect(report.downloaded).toBe(6);
    for (const item of report.items) {
      expect(item.path.startsWith('downloads')).toBe(true);
      expect((await readFile(path.join(h.cwd, item.path))).length).toBe(item.bytes);
    }
    // Progress went to stderr as plain lines (not a TTY), with the job's end.
    expect(result.stderr).toMatch(/openverse: done/);
    // The operator log carries the names operators grep for.
    const log = await readFile(path.join(h.cwd, 'data/logs/trawl.log'), 'utf8');
    for (const name of ['JOB START', 'CONFIG', 'SOURCE COMPLETED', 'JOB COMPLETE']) expect(log).toContain(`"msg":"${name}"`);
  });

  it('exits 3 when the job budget runs out, and logs GLOBAL TIMEOUT', async () => {
    h.sim.setFaults([{ target: '*:media', fault: 'stall' }]);
    const result = await runCli(['fetch', 'cats', '--sources', 'openverse', '--job-timeout', '1s', '--json'], h);
    expect(result.code).toBe(3);
    expect((JSON.parse(result.stdout) as JobReport).error?.code).toBe('TRAWL_JOB_TIMEOUT');
    const log = await readFile(path.join(h.cwd, 'data/logs/trawl.log'), 'utf8');
    expect(log).toContain('"msg":"GLOBAL TIMEOUT"');
    // The job passed 80% of its budget first: operators were warned before it hit.
    expect(log).toMatch(/"msg":"ALERT".*has used 80% of its 1\.0s budget|has used 80% of its 1\.0s budget.*"msg":"ALERT"/);
  });

  it('exits 1 when every source fails', async () => {
    h.sim.setFaults([{ target: 'openverse', fault: 'server-error', status: 500 }]);
    const result = await runCli(['fetch', 'cats', '--sources', 'openverse', '--json'], h, { env: { TRAWL_SOURCE_TIMEOUT: '20s' } });
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as JobReport).status).toBe('failed');
  });

  it.each([
    [['fetch', 'cats', '--limit', 'many'], /--limit/],
    [['fetch', 'cats', '--type', 'gif'], /--type/],
    [['fetch', 'cats', '--sources', 'nope'], /--sources: unknown source "nope"/],
    [['fetch', 'cats', '--job-timeout', 'soon'], /--job-timeout="soon"/],
    [['fetch', 'cats', '--bogus'], /unknown option '--bogus'/],
    [['fetch'], /missing required argument 'query'/],
    [['fetch', '   '], /<query>: must not be empty/],
  ])('exits 2 for %j naming the problem', async (args, message) => {
    const result = await runCli(args, h);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it.skipIf(process.platform === 'win32')('cancels cleanly on Ctrl-C (SIGINT): exit 130, job cancelled, nothing partial', async () => {
    h.sim.setFaults([{ target: '*:media', fault: 'stall' }]);
    let sent = false;
    const result = await runCli(['fetch', 'cats', '--sources', 'openverse', '--json'], h, {
      onStderr: (text, child) => {
        if (!sent && text.includes('openverse: started')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      },
    });
    expect(result.code).toBe(130);
    const report = JSON.parse(result.stdout) as JobReport;
    expect(report.status).toBe('cancelled');
    await h.sim.waitForClosed((r) => r.fault === 'stall', 1_000);
    expect(await leftoverTempFiles(h.cwd)).toEqual([]);
  });
});

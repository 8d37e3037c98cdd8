import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../domain.js';
import { type Simulator, startSimulator } from '../sim/simulator.js';
import { openSqliteStore } from '../store/sqlite/sqlite.store.js';
import type { CliIo } from './io.js';
import { runCli } from './main.js';

let dir: string;
let sim: Simulator;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trawl-serve-'));
  sim = await startSimulator({ itemsPerQuery: 6 });
});
afterEach(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

/** An in-process CliIo: captures stderr, and `interrupt()` plays Ctrl-C. */
function testIo(env: Record<string, string>): CliIo & { err: () => string; interrupt: () => void } {
  let stderr = '';
  let handler: (() => void) | undefined;
  return {
    stdout: { write: () => true },
    stderr: { write: (text: string) => ((stderr += text), true) },
    env: { ...sim.env(), TRAWL_DATA_DIR: path.join(dir, 'data'), ...env },
    cwd: dir,
    exitCode: 0,
    onInterrupt(h) {
      handler = h;
      return () => {
        handler = undefined;
      };
    },
    err: () => stderr,
    interrupt: () => handler?.(),
  };
}

const until = async (check: () => boolean, what: string): Promise<void> => {
  for (const deadline = Date.now() + 10_000; !check(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
};

describe('trawl serve', () => {
  it('serves the API until Ctrl-C, then cancels its running jobs and exits 0', async () => {
    const io = testIo({});
    sim.setFaults([{ target: '*:media', fault: 'stall' }]);
    const exit = runCli(['node', 'trawl', 'serve', '--port', '0'], io);
    await until(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(io.err()), 'the server to listen');
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(io.err())?.[1] ?? '';
    expect(await (await fetch(`${url}/api/health`)).json()).toMatchObject({ status: 'ok' });
    const created = await fetch(`${url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"cats","sources":["openverse"]}' });
    const job = (await created.json()) as Job;
    await until(() => sim.requests().some((r) => r.target === 'media'), 'a download to start');
    io.interrupt();
    expect(await exit).toBe(0);
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    const store = openSqliteStore(path.join(dir, 'data', 'trawl.db'));
    try {
      expect(await store.getJob(job.id)).toMatchObject({ status: 'cancelled', error: { code: 'TRAWL_CANCELLED' } });
    } finally {
      await store.close();
    }
    await sim.waitForClosed((r) => r.target === 'media', 5_000);
  });

  it.each([['abc'], ['-1'], ['70000'], ['1.5']])('refuses --port %s with exit 2 naming the flag', async (port) => {
    const io = testIo({});
    expect(await runCli(['node', 'trawl', 'serve', '--port', port], io)).toBe(2);
    expect(io.err()).toMatch(/--port: must be a port number/);
  });

  it('refuses a non-loopback --host without TRAWL_API_TOKEN (exit 2)', async () => {
    const io = testIo({});
    expect(await runCli(['node', 'trawl', 'serve', '--host', '0.0.0.0', '--port', '0'], io)).toBe(2);
    expect(io.err()).toMatch(/TRAWL_API_TOKEN/);
  });
});

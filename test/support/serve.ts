/**
 * A real `trawl serve` (the built `bin/trawl.js`) as a child process on 127.0.0.1, a free port: for
 * tests that point outside tools at a live server or signal the process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { type Harness, ROOT, waitFor } from './harness.js';

/** A running `trawl serve`. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Everything it wrote to stderr so far. */
  output(): string;
  /** Ctrl-C, then waits for it to exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `trawl serve --port 0 [...args]` in the harness's directory and waits until it listens. */
export async function startServe(h: Harness, args: readonly string[] = [], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/trawl.js'), 'serve', '--port', '0', ...args], {
    cwd: h.cwd,
    env: { PATH: process.env.PATH ?? '', ...h.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    const url = await waitFor('trawl serve to listen', () => {
      if (child.exitCode !== null) throw new Error(`trawl serve exited with ${child.exitCode}: ${output}`);
      return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    });
    return { child, url, output: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

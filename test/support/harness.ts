/**
 * Integration-test harness: a simulator on 127.0.0.1, a throw-away working directory with its own
 * data dir, and helpers to run the real engine in-process or the real CLI as a child process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '../../src/config/config.js';
import type { Job } from '../../src/domain.js';
import { harvest } from '../../src/services/harvest.js';
import { type JobInput, buildJobRequest } from '../../src/services/job-request.js';
import { type JobReport, buildReport } from '../../src/services/report.js';
import { type Runtime, openRuntime } from '../../src/services/runtime.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/sim/simulator.js';
import { SOURCE_LIST } from '../../src/sources/registry.js';
import type { Source } from '../../src/sources/source.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Harness {
  sim: Simulator;
  /** The working directory of the run (data dir, downloads). */
  cwd: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts a simulator and makes a fresh working directory whose env points Trawl at it. */
export async function startHarness(options: SimulatorOptions = {}, extraEnv: Record<string, string> = {}): Promise<Harness> {
  const sim = await startSimulator(options);
  const cwd = await mkdtemp(path.join(tmpdir(), 'trawl-it-'));
  const env = { ...sim.env(), TRAWL_DATA_DIR: path.join(cwd, 'data'), ...extraEnv };
  return {
    sim,
    cwd,
    env,
    async close() {
      await sim.close();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

export interface EngineRun {
  job: Job;
  report: JobReport;
  config: Config;
  elapsedMs: number;
}

/** Runs one job with the real engine in this process (what `trawl fetch` does, minus the CLI). */
export async function runEngine(
  h: Harness,
  input: JobInput,
  options: { env?: Record<string, string>; cancelAfterMs?: number; onRuntime?: (r: Runtime) => void; sources?: readonly Source[] } = {},
): Promise<EngineRun> {
  const config = loadConfig({ env: { ...h.env, ...options.env }, cwd: h.cwd });
  const registry = options.sources ?? SOURCE_LIST;
  const request = buildJobRequest({ outDir: path.join(h.cwd, 'downloads'), ...input }, config, registry);
  const runtime = await openRuntime(config, { sources: registry });
  options.onRuntime?.(runtime);
  const cancel = new AbortController();
  const timer = options.cancelAfterMs === undefined ? undefined : setTimeout(() => cancel.abort(), options.cancelAfterMs);
  const start = Date.now();
  try {
    const job = await harvest(runtime, request, { cancel: cancel.signal });
    const elapsedMs = Date.now() - start;
    return { job, report: await buildReport(runtime.deps.store, job), config, elapsedMs };
  } finally {
    clearTimeout(timer);
    await runtime.close();
  }
}

/** Every file below `dir` (relative paths, forward slashes), including hidden temp files. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path.join(dir, sub), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(rel);
      else out.push(rel);
    }
  };
  await walk('');
  return out.sort();
}

/** Temp or partial files left anywhere below `dir` (there must never be any after a job). */
export async function leftoverTempFiles(dir: string): Promise<string[]> {
  return (await listFiles(dir)).filter((f) => /(^|\/)\.trawl-|\.part$|\.tmp$/.test(f));
}

export async function fileSize(file: string): Promise<number> {
  return (await stat(file)).size;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs the built CLI (`bin/trawl.js`) as a child process; `onSpawn` may signal it. */
export function runCli(args: string[], h: Harness, options: { env?: Record<string, string>; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/trawl.js'), ...args], {
      cwd: h.cwd,
      env: { PATH: process.env.PATH ?? '', ...h.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - start }));
  });
}

/** Polls `probe` every 25 ms until it returns a value, which it resolves with; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The downloaders Trawl is compared with, and Trawl itself, as child processes timed from spawn to
 * exit (start-up included for every tool): aria2c, curl, the old Python design, and Trawl's
 * compiled engine (bench/harvest-worker.mjs). Missing peers are installed with apt when possible.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The tools, in the order runs alternate. */
export const TOOLS = ['trawl', 'aria2c', 'curl', 'python'] as const;
export type Tool = (typeof TOOLS)[number];

/** What one timed run did. */
export interface RunResult {
  seconds: number;
  files: number;
  bytes: number;
  /** Trawl only: its own measurements (job time, store time, CPU, peak RSS). */
  detail?: Record<string, unknown>;
}

/** One download task: the same URLs for every tool; Trawl finds them by searching. */
export interface Task {
  /** File with one URL a line (aria2c, Python). */
  listFile: string;
  /** curl config with the same URLs. */
  curlConfig: string;
  /** Items per Trawl job (a job takes at most 1,000 per source). */
  limits: number[];
  /** The simulator's env lines (origins, key, allowed hosts). */
  env: Record<string, string>;
}

const ROOT = path.resolve(import.meta.dirname, '..');

/** Which peers can run here, installing aria2 and python3-requests with apt when they are missing. */
export function preparePeers(): { tools: Tool[]; python: string; notes: string[] } {
  const notes: string[] = [];
  if (!works('aria2c', ['--version'])) aptInstall('aria2', notes);
  let python = ['/usr/bin/python3', 'python3'].find((p) => works(p, ['-c', 'import requests']));
  if (python === undefined) {
    aptInstall('python3-requests', notes);
    python = works('/usr/bin/python3', ['-c', 'import requests']) ? '/usr/bin/python3' : undefined;
  }
  const tools = TOOLS.filter((t) => (t === 'aria2c' ? works('aria2c', ['--version']) : t === 'curl' ? works('curl', ['--version']) : t === 'python' ? python !== undefined : true));
  for (const t of TOOLS) if (!tools.includes(t)) notes.push(`${t} is not available: skipped`);
  return { tools, python: python ?? 'python3', notes };
}

/** The first line of each tool's version, for the results file. */
export function versions(python: string): Record<string, string> {
  const first = (cmd: string, args: string[]): string => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim() ?? '?';
  return { node: process.version, aria2c: first('aria2c', ['--version']), curl: first('curl', ['--version']), python: first(python, ['-c', 'import sys, requests; print(sys.version.split()[0], "requests", requests.__version__)']) };
}

function works(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

function aptInstall(pkg: string, notes: string[]): void {
  if (process.getuid?.() !== 0) return void notes.push(`${pkg} missing and not root: run apt-get install -y ${pkg}`);
  const install = (): boolean => spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'ignore' }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    if (!install()) return void notes.push(`apt-get install -y ${pkg} failed`);
  }
  notes.push(`installed ${pkg} with apt-get`);
}

/** Writes the URL list for aria2c and Python, and a curl config naming each output file. */
export async function writeUrlFiles(urls: readonly string[], dir: string): Promise<Pick<Task, 'listFile' | 'curlConfig'>> {
  const listFile = path.join(dir, 'urls.txt');
  const curlConfig = path.join(dir, 'curl.cfg');
  await writeFile(listFile, `${urls.join('\n')}\n`);
  await writeFile(curlConfig, `remote-name-all\n${urls.map((u) => `url = "${u}"`).join('\n')}\n`);
  return { listFile, curlConfig };
}

/** Runs `tool` on `task` into the empty directory `dir`; `urlsOut` asks Trawl to list what it fetched. */
export async function runTool(tool: Tool, task: Task, dir: string, python: string, urlsOut?: string): Promise<RunResult> {
  const out = path.join(dir, 'out');
  const [cmd, args, env] = command(tool, task, dir, out, python, urlsOut);
  if (tool !== 'trawl') spawnSync('mkdir', ['-p', out]);
  const started = performance.now();
  const stdout = await exec(cmd, args, env);
  const seconds = (performance.now() - started) / 1000;
  if (tool === 'trawl') {
    const detail = JSON.parse(stdout) as Record<string, unknown>;
    return { seconds, files: Number(detail.downloaded), bytes: Number(detail.bytes), detail };
  }
  return { seconds, ...(await countFiles(out)) };
}

function command(tool: Tool, task: Task, dir: string, out: string, python: string, urlsOut?: string): [string, string[], NodeJS.ProcessEnv] {
  switch (tool) {
    case 'trawl': {
      const env = { ...process.env, ...task.env, TRAWL_DATA_DIR: path.join(dir, 'data') };
      return [process.execPath, [path.join(ROOT, 'bench/harvest-worker.mjs'), dir, task.limits.join(','), ...(urlsOut === undefined ? [] : [urlsOut])], env];
    }
    case 'aria2c':
      return ['aria2c', ['-j16', '-i', task.listFile, '-d', out, '-q', '--file-allocation=none', '--auto-file-renaming=false', '--summary-interval=0'], process.env];
    case 'curl':
      return ['curl', ['-s', '--fail', '--parallel', '--parallel-max', '16', '--output-dir', out, '-K', task.curlConfig], process.env];
    case 'python':
      return [python, [path.join(ROOT, 'bench/python_baseline.py'), task.listFile, out], process.env];
  }
}

/** Runs a command to completion and resolves with its stdout; a non-zero exit rejects with its stderr. */
export function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${cmd} exited with ${code}: ${stderr}`))));
  });
}

async function countFiles(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(path.join(dir, entry.name))).size;
  }
  return { files, bytes };
}

/**
 * Peak memory while downloading many large files at once: 16 × 200 MB videos (configurable). The
 * simulator streams them from its own process, and the job runs in another process on the
 * compiled engine (bench/memory-worker.mjs, plain node as users run Trawl), so the peak RSS is
 * Trawl's alone: real HTTP client, guards, downloader and store; only the source is a bench one.
 * Usage: tsx bench/memory.ts [files=16] [megabytes=200]   (run `npm run build` first)
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { saveResult, tempDir } from './support.js';

const FILES = Number(process.argv[2] ?? 16);
const MB = Number(process.argv[3] ?? 200);
const ROOT = path.resolve(import.meta.dirname, '..');

/** Starts `trawl sim` as a child process and resolves with its origin. */
function startSimProcess(): Promise<{ origin: string; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/trawl.js'), 'sim', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const origin = /TRAWL_ORIGIN_PEXELS=(\S+)/.exec(out)?.[1];
      if (origin) resolve({ origin, stop: () => child.kill() });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
}

/** Runs the worker and resolves with the JSON line it prints. */
function runWorker(origin: string, dir: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bench/memory-worker.mjs'), origin, String(FILES), String(MB), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, unknown>) : reject(new Error(`worker exited with ${code}`))));
  });
}

const sim = await startSimProcess();
const dir = await tempDir('memory');
try {
  const result = { files: FILES, fileMiB: MB, ...(await runWorker(sim.origin, dir)) };
  console.table([result]);
  console.log(`goal: peak RSS well under 150 MB for 16 × 200 MB; results in ${await saveResult('memory', result)}`);
} finally {
  sim.stop();
  await rm(dir, { recursive: true, force: true });
}

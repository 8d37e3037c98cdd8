/** Shared pieces of the benchmark scripts: temp dirs, percentiles, result files. */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';

export const RESULTS_DIR = path.resolve(import.meta.dirname, 'results');

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `trawl-bench-${prefix}-`));
}

/** The p-th percentile (0–100) of the values, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Describes the machine the numbers come from. */
export function machine(): Record<string, unknown> {
  return { node: process.version, platform: process.platform, cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) };
}

/** Writes `bench/results/<name>.json` with the machine and the date. */
export async function saveResult(name: string, result: unknown): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  await writeFile(file, `${JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), result }, null, 2)}\n`);
  return file;
}

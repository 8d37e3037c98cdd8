/**
 * Runs every benchmark in turn and prints their tables (each also writes bench/results/<name>.json).
 * Usage: npm run bench
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const here = import.meta.dirname;
const benches: Array<[string, string[]]> = [
  ['deadlines.ts', ['30']],
  ['memory.ts', ['16', '200']],
  ['sse-latency.ts', ['6', '5']],
];
let failed = 0;
for (const [file, args] of benches) {
  console.log(`\n## ${file} ${args.join(' ')}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file), ...args], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;

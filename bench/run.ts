/**
 * Runs every benchmark in turn and prints their tables (each also writes bench/results/<name>.json;
 * throughput also writes bench/results/throughput.svg).
 * Usage: npm run bench [-- --quick]   (--quick: smaller matrices and fewer runs, a few minutes)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const here = import.meta.dirname;
const quick = process.argv.includes('--quick');
const benches: Array<[string, string[]]> = [
  ['deadlines.ts', [quick ? '10' : '30']],
  ['memory.ts', quick ? ['16', '50'] : ['16', '200']],
  ['sse-latency.ts', ['6', '5']],
  ['throughput.ts', quick ? ['--quick'] : []],
  ['scaling.ts', quick ? ['--quick', '--runs', '1'] : []],
  ['workers.ts', quick ? ['20', '1,2'] : ['60', '1,2,4']],
];
let failed = 0;
for (const [file, args] of benches) {
  console.log(`\n## ${file} ${args.join(' ')}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file), ...args], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;

/**
 * How Trawl's cost grows: wall time, CPU and peak RSS per item as the number of items grows
 * (500 → 10,000) and as the number of concurrent jobs grows (1 → 20). Each run is one process of
 * bench/harvest-worker.mjs (compiled engine, plain node) running its jobs at once with several
 * harvest() calls in one runtime, as `trawl serve` runs them: one job takes at most 1,000 items per
 * source, so N > 1,000 items are N/1,000 concurrent jobs. Images are 20 KiB so per-item overhead,
 * not bandwidth, dominates. Runs of the different sizes alternate; the best of the runs is reported
 * (the machine is shared: the fastest run is the one least disturbed), and a straight line
 * wall = fixed + items × marginal is fitted to say whether cost grows linearly.
 * Usage: tsx bench/scaling.ts [--counts 500,1000,2000,5000,10000] [--jobs 1,2,5,10,20] [--per-job 100] [--runs 2] [--quick]
 */
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startSimulator } from '../src/sim/simulator.js';
import { runTool, type RunResult } from './peers.js';
import { saveResult, tempDir } from './support.js';

const { values: args } = parseArgs({ options: { counts: { type: 'string' }, jobs: { type: 'string' }, 'per-job': { type: 'string' }, runs: { type: 'string' }, quick: { type: 'boolean' } } });
const quick = args.quick === true;
const numbers = (text: string): number[] => text.split(',').map(Number);
const COUNTS = numbers(args.counts ?? (quick ? '500,1000,2000' : '500,1000,2000,5000,10000'));
const JOBS = numbers(args.jobs ?? (quick ? '1,5,10' : '1,2,5,10,20'));
const PER_JOB = Number(args['per-job'] ?? 100);
const RUNS = Number(args.runs ?? 2);
const IMAGE_KIB = 20;

/** One configuration: items split into concurrent jobs. */
interface Shape {
  axis: 'items' | 'jobs';
  limits: number[];
}

const itemShapes: Shape[] = COUNTS.map((n) => {
  const jobs = Math.ceil(n / 1000);
  return { axis: 'items', limits: Array.from({ length: jobs }, (_, k) => Math.floor(n / jobs) + (k < n % jobs ? 1 : 0)) };
});
const jobShapes: Shape[] = JOBS.map((jobs) => ({ axis: 'jobs', limits: Array.from({ length: jobs }, () => PER_JOB) }));
const shapes = [...itemShapes, ...jobShapes];

const best = (values: number[]): number => Math.min(...values);
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

function row(shape: Shape, runs: RunResult[]): Record<string, string | number> {
  const items = sum(shape.limits);
  const detail = (key: string): number => best(runs.map((r) => Number(r.detail?.[key])));
  const storeMs = best(runs.map((r) => sum(Object.values((r.detail?.storeMs ?? {}) as Record<string, number>))));
  const wall = best(runs.map((r) => r.seconds));
  return {
    axis: shape.axis, items, jobs: shape.limits.length, wallS: round(wall), perItemMs: round((wall * 1000) / items),
    cpuPerItemMs: round(detail('cpuMs') / items), storePerItemMs: round(storeMs / items), peakRssMiB: detail('peakRssMiB'), complete: runs.every((r) => r.files === items) ? 'yes' : 'NO',
  };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * Least-squares line wall = fixedS + items × marginalMs: a straight line that fits (r² near 1)
 * means cost grows linearly; the per-item average then falls only because the fixed cost
 * (process start-up, opening the store) is shared by more items.
 */
function fit(rows: Array<Record<string, string | number>>, axis: Shape['axis']): Record<string, string | number> {
  const points = rows.filter((r) => r.axis === axis).map((r) => ({ x: Number(r.items), y: Number(r.wallS) }));
  const n = points.length;
  const mx = sum(points.map((p) => p.x)) / n;
  const my = sum(points.map((p) => p.y)) / n;
  const slope = sum(points.map((p) => (p.x - mx) * (p.y - my))) / sum(points.map((p) => (p.x - mx) ** 2));
  const intercept = my - slope * mx;
  const residual = sum(points.map((p) => (p.y - (intercept + slope * p.x)) ** 2));
  const r2 = 1 - residual / sum(points.map((p) => (p.y - my) ** 2));
  const [before, last] = points.slice(-2);
  const lastStep = before && last ? (last.y - before.y) / (last.x - before.x) : slope;
  const verdict = r2 >= 0.95 ? 'linear: a straight line fits' : lastStep > 1.25 * slope ? 'worse than linear: the last step costs more per item' : 'no worse than linear, but the line fits loosely (noisy runs)';
  return { axis, points: n, fixedS: round(intercept), marginalMsPerItem: round(slope * 1000), lastStepMsPerItem: round(lastStep * 1000), r2: round(r2), verdict };
}

const sim = await startSimulator({ itemsPerQuery: Math.max(1000, PER_JOB), imageBytes: IMAGE_KIB * 1024, sharedPixels: true });
const results = shapes.map(() => [] as RunResult[]);
try {
  for (let run = 0; run < RUNS; run++) {
    for (const [i, shape] of shapes.entries()) {
      const dir = await tempDir('scaling');
      try {
        const result = await runTool('trawl', { listFile: '', curlConfig: '', limits: shape.limits, env: sim.env() }, dir, '');
        results[i]?.push(result);
        process.stderr.write(`  ${sum(shape.limits)} items in ${shape.limits.length} job(s), run ${run + 1}: ${result.seconds.toFixed(2)} s\n`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
} finally {
  await sim.close();
}
const rows = shapes.map((shape, i) => row(shape, results[i] ?? []));
console.table(rows);
const verdicts = [fit(rows, 'items'), fit(rows, 'jobs')];
console.table(verdicts);
console.log(`results in ${await saveResult('scaling', { imageKiB: IMAGE_KIB, perJob: PER_JOB, runs: RUNS, how: 'several harvest() calls in one runtime, one process per run; best of the runs', rows, verdicts })}`);

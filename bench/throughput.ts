/**
 * Throughput side by side: the simulator serves N PNG images of S KiB (every image unique, see the
 * `sharedPixels` simulator option); Trawl searches the simulator's Pexels API and harvests them
 * (download, sniff, header check, sha256, store, manifest), and the same URL list goes to
 * `aria2c -j16`, `curl --parallel --parallel-max 16` and bench/python_baseline.py (the old design).
 * Runs alternate trawl, aria2c, curl, python, trawl, …; each tool is timed from spawn to exit.
 * Usage: tsx bench/throughput.ts [--counts 500,2000] [--sizes 20,100,1000] [--runs 3] [--quick | --full] [--name throughput]
 * Default: counts 500,2000 × sizes 20,100,1000 (≈ 15 min on 2 shared cores); `--full` adds 10,000
 * files (about an hour here: aria2c and the Python design manage only ~100–300 files/s on this box);
 * `--quick` = counts 500,2000 × 100 KiB. Run `npm run build` first (Trawl runs from dist/).
 */
import { rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../src/sim/simulator.js';
import { lineChartSvg } from './chart.js';
import { preparePeers, runTool, type RunResult, type Task, type Tool, versions, writeUrlFiles } from './peers.js';
import { RESULTS_DIR, percentile, saveResult, tempDir } from './support.js';

const { values: args } = parseArgs({ options: { counts: { type: 'string' }, sizes: { type: 'string' }, runs: { type: 'string' }, quick: { type: 'boolean' }, full: { type: 'boolean' }, name: { type: 'string' } } });
const numbers = (text: string): number[] => text.split(',').map(Number);
const COUNTS = numbers(args.counts ?? (args.full === true ? '500,2000,10000' : '500,2000'));
const SIZES = numbers(args.sizes ?? (args.quick === true ? '100' : '20,100,1000'));
const RUNS = Number(args.runs ?? 3);
/** Results go to bench/results/<name>.json and .svg, so a focused run can sit beside the default one. */
const NAME = args.name ?? 'throughput';
/** MAX_LIMIT: one job takes at most this many items from one source. */
const PER_JOB = 1000;

/** One tool's runs in one cell of the matrix. */
interface Measured {
  files: number;
  sizeKiB: number;
  tool: Tool;
  runs: RunResult[];
}

/** Items per Trawl job: N split evenly into jobs of at most 1,000. */
function jobLimits(n: number): number[] {
  const jobs = Math.ceil(n / PER_JOB);
  return Array.from({ length: jobs }, (_, k) => Math.floor(n / jobs) + (k < n % jobs ? 1 : 0));
}

/** The URLs Trawl's Pexels source will find: the simulator's API, paged as the source pages it. */
async function listUrls(origin: string, key: string, limits: number[]): Promise<string[]> {
  const urls: string[] = [];
  for (const [k, limit] of limits.entries()) {
    const perPage = Math.min(limit, 80);
    for (let page = 1; (page - 1) * perPage < limit; page++) {
      const response = await fetch(`${origin}/v1/search?query=${encodeURIComponent(`bench ${k}`)}&page=${page}&per_page=${perPage}`, { headers: { authorization: key } });
      const body = (await response.json()) as { photos: Array<{ src: { original: string } }> };
      urls.push(...body.photos.slice(0, limit - (page - 1) * perPage).map((p) => p.src.original));
    }
  }
  return urls;
}

async function measureCell(files: number, sizeKiB: number, tools: Tool[], python: string): Promise<Measured[]> {
  const limits = jobLimits(files);
  const sim = await startSimulator({ itemsPerQuery: Math.max(...limits), imageBytes: sizeKiB * 1024, sharedPixels: true });
  const cellDir = await tempDir('throughput');
  const measured = tools.map((tool) => ({ files, sizeKiB, tool, runs: [] as RunResult[] }));
  try {
    const env = sim.env();
    const urls = await listUrls(sim.url, env.PEXELS_API_KEY ?? '', limits);
    const task: Task = { ...(await writeUrlFiles(urls, cellDir)), limits, env };
    for (let run = 0; run < RUNS; run++) {
      for (const m of measured) {
        const dir = await tempDir(`${m.tool}`);
        const urlsOut = run === 0 && m.tool === 'trawl' ? path.join(cellDir, 'trawl-urls.txt') : undefined;
        try {
          m.runs.push(await runTool(m.tool, task, dir, python, urlsOut));
          if (urlsOut !== undefined) await checkSameUrls(urls, urlsOut);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
        process.stderr.write(`  ${files} × ${sizeKiB} KiB  ${m.tool.padEnd(6)} run ${run + 1}: ${m.runs.at(-1)?.seconds.toFixed(2)} s\n`);
      }
    }
  } finally {
    await sim.close();
    await rm(cellDir, { recursive: true, force: true });
  }
  return measured;
}

/** Trawl must have fetched exactly the URLs the other tools were given. */
async function checkSameUrls(urls: string[], trawlList: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const fetched = new Set((await readFile(trawlList, 'utf8')).split('\n').filter(Boolean));
  const missing = urls.filter((u) => !fetched.has(u));
  if (missing.length > 0 || fetched.size !== urls.length) throw new Error(`Trawl fetched other URLs than the list (${missing.length} of the list missing, ${fetched.size} fetched)`);
}

const median = (values: number[]): number => percentile(values, 50);

function summaryRow(m: Measured): Record<string, string | number | boolean> {
  const seconds = median(m.runs.map((r) => r.seconds));
  const bytes = median(m.runs.map((r) => r.bytes));
  return {
    files: m.files, sizeKiB: m.sizeKiB, tool: m.tool, medianS: round(seconds), runsS: m.runs.map((r) => r.seconds.toFixed(2)).join(' '),
    MBps: round(bytes / 1e6 / seconds), filesPerS: Math.round(m.files / seconds), complete: m.runs.every((r) => r.files === m.files),
  };
}

function ratioRow(cell: Measured[]): Record<string, string | number> {
  const time = (tool: Tool): number => median(cell.find((m) => m.tool === tool)?.runs.map((r) => r.seconds) ?? []);
  const trawl = time('trawl');
  const first = cell[0];
  return { files: first?.files ?? 0, sizeKiB: first?.sizeKiB ?? 0, trawlOverAria2c: round(trawl / time('aria2c')), trawlOverCurl: round(trawl / time('curl')), pythonOverTrawl: round(time('python') / trawl) };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function chart(rows: Array<Record<string, string | number | boolean>>, tools: Tool[]): string {
  const panels = COUNTS.map((files) => ({
    title: `${files.toLocaleString('en')} files`,
    values: Object.fromEntries(tools.map((tool) => [tool, SIZES.map((size) => Number(rows.find((r) => r.files === files && r.sizeKiB === size && r.tool === tool)?.MBps ?? NaN))])),
  }));
  return lineChartSvg({ title: 'Throughput by file size (median of alternating runs, loopback simulator)', yLabel: 'MB/s (10^6 bytes)', xLabels: SIZES.map((s) => `${s} KiB`), panels });
}

const loadBefore = loadavg().map(round);
const peers = preparePeers();
for (const note of peers.notes) console.log(`note: ${note}`);
const cells: Measured[][] = [];
for (const files of COUNTS) for (const size of SIZES) cells.push(await measureCell(files, size, peers.tools, peers.python));
const rows = cells.flat().map(summaryRow);
const ratios = cells.map(ratioRow);
console.table(rows);
console.table(ratios);
await writeFile(path.join(RESULTS_DIR, `${NAME}.svg`), chart(rows, peers.tools));
const trawlDetail = cells.flat().filter((m) => m.tool === 'trawl').map((m) => ({ files: m.files, sizeKiB: m.sizeKiB, runs: m.runs.map((r) => r.detail) }));
const file = await saveResult(NAME, { counts: COUNTS, sizesKiB: SIZES, runs: RUNS, versions: versions(peers.python), loadAverage: { before: loadBefore, after: loadavg().map(round) }, notes: peers.notes, rows, ratios, trawlDetail });
console.log(`goals: trawl/aria2c ≤ 1.0 at 2000 × 100 KiB; python/trawl ≥ 10. Results in ${file} and ${path.join(RESULTS_DIR, `${NAME}.svg`)}`);

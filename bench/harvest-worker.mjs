// The measured side of bench/throughput.ts and bench/scaling.ts: runs Trawl jobs with the compiled
// engine (dist/, plain node, as users run Trawl) against the simulator's Pexels API: real search,
// download, validation, hashing, store and manifest. A job takes at most 1,000 items per source
// (MAX_LIMIT), so N items are several jobs, run at once in one runtime, as `trawl serve` runs them;
// they share the runtime's per-host limit. Prints one JSON line.
// Args: <dir> <limits, e.g. 1000,1000> [urls-file]. The environment points Pexels at the simulator.
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../dist/config/config.js';
import { harvest } from '../dist/services/harvest.js';
import { buildJobRequest } from '../dist/services/job-request.js';
import { openRuntime } from '../dist/services/runtime.js';
import { SOURCE_LIST } from '../dist/sources/registry.js';

const [dir, limitsArg, urlsFile] = process.argv.slice(2);
const limits = limitsArg.split(',').map(Number);

const config = loadConfig({ env: process.env, cwd: dir });
const runtime = await openRuntime(config);

// Time spent in the store's writes, by method: the cost a batched write would save. SQLite runs on
// the main thread, so this time is taken from everything else the process does.
const store = runtime.deps.store;
const storeMs = {};
const storeCalls = {};
for (const name of ['addItem', 'appendEvent', 'appendEvents', 'saveSourceRun', 'updateJob', 'addFailure', 'renewLease', 'saveQuota', 'addSourceOutcome']) {
  const method = store[name]?.bind(store);
  if (method === undefined) continue;
  store[name] = async (...args) => {
    const started = performance.now();
    try {
      return await method(...args);
    } finally {
      storeMs[name] = (storeMs[name] ?? 0) + performance.now() - started;
      storeCalls[name] = (storeCalls[name] ?? 0) + 1;
    }
  };
}

const requests = limits.map((limit, k) =>
  buildJobRequest({ query: `bench ${k}`, sources: 'pexels', limit, outDir: `${dir}/out/${k}`, timeouts: { source: '30m', job: '30m', request: '60s' } }, config, SOURCE_LIST),
);
const started = performance.now();
const jobs = await Promise.all(requests.map((request) => harvest(runtime, request)));
const jobMs = performance.now() - started;
const items = (await Promise.all(jobs.map((job) => store.listItems(job.id)))).flat();
await runtime.close();

if (urlsFile !== undefined) await writeFile(urlsFile, `${items.map((i) => i.url).join('\n')}\n`);
process.stdout.write(`${JSON.stringify({
  statuses: [...new Set(jobs.map((j) => j.status))],
  downloaded: jobs.reduce((n, j) => n + j.downloaded, 0),
  bytes: items.reduce((n, i) => n + i.bytes, 0),
  failed: jobs.reduce((n, j) => n + j.sources.reduce((m, s) => m + s.failed, 0), 0),
  jobMs: Math.round(jobMs),
  storeMs: Object.fromEntries(Object.entries(storeMs).map(([k, v]) => [k, Math.round(v)])),
  storeCalls,
  cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
})}\n`);

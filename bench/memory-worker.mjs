// The measured side of bench/memory.ts: runs one job with the compiled engine (dist/, plain
// node, as users run Trawl) and prints its peak RSS as JSON. Args: <sim origin> <files> <MiB> <dir>
import { loadConfig } from '../dist/config/config.js';
import { harvest } from '../dist/services/harvest.js';
import { buildJobRequest } from '../dist/services/job-request.js';
import { openRuntime } from '../dist/services/runtime.js';
import { pexelsSource } from '../dist/sources/pexels.source.js';

const [origin, filesArg, mibArg, dir] = process.argv.slice(2);
const files = Number(filesArg);
const bytes = Number(mibArg) * 1024 * 1024;

// A Pexels-shaped, keyless source whose search hands out the simulator's streamed blobs; one byte
// more per file so each has its own content (identical bytes would be stored once).
const { keyVar: _keyless, ...shape } = pexelsSource;
const blobSource = {
  ...shape,
  async *search(request) {
    yield Array.from({ length: Math.min(request.limit, files) }, (_, i) => ({
      source: 'pexels', kind: 'video', url: `${origin}/media/blob/bench-${i}.mp4?bytes=${bytes + i}`,
      pageUrl: null, title: `bench ${i}`, author: null, authorUrl: null, license: null, licenseUrl: null, width: null, height: null,
    }));
  },
};

const config = loadConfig({ env: { TRAWL_DATA_DIR: `${dir}/data`, TRAWL_ALLOW_HOSTS: '127.0.0.1', TRAWL_MAX_FILE_SIZE: `${Number(mibArg) + 1}MiB` }, cwd: dir });
const runtime = await openRuntime(config, { sources: [blobSource] });
const request = buildJobRequest({ query: 'big', sources: 'pexels', type: 'video', limit: files, outDir: `${dir}/out`, timeouts: { source: '10m', job: '10m' } }, config, [blobSource]);
const baselineRss = process.memoryUsage().rss;
let peakArrayBuffers = 0;
const sampler = setInterval(() => {
  peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
}, 20);
const started = Date.now();
const job = await harvest(runtime, request);
const seconds = (Date.now() - started) / 1000;
clearInterval(sampler);
await runtime.close();
const mib = (n) => Math.round(n / 2 ** 20);
process.stdout.write(`${JSON.stringify({
  status: job.status, downloaded: job.downloaded, seconds,
  throughputMiBps: Math.round((job.downloaded * bytes) / 2 ** 20 / seconds),
  baselineRssMiB: mib(baselineRss),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  peakArrayBuffersMiB: mib(peakArrayBuffers),
})}\n`);

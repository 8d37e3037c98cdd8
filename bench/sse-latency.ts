/**
 * SSE latency: how long after the engine emits an event a client of the all-jobs stream
 * (`GET /api/events`) has parsed it. The simulator, the engine and `trawl serve`'s app run in this
 * process; the emit time is taken on the event bus, the arrival time by each client (a Node fetch
 * client, and Chromium when /usr/bin/chromium exists). Events are matched by (job, name, n-th of
 * that name in the job). Goal: p95 ≤ 100 ms.
 * Usage: tsx bench/sse-latency.ts [jobs=6] [limit=5]
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { startServer } from '../src/server/server.js';
import { JobQueue } from '../src/services/job-queue.js';
import { openRuntime } from '../src/services/runtime.js';
import { startSimulator } from '../src/sim/simulator.js';
import { type Arrival, type StreamClient, openBrowserClient, openNodeClient } from './sse-clients.js';
import { percentile, saveResult, tempDir } from './support.js';

const JOBS = Number(process.argv[2] ?? 6);
const LIMIT = Number(process.argv[3] ?? 5);
const SOURCES = ['pexels', 'openverse', 'wikimedia_commons'];
const GOAL_P95_MS = 100;
const WAIT_MS = 120_000;

/** `job|name|n`: the n-th event of that name in that job (the stream keeps each job's order). */
function keyed(events: readonly Omit<Arrival, 'at'>[]): string[] {
  const counts = new Map<string, number>();
  return events.map(({ jobId, name }) => {
    const base = `${jobId}|${name}`;
    const n = (counts.get(base) ?? 0) + 1;
    counts.set(base, n);
    return `${base}|${n}`;
  });
}

interface Latencies {
  client: string;
  count: number;
  missing: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  byEvent: Record<string, { count: number; p95Ms: number }>;
}

function latencies(client: string, emitted: readonly Arrival[], arrived: readonly Arrival[]): Latencies {
  const arrivedAt = new Map(keyed(arrived).map((key, i) => [key, arrived[i]?.at ?? Number.NaN]));
  const values: number[] = [];
  const byName = new Map<string, number[]>();
  let missing = 0;
  keyed(emitted).forEach((key, i) => {
    const at = arrivedAt.get(key);
    const event = emitted[i];
    if (at === undefined || event === undefined) return void missing++;
    values.push(at - event.at);
    byName.set(event.name, [...(byName.get(event.name) ?? []), at - event.at]);
  });
  const byEvent = Object.fromEntries([...byName].map(([name, v]) => [name, { count: v.length, p95Ms: percentile(v, 95) }]));
  return { client, count: values.length, missing, p50Ms: percentile(values, 50), p95Ms: percentile(values, 95), p99Ms: percentile(values, 99), maxMs: Math.max(...values), byEvent };
}

/** Resolves once every client has seen `jobs` job.finished events. */
async function waitForFinish(clients: readonly StreamClient[], jobs: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (const client of clients) {
    while ((await client.arrivals()).filter((a) => a.name === 'job.finished').length < jobs) {
      if (Date.now() > deadline) throw new Error(`${client.label}: not every job.finished arrived within ${WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function measure(): Promise<Latencies[]> {
  const sim = await startSimulator({ itemsPerQuery: LIMIT * 2 });
  const dir = await tempDir('sse-latency');
  const config = loadConfig({ env: { ...sim.env(), TRAWL_DATA_DIR: path.join(dir, 'data') }, cwd: dir });
  const runtime = await openRuntime(config);
  const queue = new JobQueue(runtime);
  const server = await startServer({ runtime, queue, config, host: '127.0.0.1', port: 0 });
  const clients: StreamClient[] = [];
  const emitted: Arrival[] = [];
  const off = runtime.deps.bus.subscribe((event) => emitted.push({ jobId: event.data.jobId, name: event.name, at: Date.now() }));
  try {
    clients.push(await openNodeClient(`${server.url}/api/events`));
    const browser = await openBrowserClient(`${server.url}/api/health`, '/api/events');
    if (browser !== null) clients.push(browser);
    queue.start();
    for (let i = 0; i < JOBS; i++) await queue.submit({ query: `latency ${i}`, sources: SOURCES, type: 'image', limit: LIMIT });
    await waitForFinish(clients, JOBS);
    return await Promise.all(clients.map(async (client) => latencies(client.label, emitted, await client.arrivals())));
  } finally {
    off();
    for (const client of clients) await client.close();
    await queue.stop();
    await server.close();
    await runtime.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const results = await measure();
console.table(results.map(({ byEvent: _byEvent, ...row }) => row));
for (const r of results) console.log(`${r.client} p95 by event:`, Object.fromEntries(Object.entries(r.byEvent).map(([name, v]) => [name, `${v.p95Ms} ms (${v.count})`])));
const met = results.every((r) => r.p95Ms <= GOAL_P95_MS && r.missing === 0);
const file = await saveResult('sse-latency', { jobs: JOBS, limitPerSource: LIMIT, sources: SOURCES, goalP95Ms: GOAL_P95_MS, met, clients: results });
console.log(`goal: p95 ≤ ${GOAL_P95_MS} ms from engine emit to client parse, nothing missing: ${met ? 'met' : 'NOT met'}; results in ${file}`);
process.exitCode = met ? 0 : 1;

/**
 * The public entry, used as a caller would: `harvest()` in this process against the simulator on
 * 127.0.0.1. It resolves to the `--json` report, cancels through `signal`, streams the engine's
 * events to `onEvent`, rejects bad options naming them, and prints nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type HarvestOptions, type JobEvent, type JobReport, TrawlError, harvest, isTrawlError } from './index.js';
import { type Simulator, startSimulator } from './sim/simulator.js';

let sim: Simulator;
let dir: string;
/** How many requests the simulator had served before the test began. */
let served: number;
beforeAll(async () => {
  sim = await startSimulator({ itemsPerQuery: 8 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trawl-lib-'));
  // The library reads the environment as the CLI does: this points it at the simulator.
  for (const [name, value] of Object.entries(sim.env())) vi.stubEnv(name, value);
  sim.clearFaults();
  served = sim.requests().length;
});
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const requestsOfThisTest = (): ReturnType<Simulator['requests']> => sim.requests().slice(served);
const where = (): Pick<HarvestOptions, 'out' | 'dataDir'> => ({ out: path.join(dir, 'out'), dataDir: path.join(dir, 'data') });

/** Every file below `root`, relative, including hidden temp files. */
async function filesBelow(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

describe('harvest()', () => {
  it('applies filters as trawl fetch does: a licence filter skips the search engines and keeps only its codes', async () => {
    const report = await harvest({ query: 'cats', sources: ['pexels', 'openverse', 'google_images'], limit: 3, filters: { license: 'pexels' }, ...where() });
    expect(report.status).toBe('completed');
    const bySource = new Map(report.sources.map((s) => [s.source, s]));
    expect(bySource.get('pexels')).toMatchObject({ status: 'done', downloaded: 3 });
    expect(bySource.get('openverse')).toMatchObject({ status: 'done', downloaded: 0 });
    expect(bySource.get('google_images')).toMatchObject({ status: 'skipped', error: { code: 'TRAWL_FILTERED' } });
    expect(report.items.map((item) => item.licenseCode)).toEqual(['pexels', 'pexels', 'pexels']);
  });

  it('resolves to the --json report, with every file saved and its sha256, printing nothing', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    const sigints = process.listenerCount('SIGINT');
    const events: JobEvent[] = [];
    const report: JobReport = await harvest({ query: 'cats', sources: ['pexels', 'openverse'], limit: 3, ...where(), onEvent: (e) => events.push(e) });

    expect(report.status).toBe('completed');
    expect(Object.keys(report).sort()).toEqual(['downloaded', 'elapsedMs', 'error', 'failures', 'filters', 'id', 'images', 'items', 'query', 'sources', 'status', 'videos'].sort());
    expect(report.sources.map((s) => [s.source, s.status, s.downloaded])).toEqual([
      ['pexels', 'done', 3],
      ['openverse', 'done', 3],
    ]);
    expect(report.items).toHaveLength(6);
    for (const item of report.items) {
      const bytes = await readFile(item.path);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(item.sha256);
      expect(item).not.toHaveProperty('jobId');
    }

    // The engine's events, as they happened, for this job only.
    expect(events[0]?.name).toBe('job.started');
    expect(events.at(-1)?.name).toBe('job.finished');
    expect(events.filter((e) => e.name === 'item.saved')).toHaveLength(6);
    expect(events.every((e) => e.data.jobId === report.id)).toBe(true);

    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
    expect(process.listenerCount('SIGINT')).toBe(sigints);
  });

  it('cancels on abort: the job ends cancelled, its sockets closed and no temp file left', async () => {
    sim.setFaults([{ target: '*:media', fault: 'stall' }]);
    const controller = new AbortController();
    const stalled = (): boolean => requestsOfThisTest().some((r) => r.fault === 'stall' && r.bytesSent > 0);
    const watch = setInterval(() => stalled() && controller.abort(), 25);
    try {
      const report = await harvest({ query: 'cats', sources: ['openverse', 'wikimedia_commons'], limit: 2, ...where(), signal: controller.signal });
      expect(report.status).toBe('cancelled');
      expect(report.error?.code).toBe('TRAWL_CANCELLED');
      expect(report.sources.every((s) => s.status === 'cancelled')).toBe(true);
    } finally {
      clearInterval(watch);
    }
    await sim.waitForClosed((r) => r.fault === 'stall', 1_000);
    expect((await filesBelow(path.join(dir, 'out'))).filter((f) => f !== 'manifest.jsonl')).toEqual([]);
  });

  it('runs nothing for a signal aborted before the call: the job is recorded cancelled', async () => {
    const report = await harvest({ query: 'cats', sources: ['openverse'], ...where(), signal: AbortSignal.abort() });
    expect(report.status).toBe('cancelled');
    expect(report.items).toEqual([]);
    expect(requestsOfThisTest().filter((r) => r.target === 'media')).toEqual([]);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('keeps no file open once it resolves (a long-running caller calls it again and again)', async () => {
    const openFiles = (): string[] => readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return [];
      }
    });
    for (let i = 0; i < 3; i++) await harvest({ query: 'cats', sources: ['openverse'], limit: 1, ...where() });
    expect(openFiles().filter((f) => f.startsWith(dir))).toEqual([]);
  });

  it.each([
    ['an unknown source', { sources: ['myspace'] }, /^sources: unknown source "myspace"/],
    ['a bad limit', { limit: 0 }, /^limit: must be a whole number from 1 to 1000/],
    ['a bad duration', { timeouts: { job: 'soon' } }, /^timeouts\.job: must be a duration/],
    ['an empty out', { out: ' ' }, /^out: must be a directory path/],
    ['an empty query', { query: '' }, /^query: must not be empty/],
    ['an option that does not exist', { outDir: 'x' }, /^outDir: is not an option/],
    ['a bad filter', { filters: { orientation: 'round' } }, /^filters\.orientation: /],
    ['a signal that is not one', { signal: 'stop' }, /^signal: must be an AbortSignal/],
  ])('rejects %s with TRAWL_BAD_INPUT naming the option', async (_what, bad, message) => {
    const options = { query: 'cats', ...where(), ...bad } as unknown as HarvestOptions;
    const err: unknown = await harvest(options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TrawlError);
    expect(isTrawlError(err, 'TRAWL_BAD_INPUT')).toBe(true);
    expect((err as TrawlError).message).toMatch(message);
    // Rejected before any job was recorded or any request sent.
    expect(requestsOfThisTest()).toEqual([]);
  });
});

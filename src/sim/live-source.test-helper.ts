/**
 * Test support for the `*.sim.test.ts` files: a real source adapter, through the real undici HTTP
 * client, against a running simulator. Each test file starts one {@link LiveSim} in `beforeAll`
 * and closes it in `afterAll`; everything it opened (clients, the temp dir) goes with it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { imageSize } from 'image-size';
import { expect } from 'vitest';
import { loadConfig } from '../config/config.js';
import type { Candidate } from '../domain.js';
import type { HttpClient } from '../net/http.js';
import { createHttpClient, httpClientOptionsFrom } from '../net/undici-http-client.js';
import type { QuotaInfo, SearchRequest, Source, SourceContext } from '../sources/source.js';
import { type Simulator, type SimulatorOptions, startSimulator } from './simulator.js';

/** A SourceContext that keeps every quota the source reported, oldest first. */
export type LiveContext = SourceContext & { quotas: QuotaInfo[] };

/** A running simulator and a way to point sources at it. */
export interface LiveSim {
  readonly sim: Simulator;
  /**
   * A context configured as a user pointing Trawl at the simulator would be (`sim.env()`, with
   * `env` laid over it, e.g. a wrong key), with its own real HTTP client and a never-aborted signal.
   */
  context(env?: Record<string, string>): LiveContext;
  /** Closes every client handed out, the simulator, and removes the temp dir. */
  close(): Promise<void>;
}

/**
 * Starts a simulator with `options` and an empty temp dir to load config from, so no `.env` of
 * the developer's leaks into the test.
 */
export async function startLiveSim(options: SimulatorOptions = {}): Promise<LiveSim> {
  const sim = await startSimulator(options);
  const cwd = await mkdtemp(path.join(tmpdir(), 'trawl-live-sim-'));
  const clients: HttpClient[] = [];
  return {
    sim,
    context: (env = {}) => {
      const config = loadConfig({ env: { ...sim.env(), ...env }, cwd });
      const http = createHttpClient(httpClientOptionsFrom(config));
      clients.push(http);
      const quotas: QuotaInfo[] = [];
      return { signal: new AbortController().signal, http, config, quotas, reportQuota: (q) => quotas.push(q) };
    },
    close: async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await sim.close();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

/** Every page `source` yields for `request`, in order; rejects with the search's error. */
export async function searchAll(source: Source, context: SourceContext, request: SearchRequest): Promise<Candidate[][]> {
  const pages: Candidate[][] = [];
  for await (const page of source.search(request, context)) pages.push(page);
  return pages;
}

/** A media file as the engine would receive it. */
export interface FetchedMedia {
  status: number;
  /** The Content-Type header, if sent. */
  type: string | undefined;
  bytes: Buffer;
}

/** Downloads `url` as the engine does (a `media` request, never trusted to reach private addresses). */
export async function fetchMedia(context: SourceContext, url: string): Promise<FetchedMedia> {
  const response = await context.http.open(url, { signal: context.signal, purpose: 'media' });
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return { status: response.status, type: response.headers['content-type'], bytes: Buffer.concat(chunks) };
}

/**
 * Asserts that `candidate`'s file downloads (200) as a PNG whose real size is the one the source
 * reported: what the engine will save matches what the source promised.
 */
export async function expectPngAsReported(context: SourceContext, candidate: Candidate | undefined): Promise<void> {
  const file = await fetchMedia(context, candidate?.url ?? '');
  expect(file.status).toBe(200);
  expect(file.type).toBe('image/png');
  expect(imageSize(file.bytes)).toMatchObject({ width: candidate?.width, height: candidate?.height });
}

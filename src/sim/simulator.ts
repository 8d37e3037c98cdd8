/**
 * The source simulator: a real HTTP server on loopback that answers like Pexels, Openverse and
 * Wikimedia Commons (same paths, parameters, auth, JSON shapes and paging), serves real media bytes
 * for every URL it hands out, and misbehaves on request (see {@link FaultRule}). Tests, demos and
 * benchmarks use it; the product never imports it.
 *
 * Media paths are predictable so a test can fault one item: the n-th result for "big cats" is
 * `/media/pexels/big-cats-n.png`, `/media/openverse/big-cats-n.png`, `/media/wikimedia_commons/Big_cats_n.png`
 * (`.webm` for video searches); Pexels videos are `/media/pexels/big-cats-video-n-<quality>-<w>x<h>.mp4`.
 * `/media/blob/<id>.mp4?bytes=N` streams an N-byte MP4 for benchmarks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { HOP_PARAM, HOPS_PARAM, type Origin, respond } from './fault-responder.js';
import { FaultBook, type FaultRule } from './faults.js';
import { MediaLibrary, type SizeLie } from './media.js';
import { mediaPayload, mediaSource } from './media-route.js';
import { jsonPayload, type Payload } from './payload.js';
import { type RequestRecord, RequestLog } from './request-log.js';
import { SOURCE_ROUTES } from './routes/registry.js';
import type { SourceRoute } from './routes/route.js';
import type { Exchange } from './send.js';
import { resolveSettings, type SimSettings, type SimulatorOptions } from './settings.js';

export { FAULT_KINDS, type FaultKind, type FaultRule, parseFaultSpec } from './faults.js';
export type { RequestRecord } from './request-log.js';
export type { SimulatorOptions } from './settings.js';

/** A running simulator. */
export interface Simulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** The env lines a user sets: TRAWL_ORIGIN_PEXELS, TRAWL_ORIGIN_OPENVERSE, TRAWL_ORIGIN_WIKIMEDIA_COMMONS = url;
   *  PEXELS_API_KEY; TRAWL_ALLOW_HOSTS=127.0.0.1 (media is served from loopback). */
  env(): Record<string, string>;
  /** Replaces the rules (all are checked first; throws naming a bad one and changes nothing). */
  setFaults(rules: FaultRule[]): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Every request served so far, in order (copies). */
  requests(): RequestRecord[];
  /** Sockets currently open. */
  openConnections(): number;
  /** Resolves when every socket that carried a request matching `pred` has closed (at once if none
   *  matches), rejects after timeoutMs. */
  waitForClosed(pred: (r: RequestRecord) => boolean, timeoutMs: number): Promise<void>;
  /** Destroys all sockets, closes the server. */
  close(): Promise<void>;
}

/** Starts a simulator (default 127.0.0.1, a free port). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const settings = resolveSettings(options);
  const media = new MediaLibrary(settings);
  const routes = SOURCE_ROUTES.map((m) => m.create({ settings, media }));
  const faults = new FaultBook();
  const log = new RequestLog();
  const server = createServer();
  server.on('connection', (socket) => log.track(socket));
  const port = await listen(server, settings);
  const origin: Origin = { url: `http://${urlHost(settings.host)}:${port}`, port };
  const app: App = { origin, routes, media, faults, log };
  server.on('request', (req, res) => {
    serve(app, req, res).catch((err: unknown) => failed(res, null, err));
  });
  return {
    url: origin.url,
    port,
    env: () => envLines(app, settings),
    setFaults: (rules) => faults.set(rules),
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    requests: () => log.all(),
    openConnections: () => log.openSockets(),
    waitForClosed: (pred, timeoutMs) => log.waitForClosed(pred, timeoutMs),
    close: () => shutdown(server, log),
  };
}

interface App {
  readonly origin: Origin;
  readonly routes: readonly SourceRoute[];
  readonly media: MediaLibrary;
  readonly faults: FaultBook;
  readonly log: RequestLog;
}

function listen(server: Server, settings: SimSettings): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The host clients should use: wildcard binds are reached on 127.0.0.1; IPv6 literals need brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function envLines(app: App, settings: SimSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const route of app.routes) Object.assign(env, { [`TRAWL_ORIGIN_${route.source.toUpperCase()}`]: app.origin.url }, route.env);
  const host = urlHost(settings.host);
  env.TRAWL_ALLOW_HOSTS = host.replace(/^\[|\]$/g, '');
  return env;
}

type Classified = Pick<RequestRecord, 'source' | 'target'> & { route: SourceRoute | null };

function classify(app: App, url: URL): Classified {
  const { pathname } = url;
  if (pathname.startsWith(CONTROL_PREFIX)) return { target: 'control', source: null, route: null };
  if (pathname.startsWith('/media/')) return { target: 'media', source: mediaSource(pathname), route: null };
  const route = app.routes.find((r) => r.matches(url)) ?? null;
  return { target: 'api', source: route?.source ?? null, route };
}

async function serve(app: App, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(app.origin, req);
  const classified = classify(app, url);
  const record = app.log.open(req, { source: classified.source, target: classified.target });
  const closed = new AbortController();
  res.once('close', () => closed.abort());
  const x: Exchange = { req, res, record, signal: closed.signal };
  try {
    if (classified.target === 'control') return await handleControl(x, url.pathname, app);
    const rule = chainRule(url) ?? app.faults.take({ source: classified.source, target: classified.target, pathname: url.pathname });
    record.fault = rule?.fault ?? null;
    const clean = new URL(url);
    clean.searchParams.delete(HOP_PARAM);
    clean.searchParams.delete(HOPS_PARAM);
    await respond(x, app.origin, rule, () => produce(app, classified, clean, req, rule));
  } catch (err) {
    failed(res, record, err);
  }
}

/** The request's URL on our origin; a request target that is not a path (`*`, `//host`) becomes `/`. */
function requestUrl(origin: Origin, req: IncomingMessage): URL {
  const target = req.url ?? '/';
  return new URL(target.startsWith('/') && !target.startsWith('//') ? target : '/', origin.url);
}

/** A later hop of a redirect chain carries its progress in the URL; it must not consume another rule. */
function chainRule(url: URL): FaultRule | null {
  if (!url.searchParams.has(HOP_PARAM)) return null;
  const hops = Number(url.searchParams.get(HOPS_PARAM));
  return { target: url.pathname, fault: 'redirect-chain', hops: Number.isInteger(hops) && hops > 0 ? hops : 1 };
}

function produce(app: App, classified: Classified, url: URL, req: IncomingMessage, rule: FaultRule | null): Payload {
  if (req.method !== 'GET' && req.method !== 'HEAD') return jsonPayload(405, { error: `${req.method ?? '?'} is not allowed here; use GET` }, { allow: 'GET, HEAD' });
  if (classified.target === 'media') return mediaPayload(url, app.media, rule?.fault === 'lie-size' ? sizeLie(rule) : undefined);
  if (classified.route !== null) return classified.route.handle({ url, headers: req.headers, origin: app.origin.url });
  const known = app.routes.map((r) => r.source).join(', ');
  return jsonPayload(404, { error: `the simulator has nothing at ${url.pathname} (it answers ${known}, /media/… and /_sim/…)` });
}

/** The real size a `lie-size` rule asks for (sides it leaves out default in the media library). */
function sizeLie(rule: FaultRule): SizeLie {
  return { ...(rule.width === undefined ? {} : { width: rule.width }), ...(rule.height === undefined ? {} : { height: rule.height }) };
}

/** A bug in the simulator (or a client gone mid-read): answer 500 if still possible, else drop the connection. */
function failed(res: ServerResponse, record: RequestRecord | null, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`simulator error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (record !== null) record.status = 500;
}

async function shutdown(server: Server, log: RequestLog): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  for (const socket of log.sockets()) socket.destroy();
  // The server may report itself closed before its sockets' 'close' events have stamped the log.
  await Promise.all([closed, log.allClosed()]);
}

/**
 * Test support for the network layer: real node:http servers on loopback, HTTP clients with test
 * limits, and budgets, all tracked by a {@link NetFixture} so one `cleanup()` in `afterEach` closes
 * every one of them, whatever the test did.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { expect } from 'vitest';
import { Budget } from '../engine/budget.js';
import { TrawlError } from '../errors.js';
import type { HttpClient } from './http.js';
import { createHttpClient, type HttpClientOptions } from './undici-http-client.js';

/** A listening server and what it saw. */
export interface TestServer {
  /** `http://HOST:PORT`, no trailing slash. */
  url: string;
  host: string;
  port: number;
  /** Connections accepted so far: 0 proves a client never reached it. */
  connections: number;
  /** Request paths received, in order. */
  hits: string[];
  /** Sockets currently open on the server side. */
  sockets: Set<Socket>;
  server: http.Server;
}

/** Where a {@link NetFixture.serve} server listens; default 127.0.0.1 on a free port. */
export interface ListenOn {
  host?: string;
  port?: number;
}

/**
 * Test limits: short request timeout, no speed floor, a 1 MiB cap, the SSRF guard closed and no
 * retries. A fixture's defaults, then each `client()` call, override them.
 */
const TEST_CLIENT_OPTIONS: HttpClientOptions = {
  requestTimeoutMs: 2000,
  minSpeed: { bytesPerSecond: 0, windowMs: 10_000 },
  maxFileSize: 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'trawl-test/1',
  ssrf: { allowPrivateNetworks: false, allowHosts: [] },
  trustedOrigins: [],
  retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
};

/** Servers, clients and budgets made for one test file; call `cleanup()` in `afterEach`. */
export class NetFixture {
  private readonly servers: TestServer[] = [];
  private readonly clients: HttpClient[] = [];
  private readonly budgets: Budget[] = [];

  /** `defaults` apply to every client this fixture makes (e.g. the SSRF policy the file tests under). */
  constructor(private readonly defaults: Partial<HttpClientOptions> = {}) {}

  /** Starts a server answering with `handler`; rejects if the address cannot be bound. */
  async serve(handler: http.RequestListener, on: ListenOn = {}): Promise<TestServer> {
    const server = http.createServer();
    const host = on.host ?? '127.0.0.1';
    const served: TestServer = { url: '', host, port: 0, connections: 0, hits: [], sockets: new Set(), server };
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      served.hits.push(req.url ?? '');
      handler(req, res);
    });
    server.on('connection', (socket: Socket) => {
      served.connections++;
      served.sockets.add(socket);
      socket.on('close', () => served.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(on.port ?? 0, host, resolve);
    });
    served.port = (server.address() as AddressInfo).port;
    served.url = `http://${host}:${served.port}`;
    this.servers.push(served);
    return served;
  }

  /** An HTTP client with the test limits, the fixture's defaults and `overrides`. */
  client(overrides: Partial<HttpClientOptions> = {}): HttpClient {
    const client = createHttpClient({ ...TEST_CLIENT_OPTIONS, ...this.defaults, ...overrides });
    this.clients.push(client);
    return client;
  }

  /** A source budget of `ms` (TRAWL_SOURCE_TIMEOUT when it runs out). */
  budget(ms = 10_000): Budget {
    const budget = Budget.root('source', ms, 'TRAWL_SOURCE_TIMEOUT');
    this.budgets.push(budget);
    return budget;
  }

  /** Disposes every budget, closes every client, then every server (dropping open connections). */
  async cleanup(): Promise<void> {
    for (const budget of this.budgets.splice(0)) budget.dispose();
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    await Promise.all(
      this.servers.splice(0).map(
        (s) =>
          new Promise<void>((resolve) => {
            s.server.closeAllConnections();
            s.server.close(() => resolve());
          }),
      ),
    );
  }
}

/** The error `promise` rejects with, asserted to be a TrawlError (a resolution fails the test). */
export async function failure(promise: Promise<unknown>): Promise<TrawlError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrawlError);
  return err as TrawlError;
}

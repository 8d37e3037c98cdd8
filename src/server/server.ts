/** Starts `trawl serve`'s HTTP server: check the config, build the app, listen; close on request. */
import type { AddressInfo } from 'node:net';
import { TrawlError } from '../errors.js';
import { type AppOptions, buildApp } from './app.js';
import { isLoopbackHost } from './auth.js';

/** The app's options plus where to listen. */
export interface ServerOptions extends AppOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
}

/** A listening server. */
export interface RunningServer {
  /** `http://host:port` */
  readonly url: string;
  /** Ends the event streams, stops listening and waits for requests in flight. */
  close(): Promise<void>;
}

/**
 * Listens on `host:port`.
 * @throws TrawlError TRAWL_BAD_CONFIG for a non-loopback host without TRAWL_API_TOKEN, or when the
 *   address cannot be used (taken, not local).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { host, port, config } = options;
  if (config.apiToken === undefined && !isLoopbackHost(host)) {
    throw new TrawlError(
      'TRAWL_BAD_CONFIG',
      `refusing to listen on ${host} without TRAWL_API_TOKEN: anyone who can reach it could start jobs and read the library. Set TRAWL_API_TOKEN, or listen on 127.0.0.1`,
      { context: { host } },
    );
  }
  const app = await buildApp(options);
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    throw new TrawlError('TRAWL_BAD_CONFIG', `cannot listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`, { cause: err, context: { host, port } });
  }
  const { port: bound } = app.server.address() as AddressInfo;
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return { url: `http://${shown}:${bound}`, close: () => app.close() };
}

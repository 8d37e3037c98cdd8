/**
 * The HTTP app of `trawl serve`: strict request validation, the error format, the API token,
 * the API routes (one file per resource), its OpenAPI document and docs, and the dashboard.
 */
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { JobQueue } from '../services/job-queue.js';
import type { Runtime } from '../services/runtime.js';
import { tokenCheck } from './auth.js';
import type { ServerContext } from './context.js';
import { createErrorHandler } from './error-handler.js';
import { hostCheck } from './host-check.js';
import { collectRoutes } from './openapi.js';
import { registerEventRoutes } from './routes/events.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerItemRoutes } from './routes/items.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerOpenApiRoutes } from './routes/openapi.js';
import { registerSourceRoutes } from './routes/sources.js';
import { AJV_OPTIONS, coerceIntegerQuery } from './validation.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerDashboard } from './web.js';

/** The largest request body accepted (a job request is a few hundred bytes). */
export const BODY_LIMIT_BYTES = 64 * 1024;
const PING_MS = 15_000;
const FINISH_GRACE_MS = 2_000;

/** What the app serves: the runtime's store and events, the job queue, the config and the dashboard build. */
export interface AppOptions {
  runtime: Pick<Runtime, 'deps' | 'events' | 'logger'>;
  queue: Pick<JobQueue, 'submit' | 'cancel' | 'counts'>;
  config: Config;
  /** The address the server listens on: requests naming it in `Host` are answered (see host-check.ts). */
  host?: string;
  /** The built dashboard (`web/dist`); `/` answers 503 while it has no index.html. */
  webRoot?: string;
  /** Event stream timing; tests shorten it. */
  sse?: Partial<ServerContext['sse']>;
}

/** Builds the app (not listening); `inject()` it in tests, or see `startServer`. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { runtime, config } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Longer path parameters would be a bare 414 from the router; the schemas name the field instead.
    routerOptions: { maxParamLength: 1024 },
    ajv: { customOptions: AJV_OPTIONS },
    // Closing drops every connection (event streams are ended first): a browser's spare keep-alive
    // socket must not hold a shutdown for seconds.
    forceCloseConnections: true,
  });
  const ctx: ServerContext = {
    runtime,
    queue: options.queue,
    config,
    startedAt: Date.now(),
    sse: { pingMs: options.sse?.pingMs ?? PING_MS, finishGraceMs: options.sse?.finishGraceMs ?? FINISH_GRACE_MS },
  };
  app.setErrorHandler(createErrorHandler(runtime.logger, BODY_LIMIT_BYTES));
  // The Host check comes first: a rebound page learns nothing, not even whether a token is needed.
  addRequestCheck(app, hostCheck({ ...(options.host === undefined ? {} : { listenHost: options.host }), serverNames: config.serverNames }));
  if (config.apiToken !== undefined) addRequestCheck(app, tokenCheck(config.apiToken));
  registerSecurityHeaders(app);
  app.addHook('preValidation', (request, _reply, done) => {
    coerceIntegerQuery(request);
    done();
  });
  const routes = collectRoutes(app);
  // Gives replies sendFile() (item files); the dashboard registers its own static root.
  await app.register(fastifyStatic, { serve: false });
  registerJobRoutes(app, ctx);
  registerItemRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  // Live events are read from the database from the moment the server is ready, whoever writes them.
  app.addHook('onReady', () => ctx.runtime.events.start());
  registerSourceRoutes(app, ctx);
  registerHealthRoutes(app, ctx);
  registerMetricsRoutes(app, ctx);
  registerOpenApiRoutes(app, routes, { tokenRequired: config.apiToken !== undefined });
  await registerDashboard(app, options.webRoot);
  return app;
}

/** Runs `check` on every request (API, streams, metrics, dashboard, docs) before anything else; a throw answers with the error. */
function addRequestCheck(app: FastifyInstance, check: (request: FastifyRequest) => void): void {
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      check(request);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
}

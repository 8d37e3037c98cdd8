import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../config/config.js';
import type { ServerContext } from '../context.js';
import { errorResponses, healthSchema } from '../schemas.js';

/** Liveness with the version and how many jobs are running and waiting. */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/health',
    {
      schema: { response: { 200: healthSchema, ...errorResponses } },
      config: { doc: { tag: 'service', summary: 'The server is up: version, uptime, running and queued jobs' } },
    },
    async () => ({
      status: 'ok' as const,
      version: VERSION,
      uptimeSeconds: Math.floor((Date.now() - ctx.startedAt) / 1000),
      jobs: await ctx.queue.counts(),
    }),
  );
}

import type { FastifyInstance } from 'fastify';
import { catchUpSourceBooks } from '../../engine/source-health.js';
import { createMetrics } from '../../services/metrics.js';
import type { ServerContext } from '../context.js';
import { errorResponses } from '../schemas.js';

/**
 * `GET /metrics`: Prometheus text (`trawl_` prefix) fed by the job events — jobs by state, source
 * outcomes and latencies, items and bytes, timeouts by level, reaped jobs, breaker states, quotas.
 * Needs the API token like `/api/*` when one is set (Prometheus sends it as a bearer token).
 */
export function registerMetricsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const metrics = createMetrics(ctx.runtime.deps);
  app.addHook('onClose', (_app, done) => {
    metrics.stop();
    done();
  });
  app.get(
    '/metrics',
    {
      schema: { response: errorResponses },
      config: { doc: { tag: 'service', summary: 'Prometheus metrics (text format), trawl_ prefix', produces: { status: '200', type: 'text/plain', description: 'Prometheus exposition format' } } },
    },
    async (_request, reply) => {
      // Breaker states and quotas as every process on the database left them, not only this one.
      await catchUpSourceBooks(ctx.runtime.deps);
      reply.header('content-type', metrics.contentType);
      return metrics.render();
    },
  );
}

import type { FastifyInstance } from 'fastify';
import { catchUpSourceBooks } from '../../engine/source-health.js';
import { listSourceStatus } from '../../services/source-status.js';
import type { ServerContext } from '../context.js';
import { errorResponses, sourceStatusSchema } from '../schemas.js';

/** Every source: configured or not (and why), media kinds, licence, last known quota. */
export function registerSourceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/sources',
    {
      schema: { response: { 200: { type: 'object', properties: { sources: { type: 'array', items: sourceStatusSchema } }, required: ['sources'] }, ...errorResponses } },
      config: { doc: { tag: 'service', summary: 'Every source, as `trawl sources --json` shows it', responses: { '200': '{ sources: [SourceStatus…] }' } } },
    },
    async () => {
      // Jobs may run in other processes (workers, `trawl fetch`): show what they recorded too.
      await catchUpSourceBooks(ctx.runtime.deps);
      return { sources: await listSourceStatus(ctx.config, ctx.runtime.deps.sources, ctx.runtime.deps) };
    },
  );
}

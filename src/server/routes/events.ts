import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { errorResponses, eventHeadersSchema, eventQuerySchema, idParamsSchema } from '../schemas.js';
import { EventStream } from '../sse.js';
import { requireJob } from './jobs.js';

type EventRequest = FastifyRequest<{ Querystring: { lastEventId?: number } }>;

const STREAM_DOC =
  'Server-Sent Events (`id:`, `event:`, `data:` JSON with `jobId`). Resume with the Last-Event-ID header or `?lastEventId=`; a `: ping` comment comes every 15 s.';

/** The event streams: one job's, and every job's. Open streams end when the app closes. */
export function registerEventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const open = new Set<EventStream>();
  app.addHook('preClose', (done) => {
    for (const stream of open) stream.close();
    done();
  });
  const start = (request: EventRequest, reply: FastifyReply, jobId: string | undefined): void => {
    const afterId = lastEventId(request);
    reply.hijack();
    const stream = new EventStream(reply.raw, ctx.runtime.events, ctx.runtime.deps.store, {
      ...(jobId === undefined ? {} : { jobId }),
      ...(afterId === undefined ? {} : { afterId }),
      ...ctx.sse,
      logger: ctx.runtime.logger,
    });
    open.add(stream);
    void stream.closed.then(() => open.delete(stream));
    void stream.run();
  };

  app.get<{ Params: { id: string }; Querystring: { lastEventId?: number } }>(
    '/api/jobs/:id/events',
    {
      exposeHeadRoute: false,
      schema: { params: idParamsSchema, querystring: eventQuerySchema, headers: eventHeadersSchema, response: errorResponses },
      config: {
        queryToken: true,
        doc: {
          tag: 'events',
          summary: "One job's events: those it missed, then live ones; ends after job.finished",
          description: `${STREAM_DOC} Without Last-Event-ID every event of the job is replayed first. Names: job.started, source.started, source.progress, item.saved, item.failed, source.finished, alert, job.finished (data: the final job).`,
          produces: { status: '200', type: 'text/event-stream', description: 'The event stream' },
        },
      },
    },
    async (request, reply) => {
      await requireJob(ctx, request.params.id);
      start(request, reply, request.params.id);
    },
  );

  app.get<{ Querystring: { lastEventId?: number } }>(
    '/api/events',
    {
      exposeHeadRoute: false,
      schema: { querystring: eventQuerySchema, headers: eventHeadersSchema, response: errorResponses },
      config: {
        queryToken: true,
        doc: {
          tag: 'events',
          summary: "Every job's events, live; stays open",
          description: `${STREAM_DOC} Without Last-Event-ID it starts with the events recorded from now on; \`lastEventId=0\` replays the whole log first.`,
          produces: { status: '200', type: 'text/event-stream', description: 'The event stream' },
        },
      },
    },
    (request, reply) => {
      start(request, reply, undefined);
      return Promise.resolve();
    },
  );
}

/** The header (what EventSource sends when it reconnects, so the newest) wins over the query. */
function lastEventId(request: EventRequest): number | undefined {
  const header = request.headers['last-event-id'];
  if (typeof header === 'string' && header !== '') return Number(header);
  return request.query.lastEventId;
}

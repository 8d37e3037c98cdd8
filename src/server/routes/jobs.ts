import type { FastifyInstance } from 'fastify';
import type { Job, JobStatus } from '../../domain.js';
import { TrawlError } from '../../errors.js';
import type { ApiJobInput } from '../../services/job-queue.js';
import type { ServerContext } from '../context.js';
import { errorResponses, failureSchema, idParamsSchema, jobBodySchema, jobListQuerySchema, jobSchema } from '../schemas.js';

const TAG = 'jobs';

/** Jobs: create (queued), list, read, failures, cancel. */
export function registerJobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx.runtime.deps;

  app.post<{ Body: ApiJobInput }>(
    '/api/jobs',
    {
      schema: { body: jobBodySchema, response: { 201: jobSchema, ...errorResponses } },
      config: { doc: { tag: TAG, summary: 'Start a job', description: 'Validates the request, records the job `queued` and answers at once; it runs as soon as one of the TRAWL_MAX_CONCURRENT_JOBS slots is free. Files go to the library in the data directory.', responses: { '201': 'The job, queued' } } },
    },
    async (request, reply) => reply.code(201).send(await ctx.queue.submit(request.body)),
  );

  app.get<{ Querystring: { status?: string; limit?: number } }>(
    '/api/jobs',
    {
      schema: { querystring: jobListQuerySchema, response: { 200: { type: 'object', properties: { jobs: { type: 'array', items: jobSchema } }, required: ['jobs'] }, ...errorResponses } },
      config: { doc: { tag: TAG, summary: 'List jobs, newest first', responses: { '200': '{ jobs: [Job…] }' } } },
    },
    async (request) => {
      const status = request.query.status?.split(',') as JobStatus[] | undefined;
      const jobs = await store.listJobs({ ...(status === undefined ? {} : { status }), limit: request.query.limit ?? 50 });
      return { jobs };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id',
    {
      schema: { params: idParamsSchema, response: { 200: jobSchema, ...errorResponses } },
      config: { doc: { tag: TAG, summary: 'One job with its source runs, counts, error, worker and heartbeat' } },
    },
    async (request) => requireJob(ctx, request.params.id),
  );

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id/failures',
    {
      schema: { params: idParamsSchema, response: { 200: { type: 'object', properties: { failures: { type: 'array', items: failureSchema } }, required: ['failures'] }, ...errorResponses } },
      config: { doc: { tag: TAG, summary: "The job's failed candidates, in the order they failed", responses: { '200': '{ failures: [Failure…] }' } } },
    },
    async (request) => {
      await requireJob(ctx, request.params.id);
      return { failures: await store.listFailures(request.params.id) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/jobs/:id/cancel',
    {
      schema: { params: idParamsSchema, response: { 200: jobSchema, 202: jobSchema, ...errorResponses } },
      config: {
        doc: {
          tag: TAG,
          summary: 'Cancel a job',
          description: 'A queued job is cancelled at once; a running one ends `cancelled` within moments (watch its events). A job that has already ended, or runs in another process, is left as it is.',
          responses: { '202': 'The job: cancelled, or being cancelled', '200': 'The job, unchanged' },
        },
      },
    },
    async (request, reply) => {
      const { job, changed } = await ctx.queue.cancel(request.params.id);
      return reply.code(changed ? 202 : 200).send(job);
    },
  );
}

/** The job, or TRAWL_NOT_FOUND. */
export async function requireJob(ctx: ServerContext, id: string): Promise<Job> {
  const job = await ctx.runtime.deps.store.getJob(id);
  if (job === undefined) throw new TrawlError('TRAWL_NOT_FOUND', `job ${id} does not exist`, { context: { jobId: id } });
  return job;
}

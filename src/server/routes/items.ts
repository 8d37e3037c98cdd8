import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Item } from '../../domain.js';
import { TrawlError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { errorResponses, fileQuerySchema, idParamsSchema, itemSchema } from '../schemas.js';
import { FILE_CSP } from '../security-headers.js';
import { requireJob } from './jobs.js';


/** A job's items, and each item's file. */
export function registerItemRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx.runtime.deps;

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id/items',
    {
      schema: { params: idParamsSchema, response: { 200: { type: 'object', properties: { items: { type: 'array', items: itemSchema } }, required: ['items'] }, ...errorResponses } },
      config: { doc: { tag: 'items', summary: "The job's saved items, oldest first, each with the URL of its file", responses: { '200': '{ items: [Item…] }' } } },
    },
    async (request) => {
      await requireJob(ctx, request.params.id);
      return { items: (await store.listItems(request.params.id)).map(withFileUrl) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/items/:id/file',
    {
      schema: { params: idParamsSchema, querystring: fileQuerySchema, response: errorResponses },
      config: {
        // <img> and <video> cannot send headers: the dashboard passes the token in the URL.
        queryToken: true,
        doc: {
          tag: 'items',
          summary: "The item's file",
          description: 'Served with the Content-Type sniffed from its bytes when it was saved; supports Range requests (video seeking).',
          produces: { status: '200', type: '*/*', description: 'The bytes of the file' },
        },
      },
    },
    async (request, reply) => {
      const item = await store.getItem(request.params.id);
      if (item === undefined) throw new TrawlError('TRAWL_NOT_FOUND', `item ${request.params.id} does not exist`, { context: { itemId: request.params.id } });
      const file = path.resolve(item.path);
      if (!(await isFile(file))) throw new TrawlError('TRAWL_NOT_FOUND', `the file of item ${item.id} is no longer on disk`, { context: { itemId: item.id } });
      // nosniff (added to every answer) makes the browser take the type sniffed at save time as final.
      reply.header('content-type', item.contentType).header('content-security-policy', FILE_CSP);
      return reply.sendFile(path.basename(file), path.dirname(file), { contentType: false, dotfiles: 'allow' });
    },
  );
}

/** An item as the API shows it: with `fileUrl`. */
export function withFileUrl(item: Item): Item & { fileUrl: string } {
  return { ...item, fileUrl: `/api/items/${encodeURIComponent(item.id)}/file` };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

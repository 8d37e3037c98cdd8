/**
 * The dashboard: the Vite build in `web/dist` served at `/`, with `index.html` for the client's
 * own routes (`/jobs/…`). Without a build, `/` says how to make one.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { TrawlError } from '../errors.js';

/** Registers the dashboard's files and the not-found answers (JSON under /api, the SPA elsewhere). */
export async function registerDashboard(app: FastifyInstance, webRoot: string | undefined): Promise<void> {
  const root = webRoot !== undefined && existsSync(path.join(webRoot, 'index.html')) ? path.resolve(webRoot) : undefined;
  if (root !== undefined) await app.register(fastifyStatic, { root, prefix: '/', wildcard: true, decorateReply: false, index: ['index.html'] });
  app.setNotFoundHandler(async (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (/^\/api(\/|$)/.test(pathname)) throw new TrawlError('TRAWL_NOT_FOUND', `no route ${request.method} ${pathname}; see /docs`);
    const page = request.method === 'GET' || request.method === 'HEAD';
    if (page && root === undefined) return reply.code(503).type('text/plain; charset=utf-8').send('dashboard not built: run npm run build\n');
    // Client routes have no file extension; a missing asset is a plain 404.
    if (!page || root === undefined || path.extname(pathname) !== '') return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
  });
}

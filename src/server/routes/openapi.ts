import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../config/config.js';
import { renderDocsPage } from '../docs-page.js';
import { type DocumentedRoute, type OpenApiDocument, buildOpenApi } from '../openapi.js';
import { errorResponses } from '../schemas.js';
import { DOCS_CSP } from '../security-headers.js';


/**
 * `/api/openapi.json` and the readable `/docs`, both generated once, on first request, from the
 * routes collected so far (by then every route is registered).
 */
export function registerOpenApiRoutes(app: FastifyInstance, routes: readonly DocumentedRoute[], options: { tokenRequired: boolean }): void {
  let document: OpenApiDocument | undefined;
  let page: string | undefined;
  const openApi = (): OpenApiDocument => (document ??= buildOpenApi(routes, { version: VERSION, tokenRequired: options.tokenRequired }));

  app.get(
    '/api/openapi.json',
    {
      schema: { response: errorResponses },
      config: { doc: { tag: 'service', summary: 'This document (OpenAPI 3.1)', produces: { status: '200', type: 'application/json', description: 'The OpenAPI document' } } },
    },
    async (_request, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(openApi())),
  );

  app.get('/docs', async (_request, reply) => {
    page ??= renderDocsPage(openApi());
    return reply.type('text/html; charset=utf-8').header('content-security-policy', DOCS_CSP).send(page);
  });
}

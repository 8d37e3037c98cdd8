/**
 * The OpenAPI 3.1 document, generated from the routes as Fastify registers them: their
 * request/response schemas (the ones Fastify validates and serializes with) plus a short `doc`
 * in the route's config. A route without `config.doc` is not part of the API (static files).
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import { needsToken } from './auth.js';
import { NAMED_SCHEMAS } from './schemas.js';

/** What the docs say about a route beyond its schemas. */
export interface RouteDoc {
  tag: string;
  summary: string;
  description?: string;
  /** Descriptions of answers by status (`'201'`, `'4xx'`); defaults are generic. */
  responses?: Readonly<Record<string, string>>;
  /** A success answer that is not JSON (a file, an event stream). */
  produces?: { status: string; type: string; description: string };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Documents the route in /api/openapi.json and /docs. */
    doc?: RouteDoc;
  }
}

/** A JSON Schema object (as written in schemas.ts, or as placed in the document). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A path, query or header parameter of an operation. */
export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

/** One answer of an operation, by status. */
export interface OpenApiResponse {
  description: string;
  content?: Record<string, { schema: JsonSchema }>;
}

/** One route (method + path) as documented. */
export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  parameters: OpenApiParameter[];
  requestBody?: { required: true; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, OpenApiResponse>;
  security?: Array<Record<string, string[]>>;
}

/** The parts of an OpenAPI 3.1 document this generator writes. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  servers: Array<{ url: string; description: string }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

/** A route as registered, with its doc. */
export interface DocumentedRoute {
  method: string;
  url: string;
  schema: FastifySchema;
  doc: RouteDoc;
  queryToken: boolean;
}

/** Starts recording every documented route registered on `app` from now on; returns the (growing) list. */
export function collectRoutes(app: FastifyInstance): readonly DocumentedRoute[] {
  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const doc = route.config?.doc;
    if (doc === undefined) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method: method.toLowerCase(), url: route.url, schema: route.schema ?? {}, doc, queryToken: route.config?.queryToken === true });
    }
  });
  return routes;
}

const DEFAULT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '4xx': 'Bad input (400 TRAWL_BAD_INPUT, naming the field), a missing or wrong token (401 TRAWL_UNAUTHORIZED) or an unknown id (404 TRAWL_NOT_FOUND)',
  '5xx': 'An internal error (500 TRAWL_INTERNAL); the server log has the details',
};

/** What the document says about the server it is served by. */
export interface OpenApiOptions {
  version: string;
  /** Whether the server has TRAWL_API_TOKEN set: then the token is required, else it may be left out. */
  tokenRequired: boolean;
}

/** The OpenAPI 3.1 document of `routes`. */
export function buildOpenApi(routes: readonly DocumentedRoute[], options: OpenApiOptions): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method]: operation(route, options.tokenRequired) };
  }
  const schemas: Record<string, JsonSchema> = {};
  for (const [schema, name] of NAMED_SCHEMAS) schemas[name] = refs(schema, schema) as JsonSchema;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Trawl API',
      version: options.version,
      description: 'Start media harvesting jobs, watch them live and fetch their files. When the server has TRAWL_API_TOKEN set, every /api/* and /metrics call needs Authorization: Bearer <token>.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Relative: the document is served by the API it describes, under whatever name reaches it.
    servers: [{ url: '/', description: 'The server that serves this document' }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'TRAWL_API_TOKEN (only when the server sets one)' },
        accessToken: { type: 'apiKey', in: 'query', name: 'access_token', description: 'TRAWL_API_TOKEN in the URL (event streams only)' },
      },
    },
  };
}

function operation(route: DocumentedRoute, tokenRequired: boolean): OpenApiOperation {
  const { schema, doc } = route;
  const op: OpenApiOperation = {
    operationId: `${route.method}${route.url.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    tags: [doc.tag],
    summary: doc.summary,
    parameters: [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query'), ...parameters(schema.headers, 'header')],
    responses: responses(route),
  };
  if (doc.description !== undefined) op.description = doc.description;
  if (schema.body !== undefined) op.requestBody = { required: true, content: { 'application/json': { schema: refs(schema.body) as JsonSchema } } };
  // `{}` (no credentials) is an alternative only on a server without a token.
  if (needsToken(route.url)) op.security = [{ bearerToken: [] }, ...(route.queryToken ? [{ accessToken: [] }] : []), ...(tokenRequired ? [] : [{}])];
  return op;
}

function parameters(schema: unknown, place: OpenApiParameter['in']): OpenApiParameter[] {
  const object = schema as { properties?: Record<string, JsonSchema>; required?: readonly string[] } | undefined;
  return Object.entries(object?.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    const parameter: OpenApiParameter = { name, in: place, required: place === 'path' || (object?.required ?? []).includes(name), schema: refs(rest) as JsonSchema };
    if (typeof description === 'string') parameter.description = description;
    return parameter;
  });
}

function responses(route: DocumentedRoute): Record<string, OpenApiResponse> {
  const out: Record<string, OpenApiResponse> = {};
  const describe = (status: string): string => route.doc.responses?.[status] ?? DEFAULT_DESCRIPTIONS[status] ?? 'Answer';
  const { produces } = route.doc;
  if (produces !== undefined) out[produces.status] = { description: produces.description, content: { [produces.type]: { schema: { type: 'string' } } } };
  for (const [status, schema] of Object.entries((route.schema.response ?? {}) as Record<string, JsonSchema>)) {
    out[status.toUpperCase()] = { description: describe(status), content: { 'application/json': { schema: refs(schema) as JsonSchema } } };
  }
  return out;
}

/** A copy of `value` with every named schema (except `self`) replaced by a `$ref` to its component. */
function refs(value: unknown, self?: object): unknown {
  if (Array.isArray(value)) return value.map((entry) => refs(entry));
  if (value === null || typeof value !== 'object') return value;
  const name = value === self ? undefined : NAMED_SCHEMAS.get(value);
  if (name !== undefined) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, refs(entry)]));
}

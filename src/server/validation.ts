/**
 * Request validation on Fastify's own Ajv, made strict: no type coercion in bodies (`"query": 5`
 * is refused, not turned into "5"), unknown fields refused rather than silently dropped, and every
 * failure turned into a message that starts with the field's name.
 */
import type { FastifyRequest, FastifySchemaValidationError } from 'fastify';

/** Ajv options for `fastify({ ajv: { customOptions } })`. */
export const AJV_OPTIONS = {
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
  allErrors: false,
  allowUnionTypes: true,
  // Gives each error the offending value and the schema around it, for the messages below.
  verbose: true,
} as const;

type SchemaLike = { type?: unknown; properties?: Record<string, SchemaLike>; description?: unknown };

/**
 * Query strings arrive as text; turns whole-number text into numbers where the route's schema
 * wants an integer, so Ajv can check the range (and `limit=abc` still fails as not a number).
 * Call it from a `preValidation` hook.
 */
export function coerceIntegerQuery(request: FastifyRequest): void {
  const schema = request.routeOptions.schema?.querystring as SchemaLike | undefined;
  const query = request.query as Record<string, unknown> | null | undefined;
  if (schema?.properties === undefined || query === undefined || query === null) return;
  for (const [name, property] of Object.entries(schema.properties)) {
    const value = query[name];
    if (property.type === 'integer' && typeof value === 'string' && /^-?\d{1,16}$/.test(value)) query[name] = Number(value);
  }
}

/** The Ajv error with the extra fields `verbose` adds. */
type VerboseError = FastifySchemaValidationError & { data?: unknown; parentSchema?: SchemaLike };

/**
 * One line for the first validation error: `limit: must be a whole number from 1 to 1000; got -1`,
 * `colour: is not a known field; allowed: query, sources, …`, `query: is required`.
 */
export function validationMessage(errors: readonly FastifySchemaValidationError[], part: string | undefined): string {
  const error = errors[0] as VerboseError | undefined;
  if (error === undefined) return `${part ?? 'request'}: is invalid`;
  const base = fieldName(error.instancePath, part);
  switch (error.keyword) {
    case 'required':
      return `${join(base, error.params.missingProperty)}: is required`;
    case 'additionalProperties': {
      const allowed = Object.keys(error.parentSchema?.properties ?? {});
      const hint = allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : '';
      return `${join(base, error.params.additionalProperty)}: is not a known field${hint}`;
    }
    default: {
      const expected = typeof error.parentSchema?.description === 'string' ? `must be ${error.parentSchema.description}` : (error.message ?? 'is invalid');
      return `${base}: ${expected}; got ${show(error.data)}`;
    }
  }
}

/** `/timeouts/job` → `timeouts.job`, `/sources/0` → `sources[0]`; the part's name for the whole part. */
function fieldName(instancePath: string, part: string | undefined): string {
  const segments = instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (segments.length === 0) return part === 'headers' || part === undefined ? 'request' : part;
  return segments.reduce((name, segment) => (/^\d+$/.test(segment) ? `${name}[${segment}]` : name === '' ? segment : `${name}.${segment}`), '');
}

function join(base: string, name: unknown): string {
  const field = typeof name === 'string' ? name : '?';
  return base === 'body' || base === 'querystring' || base === 'params' || base === 'request' ? field : `${base}.${field}`;
}

/** The offending value, short: long texts are cut and their length given. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string' && value.length > 40) return `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)`;
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
}

/**
 * The JSON Schemas of the HTTP API: Fastify validates requests and serializes answers with them,
 * and the OpenAPI document is generated from them, so the docs cannot drift from the server.
 *
 * A property's `description` says what a valid value is ("a whole number from 1 to 1000"): bad
 * input answers read `limit: must be <description>; got -1`.
 */
import { IMAGE_FORMATS, JOB_STATUSES, LICENSE_CODES, NO_FILTERS, ORIENTATIONS, SOURCE_ID_PATTERN, SOURCE_RUN_STATUSES } from '../domain.js';
import { LICENSE_GROUPS } from '../filters/filters.js';
import { FILTER_FIELDS, MAX_MIN_SIDE } from '../filters/parse.js';
import { MAX_LIMIT, MAX_QUERY_LENGTH } from '../services/job-request.js';
import { MAX_JOB_LIST_LIMIT } from '../store/queries.js';

const text = { type: 'string' } as const;
const nullableText = { type: ['string', 'null'] } as const;
const count = { type: 'integer', minimum: 0 } as const;
const nullableCount = { type: ['integer', 'null'] } as const;
/** A built-in or plugin source id: the shape here, whether it exists is checked against the loaded registry. */
const sourceId = { type: 'string', pattern: SOURCE_ID_PATTERN.source } as const;

/** `{ code, message }` of a failure. */
export const errorInfoSchema = {
  type: 'object',
  properties: { code: { type: 'string', description: 'a stable TRAWL_… code (docs/errors.md)' }, message: text },
  required: ['code', 'message'],
} as const;

const nullableErrorInfo = { ...errorInfoSchema, type: ['object', 'null'] } as const;

/** Every error answer: `{ error: { code, message } }`. */
export const errorResponseSchema = {
  type: 'object',
  properties: { error: errorInfoSchema },
  required: ['error'],
} as const;

/** One source inside one job. */
export const sourceRunSchema = {
  type: 'object',
  properties: {
    source: sourceId,
    status: { type: 'string', enum: SOURCE_RUN_STATUSES },
    found: count,
    downloaded: count,
    failed: count,
    duplicates: count,
    filtered: count,
    startedAt: nullableText,
    finishedAt: nullableText,
    elapsedMs: nullableCount,
    budgetMs: nullableCount,
    error: nullableErrorInfo,
  },
  required: ['source', 'status', 'found', 'downloaded', 'failed', 'duplicates', 'filtered', 'startedAt', 'finishedAt', 'elapsedMs', 'budgetMs', 'error'],
} as const;

/** A job's filters as stored and returned: `null` is no constraint, licence groups are expanded to codes. */
export const filtersSchema = {
  type: 'object',
  properties: {
    minWidth: nullableCount,
    minHeight: nullableCount,
    orientation: { type: ['string', 'null'], enum: [...ORIENTATIONS, null] },
    license: { type: ['array', 'null'], items: { type: 'string', enum: LICENSE_CODES } },
    safeSearch: { type: 'boolean' },
    format: { type: ['array', 'null'], items: { type: 'string', enum: IMAGE_FORMATS } },
  },
  required: FILTER_FIELDS,
} as const;

/** A job with its source runs and counts. */
export const jobSchema = {
  type: 'object',
  properties: {
    id: text,
    query: text,
    type: { type: 'string', enum: ['image', 'video', 'all'] },
    limit: { type: 'integer' },
    outDir: text,
    status: { type: 'string', enum: JOB_STATUSES },
    budgets: {
      type: 'object',
      properties: { requestMs: { type: 'integer' }, sourceMs: { type: 'integer' }, jobMs: { type: 'integer' } },
      required: ['requestMs', 'sourceMs', 'jobMs'],
    },
    filters: filtersSchema,
    sources: { type: 'array', items: sourceRunSchema },
    downloaded: count,
    images: count,
    videos: count,
    failed: count,
    createdAt: text,
    startedAt: nullableText,
    finishedAt: nullableText,
    elapsedMs: nullableCount,
    error: nullableErrorInfo,
    worker: nullableText,
    heartbeatAt: nullableText,
  },
  required: ['id', 'query', 'type', 'limit', 'outDir', 'status', 'budgets', 'filters', 'sources', 'downloaded', 'images', 'videos', 'failed', 'createdAt', 'startedAt', 'finishedAt', 'elapsedMs', 'error', 'worker', 'heartbeatAt'],
} as const;

/** A downloaded file with its metadata; `fileUrl` serves its bytes. */
export const itemSchema = {
  type: 'object',
  properties: {
    id: text,
    jobId: text,
    source: sourceId,
    kind: { type: 'string', enum: ['image', 'video', 'audio'] },
    url: text,
    pageUrl: nullableText,
    title: nullableText,
    author: nullableText,
    authorUrl: nullableText,
    license: nullableText,
    licenseUrl: nullableText,
    licenseCode: { type: ['string', 'null'], enum: [...LICENSE_CODES, null], description: 'the licence as a code (null when the source states none)' },
    width: nullableCount,
    height: nullableCount,
    path: text,
    bytes: count,
    sha256: text,
    contentType: text,
    createdAt: text,
    fileUrl: text,
  },
  required: ['id', 'jobId', 'source', 'kind', 'url', 'pageUrl', 'title', 'author', 'authorUrl', 'license', 'licenseUrl', 'licenseCode', 'width', 'height', 'path', 'bytes', 'sha256', 'contentType', 'createdAt', 'fileUrl'],
} as const;

/** A candidate that could not be saved. */
export const failureSchema = {
  type: 'object',
  properties: { source: sourceId, url: text, code: text, message: text },
  required: ['source', 'url', 'code', 'message'],
} as const;

/** One source as `trawl sources --json` shows it. */
export const sourceStatusSchema = {
  type: 'object',
  properties: {
    id: sourceId,
    name: text,
    configured: { type: 'boolean' },
    reason: nullableText,
    keyVar: nullableText,
    kinds: { type: 'array', items: { type: 'string', enum: ['image', 'video', 'audio'] } },
    licensePolicy: text,
    statesLicenses: { type: 'boolean' },
    pushdown: {
      type: 'array',
      items: {
        type: 'object',
        properties: { filter: { type: 'string', enum: Object.keys(NO_FILTERS) }, sends: text, precision: { type: 'string', enum: ['exact', 'coarse', 'approximate'] } },
        required: ['filter', 'sends', 'precision'],
      },
    },
    origin: text,
    quota: {
      type: ['object', 'null'],
      properties: { remaining: nullableCount, limit: nullableCount, resetAt: nullableText, updatedAt: text },
      required: ['remaining', 'limit', 'resetAt', 'updatedAt'],
    },
    health: {
      type: 'object',
      properties: {
        runs: count,
        ok: count,
        failed: count,
        timedOut: count,
        successRate: { type: ['number', 'null'] },
        latencyMs: { type: 'object', properties: { p50: { type: ['number', 'null'] }, p95: { type: ['number', 'null'] } }, required: ['p50', 'p95'] },
        lastError: { type: ['object', 'null'], properties: { code: text, message: text, at: text }, required: ['code', 'message', 'at'] },
        lastRunAt: nullableText,
        breaker: {
          type: 'object',
          properties: { state: { type: 'string', enum: ['closed', 'open', 'half_open'] }, consecutiveFailures: count, openedAt: nullableText, retryAt: nullableText },
          required: ['state', 'consecutiveFailures', 'openedAt', 'retryAt'],
        },
      },
      required: ['runs', 'ok', 'failed', 'timedOut', 'successRate', 'latencyMs', 'lastError', 'lastRunAt', 'breaker'],
    },
  },
  required: ['id', 'name', 'configured', 'reason', 'keyVar', 'kinds', 'licensePolicy', 'statesLicenses', 'pushdown', 'origin', 'quota', 'health'],
} as const;

/** `GET /api/health`. */
export const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok'] },
    version: text,
    uptimeSeconds: count,
    jobs: { type: 'object', properties: { running: count, queued: count }, required: ['running', 'queued'] },
  },
  required: ['status', 'version', 'uptimeSeconds', 'jobs'],
} as const;

const duration = {
  type: ['string', 'number'],
  maxLength: 32,
  exclusiveMinimum: 0,
  maximum: 604_800,
  description: 'a duration like "30s", "500ms", "5m", "1h" or a number of seconds (at most 7 days)',
} as const;

const side = {
  type: ['integer', 'null'],
  minimum: 1,
  maximum: MAX_MIN_SIDE,
  description: `a whole number of pixels from 1 to ${MAX_MIN_SIDE}`,
} as const;

const LICENSE_WORDS = `licence codes (${LICENSE_CODES.join(', ')}) or groups (${Object.keys(LICENSE_GROUPS).join(', ')})`;

/** `filters` of `POST /api/jobs`; the values are checked once more by the job request (codes, formats). */
const filtersBodySchema = {
  type: 'object',
  additionalProperties: false,
  description: `an object with the fields ${FILTER_FIELDS.join(', ')}`,
  properties: {
    minWidth: side,
    minHeight: side,
    orientation: { type: ['string', 'null'], enum: [...ORIENTATIONS, null], description: `one of ${ORIENTATIONS.join(', ')}` },
    license: {
      type: ['string', 'array', 'null'],
      maxLength: 500,
      maxItems: 32,
      items: { type: 'string', maxLength: 32, description: `one of the ${LICENSE_WORDS}` },
      description: `a comma list or a list of ${LICENSE_WORDS}`,
    },
    safeSearch: { type: ['boolean', 'string'], enum: [true, false, 'on', 'off'], description: 'on or off (or true or false)' },
    format: {
      type: ['string', 'array', 'null'],
      maxLength: 100,
      maxItems: 8,
      items: { type: 'string', maxLength: 8, description: `one of ${IMAGE_FORMATS.join(', ')}` },
      description: `a comma list or a list of ${IMAGE_FORMATS.join(', ')}`,
    },
  },
} as const;

/** `POST /api/jobs`: no other fields; the server chooses where files go. */
export const jobBodySchema = {
  type: 'object',
  description: 'a JSON object with the fields query, sources, type, limit, timeouts, filters',
  additionalProperties: false,
  required: ['query'],
  properties: {
    query: { type: 'string', minLength: 1, maxLength: MAX_QUERY_LENGTH, description: `a text of 1 to ${MAX_QUERY_LENGTH} characters` },
    sources: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      description: 'a list of 1 or more source ids',
      items: { ...sourceId, description: 'a source id as GET /api/sources lists them' },
    },
    type: { type: 'string', enum: ['image', 'video', 'all'], default: 'image', description: 'one of image, video, all' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 20, description: `a whole number from 1 to ${MAX_LIMIT}` },
    timeouts: {
      type: 'object',
      additionalProperties: false,
      description: 'an object with request, source and job durations',
      properties: { request: duration, source: duration, job: duration },
    },
    filters: filtersBodySchema,
  },
} as const;

/** `:id` in a path. */
export const idParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128, description: 'an id of 1 to 128 characters' } },
} as const;

/** `GET /api/jobs` filters. */
export const jobListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: {
      type: 'string',
      pattern: `^(${JOB_STATUSES.join('|')})(,(${JOB_STATUSES.join('|')}))*$`,
      description: `a comma-separated list of job statuses (${JOB_STATUSES.join(', ')})`,
    },
    limit: { type: 'integer', minimum: 1, maximum: MAX_JOB_LIST_LIMIT, default: 50, description: `a whole number from 1 to ${MAX_JOB_LIST_LIMIT}` },
  },
} as const;

const eventId = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'an event id (a whole number, 0 or more)' } as const;

/** Event stream parameters: where to resume, and the token for clients that cannot set headers. */
/** `?access_token=` on routes a browser loads without headers (event streams, item files in <img>/<video>). */
const accessTokenParam = { type: 'string', maxLength: 1024, description: 'the API token, for clients that cannot set an Authorization header' } as const;

/** Query of `/api/items/:id/file`: only the token. */
export const fileQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { access_token: accessTokenParam },
} as const;

export const eventQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    lastEventId: eventId,
    access_token: accessTokenParam,
  },
} as const;

/** The standard SSE resume header (sent by EventSource on reconnect; it wins over `?lastEventId=`). */
export const eventHeadersSchema = {
  type: 'object',
  properties: { 'last-event-id': { type: 'string', pattern: '^[0-9]{1,15}$', description: 'an event id (a whole number, 0 or more)' } },
} as const;

/** The 4xx/5xx answers every route may give. */
export const errorResponses = { '4xx': errorResponseSchema, '5xx': errorResponseSchema } as const;

/** Schemas shown once under their name in the OpenAPI document and referenced elsewhere. */
export const NAMED_SCHEMAS: ReadonlyMap<object, string> = new Map<object, string>([
  [jobSchema, 'Job'],
  [sourceRunSchema, 'SourceRun'],
  [filtersSchema, 'Filters'],
  [itemSchema, 'Item'],
  [failureSchema, 'Failure'],
  [sourceStatusSchema, 'SourceStatus'],
  [healthSchema, 'Health'],
  [errorResponseSchema, 'Error'],
  [jobBodySchema, 'JobRequest'],
]);

/**
 * The HTTP edge of the error catalogue: every failure answers `{ error: { code, message } }`.
 * Bad input keeps its message (which names the field); anything unexpected becomes a 500 whose
 * body says nothing about the inside, while the log gets everything.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, TrawlError } from '../errors.js';
import type { TrawlLogger } from '../logging/logger.js';
import { validationMessage } from './validation.js';

/** What an error answer carries. */
export interface ErrorAnswer {
  status: number;
  code: ErrorCode;
  message: string;
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  TRAWL_BAD_INPUT: 400,
  TRAWL_UNAUTHORIZED: 401,
  TRAWL_HOST_NOT_ALLOWED: 403,
  TRAWL_NOT_FOUND: 404,
};

/** Fastify's own body errors, in the API's words. */
function bodyProblem(code: string | undefined, bodyLimitBytes: number): string | undefined {
  switch (code ?? '') {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `body: is larger than the limit of ${bodyLimitBytes} bytes`;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'body: is not valid JSON';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'body: is empty although Content-Type says JSON; send a JSON object';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'body: must be JSON (Content-Type: application/json)';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'body: its size does not match Content-Length';
    default:
      return undefined;
  }
}

/** The answer for any thrown value; `internal` answers must be logged by the caller. */
export function errorAnswer(err: unknown, bodyLimitBytes: number): ErrorAnswer & { internal: boolean } {
  const fastifyError = err as Partial<FastifyError>;
  if (Array.isArray(fastifyError.validation)) {
    return { status: 400, code: 'TRAWL_BAD_INPUT', message: validationMessage(fastifyError.validation, fastifyError.validationContext), internal: false };
  }
  if (err instanceof TrawlError) {
    const status = STATUS_BY_CODE[err.code];
    if (status !== undefined) return { status, code: err.code, message: err.message, internal: false };
  }
  // The database is down or refusing: the service is unavailable, not broken. The details (which
  // database, why) are for the operator's log, not for API clients.
  if (err instanceof TrawlError && err.code === 'TRAWL_DATABASE') {
    return { status: 503, code: 'TRAWL_DATABASE', message: 'the database cannot be reached; try again later (the server log has the details)', internal: true };
  }
  const problem = bodyProblem(fastifyError.code, bodyLimitBytes);
  if (problem !== undefined) return { status: 400, code: 'TRAWL_BAD_INPUT', message: problem, internal: false };
  const status = fastifyError.statusCode;
  if (fastifyError.code?.startsWith('FST_') && status !== undefined && status >= 400 && status < 500) {
    return { status, code: 'TRAWL_BAD_INPUT', message: `request: ${fastifyError.message ?? 'is invalid'}`, internal: false };
  }
  return { status: 500, code: 'TRAWL_INTERNAL', message: 'internal error; the server log has the details', internal: true };
}

/** A Fastify error handler answering with {@link errorAnswer} and logging internal errors in full. */
export function createErrorHandler(logger: TrawlLogger, bodyLimitBytes: number) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const answer = errorAnswer(err, bodyLimitBytes);
    // The path only: a query string may carry the access token.
    if (answer.internal) logger.error({ err, reqId: request.id, method: request.method, path: request.url.split('?')[0] }, 'HTTP REQUEST FAILED');
    if (answer.code === 'TRAWL_UNAUTHORIZED') reply.header('www-authenticate', 'Bearer realm="trawl"');
    return reply.code(answer.status).send({ error: { code: answer.code, message: answer.message } });
  };
}

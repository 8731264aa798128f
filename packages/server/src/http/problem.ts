// Turns any error into RFC 9457 problem details with a stable code; internals never reach the client.

import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  createFailureRuns,
  ERROR_STATUS,
  ERROR_TITLE,
  type ErrorCode,
  type FieldError,
  isQuiverError,
  toFieldErrors,
} from '../kernel/index.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
/** What a 503 tells clients to wait when its error names no other time, in seconds. */
export const DEFAULT_RETRY_AFTER_S = 1;

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_VALIDATION: 'validation_failed',
};

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Maps request-validation errors to `{path, message}`, prefixing pointers outside the body with the part. */
export const fieldErrors = (errors: readonly ErrorObject[], part?: string): FieldError[] =>
  toFieldErrors(errors, part && part !== 'body' ? `/${part === 'querystring' ? 'query' : part}` : '');

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance: string;
  requestId: string;
  errors?: FieldError[];
}

export const problemBody = (
  request: FastifyRequest,
  code: ErrorCode,
  detail: string,
  errors?: FieldError[],
): ProblemBody => ({
  type: `urn:quiver:problem:${code}`,
  title: ERROR_TITLE[code],
  status: ERROR_STATUS[code],
  detail,
  code,
  instance: request.url.split('?')[0],
  requestId: String(request.id),
  ...(errors && errors.length > 0 ? { errors } : {}),
});

export const sendProblem = (
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  errors?: FieldError[],
  headers: Record<string, string> = {},
) => {
  const body = problemBody(reply.request, code, detail, errors);
  // Every 503 says when to come back, so no route can forget it.
  const retry =
    body.status === 503 && !Object.keys(headers).some((h) => h.toLowerCase() === 'retry-after')
      ? { 'retry-after': String(DEFAULT_RETRY_AFTER_S) }
      : {};
  return reply
    .code(body.status)
    .headers({ ...headers, ...retry })
    .type(PROBLEM_CONTENT_TYPE)
    .serializer(JSON.stringify)
    .send(body);
};

export type ErrorHandler = (
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) => FastifyReply;

/**
 * The one error handler of an app (one per app: it keeps the app's outage runs). `unavailable` answers (a
 * dependency such as Redis or NATS is down, so each request needing it gets a 503) are expected, not bugs
 * worth a stack each: logged as the catalog relay logs its failing passes, at warn when they start, then at
 * most once per interval with the count, a run per distinct message.
 */
export const createErrorHandler = (options: { outageReportEveryMs?: number } = {}): ErrorHandler => {
  const outages = createFailureRuns(options.outageReportEveryMs);
  return (error, request, reply) => {
    if (isQuiverError(error)) {
      if (error.code === 'unavailable') {
        outages(error.message).fail((answered) =>
          request.log.warn({ err: error.cause ?? error, answered }, `answering 503: ${error.message}`),
        );
      } else if (error.status >= 500) request.log.error({ err: error.cause ?? error }, error.message);
      return sendProblem(reply, error.code, error.message, error.errors, error.headers);
    }
    return handleOtherError(error, request, reply);
  };
};

/** Errors that are not Quiver's own: fastify's, validation, and anything unexpected. */
const handleOtherError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
  if (error.validation) {
    const errors = fieldErrors(error.validation as unknown as ErrorObject[], error.validationContext);
    const detail = `The request ${error.validationContext ?? 'body'} is invalid: ${errors
      .map((e) => `${e.path} ${e.message}`)
      .join('; ')}`;
    return sendProblem(reply, 'validation_failed', detail, errors);
  }
  const status = error.statusCode ?? 500;
  const code =
    (error.code && FASTIFY_CODES[error.code]) ||
    (error instanceof SyntaxError && status === 400 ? 'malformed_json' : undefined) ||
    (status < 500 ? STATUS_CODES[status] : undefined);
  if (code && status < 500) {
    const detail = code === 'malformed_json' ? `The body is not valid JSON: ${error.message}` : error.message;
    return sendProblem(reply, code, detail);
  }
  if (status === 503) return sendProblem(reply, 'unavailable', 'The service is not available right now');
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(
    reply,
    'internal',
    `An internal error occurred; quote request id ${request.id} when reporting it`,
  );
};

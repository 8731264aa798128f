// Errors on /v2 as the Open Inference Protocol has them: `{"error": "…"}`, with the status of the error's code.
import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isQuiverError, toFieldErrors } from '../../kernel/index.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

export const sendOipError = (
  reply: FastifyReply,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) => reply.code(status).headers(headers).type(JSON_TYPE).serializer(JSON.stringify).send({ error: message });

const PART: Record<string, string> = { querystring: '/query', params: '/params', headers: '/headers' };

/**
 * The error handler of the /v2 plugin. It maps the same QuiverError codes as the app's handler (through
 * QuiverError.status), and receives the auth hook's errors too, since Fastify calls the handler of the
 * context the route was registered in.
 */
export const handleOipError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
  if (isQuiverError(error)) {
    if (error.status >= 500 && error.status !== 503 && error.status !== 504)
      request.log.error({ err: error.cause ?? error }, error.message);
    return sendOipError(reply, error.status, error.message, error.headers);
  }
  if (error.validation) {
    const part = error.validationContext ?? 'body';
    const errors = toFieldErrors(error.validation as unknown as ErrorObject[], PART[part] ?? '');
    const detail = errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ');
    return sendOipError(reply, 400, `The request ${part} is invalid: ${detail}`);
  }
  const status = error.statusCode ?? 500;
  if (status < 500) {
    const message =
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && status === 400)
        ? `The body is not valid JSON: ${error.message}`
        : error.message;
    return sendOipError(reply, status, message);
  }
  if (status === 503)
    return sendOipError(reply, 503, 'The service is not available right now', { 'retry-after': '1' });
  request.log.error({ err: error }, 'unhandled error');
  return sendOipError(
    reply,
    500,
    `An internal error occurred; quote request id ${request.id} when reporting it`,
  );
};

// The /v2 renderer of the one error path: errors as the Open Inference Protocol has them, `{"error": "…"}`,
// with the same status and headers the app's problem+json answer would have.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { classifyError, type ErrorAnswer, errorHeaders, logError } from '../../http/index.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

export const sendOipError = (reply: FastifyReply, answer: ErrorAnswer) =>
  reply
    .code(answer.status)
    .headers(errorHeaders(answer))
    .type(JSON_TYPE)
    .serializer(JSON.stringify)
    .send({ error: answer.detail });

/**
 * The error handler of the /v2 plugin. It receives the auth hook's errors too, since Fastify calls the
 * handler of the context the route was registered in.
 */
export const handleOipError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
  const answer = classifyError(error, String(request.id));
  // An outage's 503s repeat for every call: the dependency trackers and the /v1 handler log each run once.
  if (answer.code !== 'unavailable') logError(request.log, error, answer);
  return sendOipError(reply, answer);
};

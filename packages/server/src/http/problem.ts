// The /v1 renderer of the one error path: RFC 9457 problem details with a stable code.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  createFailureRuns,
  ERROR_STATUS,
  ERROR_TITLE,
  type ErrorCode,
  type FieldError,
} from '../kernel/index.ts';
import { answerFor, classifyError, type ErrorAnswer, errorHeaders, logError } from './classify.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId: string;
  errors?: FieldError[];
}

/** The problem body of an answer; also written raw on the socket for requests that never reach a route. */
export const problemBody = (
  answer: Pick<ErrorAnswer, 'code' | 'detail' | 'errors'>,
  requestId: string,
  instance?: string,
): ProblemBody => ({
  type: `urn:quiver:problem:${answer.code}`,
  title: ERROR_TITLE[answer.code],
  status: ERROR_STATUS[answer.code],
  detail: answer.detail,
  code: answer.code,
  ...(instance ? { instance } : {}),
  requestId,
  ...(answer.errors && answer.errors.length > 0 ? { errors: answer.errors } : {}),
});

export const replyProblem = (reply: FastifyReply, answer: ErrorAnswer) =>
  reply
    .code(answer.status)
    .headers(errorHeaders(answer))
    .type(PROBLEM_CONTENT_TYPE)
    .serializer(JSON.stringify)
    .send(problemBody(answer, String(reply.request.id), reply.request.url.split('?')[0]));

/** A problem answered without a thrown error (not-found handlers); a 503 still gets its Retry-After. */
export const sendProblem = (reply: FastifyReply, code: ErrorCode, detail: string, errors?: FieldError[]) =>
  replyProblem(reply, answerFor(code, detail, { errors }));

export type ErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * The app's error handler, one per app. An expected outage answer (503 `unavailable` while Redis or NATS is
 * down) repeats for every request: it is logged at warn when its run starts, then at most once per interval
 * with the count, per distinct detail. Everything else is logged as the classifier says.
 */
export const createErrorHandler = (options: { outageReportEveryMs?: number } = {}): ErrorHandler => {
  const outages = createFailureRuns(options.outageReportEveryMs);
  return (error, request, reply) => {
    const answer = classifyError(error, String(request.id));
    if (answer.code === 'unavailable')
      outages(answer.detail).fail((answered) =>
        request.log.warn(
          { err: (error as { cause?: unknown }).cause ?? error, answered },
          `answering 503: ${answer.detail}`,
        ),
      );
    else logError(request.log, error, answer);
    return replyProblem(reply, answer);
  };
};

/** An error handler for a Fastify instance of its own (tests of the renderers). */
export const handleError: ErrorHandler = createErrorHandler();

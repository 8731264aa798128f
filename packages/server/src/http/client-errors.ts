// Problems for requests that never reach a route: a path that is not valid percent-encoding (400), a path
// parameter too long for the router (414) and what Node's HTTP parser refuses (431 headers too large, 408,
// 400), answered as problem+json.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_ID_LENGTH } from '@quiver/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_STATUS, ERROR_TITLE, type ErrorCode } from '../kernel/index.ts';
import { type ErrorHandler, PROBLEM_CONTENT_TYPE, problemBody, sendProblem } from './problem.ts';

/** Longest raw path parameter the router takes: an id of MAX_ID_LENGTH characters, fully percent-encoded. */
export const MAX_PARAM_LENGTH = MAX_ID_LENGTH * 12;

const rawProblem = (code: ErrorCode, detail: string, instance?: string, requestId: string = randomUUID()) =>
  JSON.stringify(problemBody({ code, detail }, requestId, instance));

/** find-my-way's `onMaxParamLength`: the route exists but a parameter is longer than any valid id. */
export const onMaxParamLength = (path: string, req: IncomingMessage, res: ServerResponse) => {
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && given.length <= 128 ? given : randomUUID();
  const body = rawProblem(
    'uri_too_long',
    `A path parameter is longer than ${MAX_PARAM_LENGTH} characters (ids have at most ${MAX_ID_LENGTH})`,
    path.split('?')[0].slice(0, 200),
    requestId,
  );
  res.writeHead(414, { 'content-type': PROBLEM_CONTENT_TYPE, 'x-request-id': requestId });
  res.end(body);
};

/**
 * Fastify's `frameworkErrors`: what the router refuses before any hook runs. A path whose percent-encoding
 * does not decode (`%FF`, `%`, an encoded surrogate or overlong form) is a `bad_url` problem; hooks are
 * skipped here, so the request id header is set here too. Anything else goes to the app's error handler.
 */
export const frameworkErrors =
  (handleError: ErrorHandler) => (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-request-id', request.id);
    if (error.code === 'FST_ERR_BAD_URL') {
      return sendProblem(reply, 'bad_url', 'The path is not valid percent-encoded UTF-8');
    }
    return handleError(error, request, reply);
  };

const CLIENT_ERRORS: Record<string, [ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: ['headers_too_large', 'The request line and headers exceed the size limit (16 KiB)'],
  ERR_HTTP_REQUEST_TIMEOUT: ['request_timeout', 'The request was not received in time'],
};

/**
 * Whether the refused request is a HEAD, whose answer must not have a body. Node's parser hands over only the
 * chunk it failed on (`rawPacket`); when the request line came in an earlier chunk the method is unknown and
 * the request is taken for one that expects a body.
 */
const isHead = (err: NodeJS.ErrnoException & { rawPacket?: unknown }) =>
  Buffer.isBuffer(err.rawPacket) && err.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';

/** Fastify's `clientErrorHandler`: what Node does by default, but with a problem+json body (none for HEAD). */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, detail] = CLIENT_ERRORS[err.code ?? ''] ?? [
    'validation_failed',
    'The HTTP request is malformed',
  ];
  if (socket.writable) {
    const body = rawProblem(code, detail);
    // A HEAD answer keeps the Content-Length a GET would get (RFC 9110 §9.3.2) but sends no bytes after it.
    socket.write(
      `HTTP/1.1 ${ERROR_STATUS[code]} ${ERROR_TITLE[code]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nConnection: close\r\n\r\n${isHead(err) ? '' : body}`,
    );
  }
  socket.destroy(err);
}

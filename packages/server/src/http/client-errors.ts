// Problems for requests that never reach a route: a path parameter too long for the router (414) and
// what Node's HTTP parser refuses (431 headers too large, 408, 400), answered as problem+json on the socket.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_ID_LENGTH } from '@quiver/contracts';
import { ERROR_STATUS, ERROR_TITLE, type ErrorCode } from '../kernel/index.ts';
import { PROBLEM_CONTENT_TYPE, problemBody } from './problem.ts';

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

const CLIENT_ERRORS: Record<string, [ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: ['headers_too_large', 'The request line and headers exceed the size limit (16 KiB)'],
  ERR_HTTP_REQUEST_TIMEOUT: ['request_timeout', 'The request was not received in time'],
};

/** Fastify's `clientErrorHandler`: what Node does by default, but with a problem+json body. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, detail] = CLIENT_ERRORS[err.code ?? ''] ?? [
    'validation_failed',
    'The HTTP request is malformed',
  ];
  if (socket.writable) {
    const body = rawProblem(code, detail);
    socket.write(
      `HTTP/1.1 ${ERROR_STATUS[code]} ${ERROR_TITLE[code]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

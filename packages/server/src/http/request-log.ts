// One JSON log line per request, written when its answer is sent: trace id, tenant (the auth hook's
// bindings: tenantId, keyId), route, status and duration. Fastify's own two lines per request are off.
import type { FastifyInstance } from 'fastify';
import { traceIdOf, traceIdOfHeader } from '../kernel/index.ts';
import { observeResponses } from './response-observers.ts';
import { routeConfigOf } from './route-config.ts';

/** Levels at which an `info` line is written (a route may set its own level, so it is checked per request). */
const LOGS_INFO: ReadonlySet<string> = new Set(['trace', 'debug', 'info']);

export const registerRequestLog = (app: FastifyInstance): void => {
  observeResponses(app, (request, reply) => {
    // Below the logger's level the line would be dropped: do not build it (one object per request saved).
    if (!LOGS_INFO.has(request.log.level)) return;
    const traceId = request.span ? traceIdOf(request.span) : traceIdOfHeader(request.headers.traceparent);
    request.log.info(
      {
        ...(traceId ? { traceId } : {}),
        method: request.method,
        route: routeConfigOf(request).url ?? 'unmatched',
        url: request.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
      },
      'request',
    );
  });
};

// One SERVER span per HTTP request, continuing a caller's W3C `traceparent`/`tracestate` and returning the
// span's own in the response headers; route handlers run with it active, so module spans are its children.
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import {
  contextFromHeaders,
  contextWithSpan,
  type Span,
  SpanKind,
  SpanStatusCode,
  startSpan,
  type TraceContext,
  traceHeaders,
  tracingEnabled,
  withTraceContext,
} from '../kernel/index.ts';
import { routeConfigOf } from './route-config.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's SERVER span and the context holding it (undefined while tracing is off). */
    span?: Span;
    traceContext?: TraceContext;
  }
}

/** Registered before any route (its onRoute hook wraps the handlers registered after it). */
export const registerTracing = (app: FastifyInstance): void => {
  app.decorateRequest('span', undefined);
  app.decorateRequest('traceContext', undefined);
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function traced(request, reply) {
      // While tracing is off there is no context: call the handler without a closure around it.
      if (request.traceContext === undefined) return handler.call(this, request, reply);
      return withTraceContext(request.traceContext, () => handler.call(this, request, reply));
    };
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (!tracingEnabled()) return done();
    const parent = contextFromHeaders(request.headers);
    const route = routeConfigOf(request).url ?? 'unmatched';
    const span = startSpan(
      `${request.method} ${route}`,
      {
        'http.request.method': request.method,
        'http.route': route,
        'url.path': request.url.split('?')[0],
        'quiver.request_id': request.id,
      },
      { kind: SpanKind.SERVER, parent },
    );
    request.span = span;
    request.traceContext = contextWithSpan(parent, span);
    for (const [name, value] of Object.entries(traceHeaders(request.traceContext) ?? {}))
      reply.header(name, value);
    // The hooks after this one (auth and its SQL or cache reads) run inside the request's span.
    withTraceContext(request.traceContext, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = request.span;
    if (!span) return done();
    const p = request.principal;
    span.setAttributes({
      'http.response.status_code': reply.statusCode,
      ...(p?.kind === 'tenant' ? { 'quiver.tenant': p.tenantId } : {}),
    });
    if (reply.statusCode >= 500)
      span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${reply.statusCode}` });
    span.end();
    done();
  });
};

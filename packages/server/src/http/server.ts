// The Fastify instance every route runs in: logging with secrets redacted (one line per request), request
// ids, a span per request, JSON only, one validator and one error handler.
import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from '../config/index.ts';
import { requestValidatorCompiler } from '../kernel/index.ts';
import { clientErrorHandler, frameworkErrors, MAX_PARAM_LENGTH, onMaxParamLength } from './client-errors.ts';
import { registerBoundedJson } from './json-body.ts';
import { createErrorHandler, sendProblem } from './problem.ts';
import { registerRequestLog } from './request-log.ts';
import { lazyChildLogger } from './request-logger.ts';
import { decorateRouteConfig } from './route-config.ts';
import { registerTracing } from './tracing.ts';

/** Fastify's log controller without its "incoming request" and "request completed" lines; errors still log. */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(): void {}
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export interface ServerOptions {
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: DestinationStream;
}

export const createServer = (
  config: Pick<Config, 'logLevel' | 'bodyLimitBytes'>,
  options: ServerOptions = {},
) => {
  // One per app: it remembers which outage it has already logged.
  const handleError = createErrorHandler();
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.secret',
          '*.operatorKey',
        ],
        censor: '[redacted]',
      },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // One line per request instead of two (http/request-log.ts).
    logController: new OneLinePerRequest(),
    // Each request's logger becomes a pino child only when the request writes a line (request-logger.ts).
    childLoggerFactory: lazyChildLogger,
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    },
    // One id rule for paths and bodies: any valid id fits a path parameter; longer ones get a 414 problem.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, onMaxParamLength },
    clientErrorHandler,
    frameworkErrors: frameworkErrors(handleError),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();

  // The API speaks JSON only; a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  registerBoundedJson(app);
  app.setValidatorCompiler(requestValidatorCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`),
  );
  decorateRouteConfig(app);
  registerTracing(app);
  // Per-request hooks take a callback rather than being async: no promise per hook per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  registerRequestLog(app);
  return app;
};

// The HTTP layer: error handling, auth, rate limits, idempotency keys, health and OpenAPI.

export {
  type AccessRule,
  type AuthDeps,
  authorize,
  authorizeTenant,
  registerAuth,
  tenantOf,
} from './auth.ts';
export {
  answerFor,
  classifyError,
  DEFAULT_RETRY_AFTER_S,
  type ErrorAnswer,
  errorHeaders,
  logError,
} from './classify.ts';
export { clientErrorHandler, frameworkErrors, MAX_PARAM_LENGTH, onMaxParamLength } from './client-errors.ts';
export { DEFAULT_CONSOLE_DIR, registerConsole } from './console.ts';
export { BROWSER_ROUTES, parseCorsOrigins, registerCors } from './cors.ts';
export {
  CHANGELOG_PATH,
  deprecationHeaders,
  type RouteDeprecation,
  registerChangelog,
  registerDeprecation,
} from './deprecation.ts';
export { registerHealth } from './health.ts';
export {
  answerInTx,
  DEFAULT_LEASE_MS,
  IDEMPOTENCY_TTL_MS,
  idempotencyMigrations,
  registerIdempotency,
} from './idempotency/index.ts';
export { boundedJsonParser, registerBoundedJson } from './json-body.ts';
export { registerMetrics } from './metrics-route.ts';
export { type MetricsServer, startMetricsServer } from './metrics-server.ts';
export { registerOpenApi } from './openapi.ts';
export {
  MAX_PAYLOAD_CHARS,
  type PayloadLogRules,
  parsePayloadLog,
  redact,
  registerPayloadLog,
} from './payload-log.ts';
export { createErrorHandler, type ErrorHandler, PROBLEM_CONTENT_TYPE, sendProblem } from './problem.ts';
export { type RateLimitStore, withLocalFallback } from './rate-limit.ts';
export { observeResponses, type ResponseObserver } from './response-observers.ts';
export { type RouteConfig, routeConfigOf } from './route-config.ts';
export { createServer } from './server.ts';

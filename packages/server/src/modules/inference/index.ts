// The inference module's public surface: the OIP (KServe V2) routes, the serving service and its metrics hooks.
export { DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_CACHE_TTL_S } from './cache.ts';
export {
  DEFAULT_MEMORY_BUDGET_BYTES,
  engineKey,
  estimateBytes,
  SESSION_MEMORY_FACTOR,
} from './manager.ts';
export { inferenceObserver } from './metrics.ts';
export { DEFAULT_RESOLVE_TTL_MS } from './resolve.ts';
export { inferenceRoutes } from './routes.ts';
export {
  type InferRequestBody,
  InferRequestSchema,
  type InferResponseBody,
  InferResponseSchema,
  type InferViewsBody,
  type ModelMetadata,
  type ServerMetadata,
  TIMEOUT_HEADER,
  TimeoutHeaders,
  type ViewOutput,
} from './schemas.ts';
export {
  createInferenceService,
  type InferCallOptions,
  type InferenceDeps,
  type InferenceOptions,
  type InferenceService,
} from './service.ts';

// The inference module's public surface: the OIP (KServe V2) routes, the serving service and its metrics hooks.
import type { QuiverModule } from '../../kernel/index.ts';
import type { FeaturesService } from '../features/index.ts';
import type { RegistryService } from '../registry/index.ts';
import type { GrpcDeps, GrpcOptions, GrpcServer } from './grpc/server.ts';
import { inferenceRoutes } from './routes.ts';
import {
  createInferenceService,
  type InferenceDeps,
  type InferenceOptions,
  type InferenceService,
} from './service.ts';

export { DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_CACHE_TTL_S } from './cache.ts';
export type { GrpcAuthorize, GrpcDeps, GrpcOptions, GrpcServer } from './grpc/server.ts';
export {
  DEFAULT_MEMORY_BUDGET_BYTES,
  engineKey,
  estimateBytes,
  SESSION_MEMORY_FACTOR,
} from './manager.ts';
export { inferenceObserver } from './metrics.ts';
export { DEFAULT_RESOLVE_TTL_MS } from './resolve.ts';
export { stringifyInferResponse } from './respond.ts';
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

export interface InferenceModuleDeps extends Omit<InferenceDeps, 'resolver' | 'features' | 'models'> {
  registry: Pick<RegistryService, 'resolver' | 'listModels'>;
  /** Versions whose inputs come from features read them here. */
  features: Pick<FeaturesService, 'getOnlineFeatures'>;
}

/**
 * The OIP gRPC server (see grpc/server.ts), loaded on first use: @grpc/grpc-js and its proto loader take
 * hundreds of milliseconds to import, which an app without a gRPC port should not pay at every start.
 */
export const createGrpcServer = async (deps: GrpcDeps, options: GrpcOptions): Promise<GrpcServer> =>
  (await import('./grpc/server.ts')).createGrpcServer(deps, options);

/** Models read per registry page when the repository index lists a tenant's models. */
const MODEL_PAGE = 100;

export interface InferenceModuleOptions extends InferenceOptions {
  /** Body limit of the /v2 infer routes, after decompression (default DEFAULT_INFER_BODY_LIMIT_BYTES). */
  bodyLimitBytes?: number;
}

/** Serves registry versions through the engine (OIP routes under /v2); loads models on demand. */
export const createInferenceModule = (
  { registry, features, ...deps }: InferenceModuleDeps,
  { bodyLimitBytes, ...options }: InferenceModuleOptions,
): QuiverModule<InferenceService> => {
  const models = async (tenantId: string): Promise<string[]> => {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await registry.listModels(tenantId, MODEL_PAGE, cursor);
      names.push(...page.models.map((m) => m.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return names;
  };
  const inference = createInferenceService(
    { ...deps, resolver: registry.resolver, features: features.getOnlineFeatures, models },
    options,
  );
  return { service: inference, routes: inferenceRoutes(inference, { bodyLimitBytes }) };
};

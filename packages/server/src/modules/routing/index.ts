// The routing module's public surface: endpoints in front of models, shadows, fallbacks, rollouts, results.
import { createWarmUp, type ModuleLog, type QuiverModule } from '../../kernel/index.ts';
import type { InferenceService } from '../inference/index.ts';
import type { RegistryService } from '../registry/index.ts';
import type { TenancyService } from '../tenancy/index.ts';
import { routingRoutes } from './routes.ts';
import type { InferFn } from './serve.ts';
import { createRoutingService, type RoutingDeps, type RoutingService } from './service.ts';
import { warmEndpointModels } from './warm-models.ts';

export { routingMigrations } from './migrations.ts';
export { routingRoutes } from './routes.ts';
export type { InferCallOptions, InferFn } from './serve.ts';
export {
  createRoutingService,
  type RoutingDeps,
  type RoutingOptions,
  type RoutingService,
} from './service.ts';

export interface RoutingModuleDeps extends Omit<RoutingDeps, 'infer' | 'resolve' | 'onError'> {
  /** Endpoints call model versions through inference. */
  inference: Pick<InferenceService, 'infer' | 'inferViews'>;
  /** Targets are checked against the registry. */
  registry: Pick<RegistryService, 'resolver'>;
  log: ModuleLog;
}

/** Named endpoints over inference; starts telemetry (start), attribution and the rollout controller (work). */
export const createRoutingModule = ({
  inference,
  registry,
  log,
  ...deps
}: RoutingModuleDeps): QuiverModule<RoutingService> => {
  // Endpoints answer JSON (binary outputs, Triton's extension, are a /v2 feature); recommendations read the
  // outputs in process, as views of the engine's arrays.
  const infer: InferFn = async (tenantId, model, ref, body, { views, ...call } = {}) =>
    views
      ? inference.inferViews(tenantId, model, ref, body, call)
      : (await inference.infer(tenantId, model, ref, body, call)).body;
  const routing = createRoutingService({
    ...deps,
    infer,
    resolve: registry.resolver.resolve,
    onError: (err, what) => log.warn({ err }, what),
  });
  return {
    service: routing,
    routes: routingRoutes(routing),
    start: () => routing.start(),
    work: () => routing.work(),
    close: () => routing.close(),
  };
};

/** Its name in /readyz's `warming` while the endpoints' models load at start. */
export const MODELS_WARM_UP = 'models';

/**
 * Loads every tenant's endpoint models into this replica's engine at start (warm-models.ts): the warm-up
 * /readyz waits for, on roles that serve. Closing stops it between targets without waiting for a load.
 */
export const createModelWarmUpModule = (deps: {
  routing: Pick<RoutingService, 'list'>;
  inference: Pick<InferenceService, 'modelReady'>;
  tenancy: Pick<TenancyService, 'listTenants'>;
  log: ModuleLog;
}): QuiverModule<undefined> => {
  const warmUp = createWarmUp(MODELS_WARM_UP);
  let closed = false;
  const warm = async () => {
    const ready = await warmEndpointModels({
      listTenants: deps.tenancy.listTenants,
      listEndpoints: deps.routing.list,
      modelReady: deps.inference.modelReady,
      log: deps.log,
      isOpen: () => !closed,
    });
    if (ready > 0) deps.log.info({ models: ready }, "endpoints' models warmed");
  };
  return {
    service: undefined,
    start() {
      warmUp.run(warm, (err) => {
        if (!closed) deps.log.warn({ err }, 'warming the endpoints’ models failed; they load on first use');
      });
    },
    warmUp,
    close() {
      closed = true;
    },
  };
};

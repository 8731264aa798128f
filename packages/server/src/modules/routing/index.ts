// The routing module's public surface: endpoints in front of models, shadows, fallbacks, rollouts, results.
import type { ModuleLog, QuiverModule } from '../../kernel/index.ts';
import type { InferenceService } from '../inference/index.ts';
import type { RegistryService } from '../registry/index.ts';
import { routingRoutes } from './routes.ts';
import type { InferFn } from './serve.ts';
import { createRoutingService, type RoutingDeps, type RoutingService } from './service.ts';

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

/** Named endpoints over inference; starts attribution (start) and the rollout controller (work), and closes them. */
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

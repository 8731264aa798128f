// The routing module's public surface: endpoints in front of models, shadows, fallbacks, rollouts, results.
export { routingMigrations } from './migrations.ts';
export { routingRoutes } from './routes.ts';
export type { InferCallOptions, InferFn } from './serve.ts';
export {
  createRoutingService,
  type RoutingDeps,
  type RoutingOptions,
  type RoutingService,
} from './service.ts';

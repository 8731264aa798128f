// The features module's public surface.
import type { ModuleLog, QuiverModule } from '../../kernel/index.ts';
import { featuresRoutes } from './routes.ts';
import { createFeaturesService, type FeaturesDeps, type FeaturesService } from './service.ts';

export { BUILTIN_VIEWS } from './definitions.ts';
export { featureVisibleTimes, waitForFeatures } from './freshness.ts';
export {
  type FreshnessReport,
  histogramQuantile,
  type ProbeOptions,
  type ProbeTarget,
  probeFreshness,
} from './freshness-probe.ts';
export { featuresMigrations } from './migrations.ts';
export { featuresRoutes } from './routes.ts';
export {
  createFeaturesService,
  type FeaturesDeps,
  type FeaturesOptions,
  type FeaturesService,
  type GetOnlineFeatures,
} from './service.ts';
export { BUCKET_MS, bucketStart, WINDOW_MS, windowRange } from './windows.ts';

export interface FeaturesModuleDeps extends Omit<FeaturesDeps, 'onError'> {
  log: ModuleLog;
}

/** Feature definitions and reads; starts the consumer that keeps online state, and stops it. */
export const createFeaturesModule = (
  { log, ...deps }: FeaturesModuleDeps,
  options: { namespace?: string },
): QuiverModule<FeaturesService> => {
  const features = createFeaturesService(
    { ...deps, onError: (err) => log.warn({ err }, 'feature consumer failed') },
    options,
  );
  return {
    service: features,
    routes: featuresRoutes(features),
    start: () => features.start(),
    close: () => features.stop(),
  };
};

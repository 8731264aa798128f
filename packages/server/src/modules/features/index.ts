// The features module's public surface.
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

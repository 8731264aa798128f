// Prometheus metrics: one registry per app, shared by every module; exposed at /metrics.
export { type AvailabilitySource, trackDependency } from './dependency.ts';
export { createMetrics, LATENCY_BUCKETS_S, type Metrics } from './registry.ts';
export type { CounterSeries, HistogramSeries, SeriesCounter, SeriesHistogram } from './series.ts';

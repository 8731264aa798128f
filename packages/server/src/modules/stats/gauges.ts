// Global figures read from the app's Prometheus registry at each flush: the change since the last reading.
import type { Metrics } from '../../metrics/index.ts';

/** Metric names as the inference and features modules register them (with the registry's prefix). */
const CACHE_HITS = 'quiver_inference_cache_hits_total';
const CACHE_MISSES = 'quiver_inference_cache_misses_total';
const BATCH_SIZE = 'quiver_inference_batch_size';
const CONSUMER_LAG = 'quiver_feature_consumer_lag';

export interface GlobalReading {
  cacheHits: number;
  cacheMisses: number;
  batches: number;
  batchRows: number;
  streamLag: number | null;
}

interface MetricValue {
  value: number;
  metricName?: string;
}

/** Sums a metric's samples (all label sets), optionally only those of one series name (`_sum`, `_count`). */
const sumOf = async (metrics: Metrics, name: string, series?: string): Promise<number | null> => {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return null;
  const { values } = (await metric.get()) as { values: MetricValue[] };
  const picked = series ? values.filter((v) => v.metricName === series) : values;
  return picked.reduce((s, v) => s + v.value, 0);
};

/** Running totals; `delta` turns two readings into what happened between them. */
export const readGlobals = async (metrics: Metrics): Promise<GlobalReading> => ({
  cacheHits: (await sumOf(metrics, CACHE_HITS)) ?? 0,
  cacheMisses: (await sumOf(metrics, CACHE_MISSES)) ?? 0,
  batches: (await sumOf(metrics, BATCH_SIZE, `${BATCH_SIZE}_count`)) ?? 0,
  batchRows: (await sumOf(metrics, BATCH_SIZE, `${BATCH_SIZE}_sum`)) ?? 0,
  streamLag: await sumOf(metrics, CONSUMER_LAG),
});

export const delta = (now: GlobalReading, before: GlobalReading): GlobalReading => ({
  cacheHits: Math.max(0, now.cacheHits - before.cacheHits),
  cacheMisses: Math.max(0, now.cacheMisses - before.cacheMisses),
  batches: Math.max(0, now.batches - before.batches),
  batchRows: Math.max(0, now.batchRows - before.batchRows),
  streamLag: now.streamLag,
});

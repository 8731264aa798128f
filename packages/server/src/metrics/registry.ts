// The metrics registry: one per app, shared by every module; exposed at /metrics.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type SeriesCounter, type SeriesHistogram, seriesCounter, seriesHistogram } from './series.ts';

/** Latency buckets in seconds, from 0.5 ms to 10 s. */
export const LATENCY_BUCKETS_S = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface Metrics {
  registry: Registry;
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L>;
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L>;
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets?: number[],
  ): Histogram<L>;
  /** A counter whose label sets are resolved once (per-request figures: see series.ts). */
  seriesCounter<L extends string>(name: string, help: string, labelNames: readonly L[]): SeriesCounter<L>;
  seriesHistogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets?: number[],
  ): SeriesHistogram<L>;
}

/**
 * A registry with process metrics and `quiver_`-prefixed helpers. Asking twice for the same name returns
 * the same metric, so modules can declare what they use without coordinating.
 */
export const createMetrics = (): Metrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const made = new Map<string, unknown>();
  const once = <T>(name: string, make: () => T): T => {
    if (!made.has(name)) made.set(name, make());
    return made.get(name) as T;
  };
  return {
    registry,
    counter: (name, help, labelNames) =>
      once(name, () => new Counter({ name: `quiver_${name}`, help, labelNames, registers: [registry] })),
    gauge: (name, help, labelNames) =>
      once(name, () => new Gauge({ name: `quiver_${name}`, help, labelNames, registers: [registry] })),
    histogram: (name, help, labelNames, buckets = LATENCY_BUCKETS_S) =>
      once(
        name,
        () => new Histogram({ name: `quiver_${name}`, help, labelNames, buckets, registers: [registry] }),
      ),
    seriesCounter: (name, help, labelNames) =>
      once(name, () => seriesCounter(registry, `quiver_${name}`, help, labelNames)),
    seriesHistogram: (name, help, labelNames, buckets = LATENCY_BUCKETS_S) =>
      once(name, () => seriesHistogram(registry, `quiver_${name}`, help, labelNames, buckets)),
  };
};

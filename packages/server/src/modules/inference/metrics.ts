// Serving metrics in Prometheus, labelled by tenant, model and version; fed by the service and the engine hooks.
import type { ErrorCode } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import type { InferenceObserver, ModelLabels } from '../engine/index.ts';
import { statisticsFor } from './stats.ts';
import { PairMap, type ServedLabels, VersionMap } from './version-map.ts';

export type { ServedLabels };

const L = ['tenant', 'model', 'version'] as const;
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const LOAD_BUCKETS_S = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The labels the engine is given for a served version: the owner rides in `model` as `tenant/model`, since the
 * engine's labels have no tenant field and its batch and queue events carry no tenant of their own.
 */
export const engineLabels = (l: ServedLabels): ModelLabels => ({
  model: `${l.tenant}/${l.model}`,
  version: l.version,
});

/** The served labels of an engine event, or undefined for models this module did not load (upload checks). */
const servedOf = (e: ModelLabels): ServedLabels | undefined => {
  const slash = e.model.indexOf('/');
  if (slash < 0 || e.version === '') return undefined;
  return { tenant: e.model.slice(0, slash), model: e.model.slice(slash + 1), version: e.version };
};

/** Asking twice returns the same series: metrics.* returns the metric already made under a name. */
export const inferenceMetrics = (metrics: Metrics) => {
  // The statistics extension's counts, fed by the same events as the Prometheus series.
  const stats = statisticsFor(metrics);
  const m = {
    // Per-request series (metrics/series.ts): resolved once per version, no label hashing per sample.
    requests: metrics.seriesCounter('inference_requests_total', 'Inference requests', L),
    failures: metrics.counter('inference_failures_total', 'Inference requests that failed, by error code', [
      ...L,
      'code',
    ]),
    total: metrics.seriesHistogram(
      'inference_request_seconds',
      'Inference latency, end to end in the server',
      L,
    ),
    queue: metrics.seriesHistogram(
      'inference_queue_seconds',
      'Time from enqueue to the start of its batch',
      L,
    ),
    compute: metrics.seriesHistogram(
      'inference_compute_seconds',
      'Compute time of the batch a request ran in',
      L,
    ),
    batch: metrics.histogram('inference_batch_size', 'Rows per batch run', L, BATCH_BUCKETS),
    depth: metrics.gauge('inference_queue_depth', 'Requests waiting for a batch', L),
    computeTotal: metrics.seriesCounter(
      'inference_compute_seconds_total',
      "Compute seconds consumed, each request's share of its batch by rows (the basis of per-tenant cost)",
      L,
    ),
    rejections: metrics.counter('inference_rejections_total', 'Requests dropped before running, by reason', [
      ...L,
      'reason',
    ]),
    hits: metrics.counter(
      'inference_cache_hits_total',
      'Response cache hits (and shared identical requests)',
      L,
    ),
    misses: metrics.counter('inference_cache_misses_total', 'Response cache misses', L),
    loadSeconds: metrics.histogram(
      'inference_model_load_seconds',
      'Load and warm-up time',
      L,
      LOAD_BUCKETS_S,
    ),
    memory: metrics.gauge('inference_model_memory_bytes', 'Estimated memory of a loaded version', L),
    loaded: metrics.gauge('inference_loaded_models', 'Loaded model versions', ['tenant']),
    evictions: metrics.counter('inference_evictions_total', 'Versions unloaded to stay within the budget', L),
  };

  // Per-version series and children, resolved once per version (the hot path hashes no label object).
  const hot = (l: ServedLabels) => ({
    requests: m.requests.series(l),
    total: m.total.series(l),
    queue: m.queue.series(l),
    compute: m.compute.series(l),
    computeTotal: m.computeTotal.series(l),
    batch: m.batch.labels(l),
    depth: m.depth.labels(l),
  });
  type Hot = ReturnType<typeof hot>;
  const children = new VersionMap<Hot>();
  const served = (l: ServedLabels) => children.obtain(l, () => hot(l));
  /** An engine event's version: its served labels and children, once per version (null: not this module's). */
  const engineVersions = new PairMap<{ l: ServedLabels; c: Hot } | null>();
  const engineSeries = (e: ModelLabels) =>
    engineVersions.obtain(e.model, e.version, () => {
      const l = servedOf(e);
      return l ? { l, c: served(l) } : null;
    });

  return {
    stats,
    request: (l: ServedLabels) => served(l).requests.inc(),
    failure: (l: ServedLabels, code: ErrorCode) => m.failures.inc({ ...l, code }),
    latency: (l: ServedLabels, seconds: number) => served(l).total.observe(seconds),
    cache(l: ServedLabels, hit: boolean) {
      (hit ? m.hits : m.misses).inc(l);
      stats.cache(l, hit);
    },
    loaded(l: ServedLabels, seconds: number, bytes: number) {
      m.loadSeconds.observe(l, seconds);
      m.memory.set(l, bytes);
      m.loaded.inc({ tenant: l.tenant });
      stats.serving(l, true);
    },
    unloaded(l: ServedLabels, evicted: boolean) {
      m.memory.remove(l);
      m.loaded.dec({ tenant: l.tenant });
      stats.serving(l, false);
      if (evicted) m.evictions.inc(l);
    },
    /** Hooks for the engine; events of models loaded by others (the registry's upload checks) are ignored. */
    observer: {
      onRequest(e) {
        const v = engineSeries(e);
        if (!v) return;
        v.c.queue.observe(e.queueSeconds);
        if (e.outcome === 'ok') v.c.compute.observe(e.computeSeconds);
        v.c.computeTotal.inc(e.computeShareSeconds);
        stats.ran(v.l, e.rows, e.queueSeconds, e.computeSeconds);
      },
      onBatch(e) {
        const v = engineSeries(e);
        if (!v) return;
        v.c.batch.observe(e.rows);
        stats.batch(v.l, e.rows, e.computeSeconds);
      },
      onQueueDepth(e) {
        engineSeries(e)?.c.depth.set(e.depth);
      },
      onReject(e) {
        const l = servedOf(e);
        if (l) m.rejections.inc({ ...l, reason: e.reason });
      },
    } satisfies InferenceObserver,
  };
};

export type InferenceMetrics = ReturnType<typeof inferenceMetrics>;

/** The engine hooks that feed the app's metrics (give them to the engine when it is created). */
export const inferenceObserver = (metrics: Metrics): InferenceObserver => inferenceMetrics(metrics).observer;

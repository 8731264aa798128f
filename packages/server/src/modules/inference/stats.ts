// Per-version serving statistics in the shape of Triton's statistics extension (GET /v2/models/{m}/stats and
// gRPC ModelStatistics): request outcomes, queue and compute time, cache hits, and batch sizes, in nanoseconds.
import { type ServedLabels, VersionMap } from './version-map.ts';

/** A count and the total nanoseconds of what was counted (Triton's StatisticDuration). */
export interface Duration {
  count: number;
  ns: number;
}

export interface ModelStatistics {
  name: string;
  version: string;
  /** Epoch milliseconds of the last request answered, 0 before any. */
  last_inference: number;
  /** Rows inferred (a request of 4 rows counts 4), as Triton counts. */
  inference_count: number;
  /** Batches run by the model. */
  execution_count: number;
  inference_stats: {
    success: Duration;
    fail: Duration;
    queue: Duration;
    compute_input: Duration;
    compute_infer: Duration;
    compute_output: Duration;
    cache_hit: Duration;
    cache_miss: Duration;
  };
  batch_stats: {
    batch_size: number;
    compute_input: Duration;
    compute_infer: Duration;
    compute_output: Duration;
  }[];
}

const zero = (): Duration => ({ count: 0, ns: 0 });
const add = (d: Duration, seconds: number) => {
  d.count++;
  d.ns += Math.round(seconds * 1e9);
};

/** Statistics of a version that has served nothing yet. */
export const emptyStatistics = (name: string, version: string): ModelStatistics => ({
  name,
  version,
  last_inference: 0,
  inference_count: 0,
  execution_count: 0,
  inference_stats: {
    success: zero(),
    fail: zero(),
    queue: zero(),
    compute_input: zero(),
    compute_infer: zero(),
    compute_output: zero(),
    cache_hit: zero(),
    cache_miss: zero(),
  },
  batch_stats: [],
});

interface Entry {
  stats: ModelStatistics;
  sizes: Map<number, ModelStatistics['batch_stats'][number]>;
  /** Loaded and warm: engine events before that are the warm-up's, which Triton does not count. */
  serving: boolean;
}

export const createStatistics = () => {
  const versions = new VersionMap<Entry>();
  const of = (l: ServedLabels): Entry =>
    versions.obtain(l, () => ({
      stats: emptyStatistics(l.model, l.version),
      sizes: new Map(),
      serving: false,
    }));
  return {
    /** A request answered (or failed) after `seconds` end to end, at epoch ms `now`. */
    request(l: ServedLabels, ok: boolean, seconds: number, now: number) {
      if (l.version === '') return; // never resolved to a version: nothing to attribute it to
      const s = of(l).stats;
      add(ok ? s.inference_stats.success : s.inference_stats.fail, seconds);
      s.last_inference = now;
    },
    /** The version is loaded and warm (true) or unloading (false). */
    serving(l: ServedLabels, on: boolean) {
      of(l).serving = on;
    },
    /** A request that ran in a batch: its rows, queue wait and the batch's compute. */
    ran(l: ServedLabels, rows: number, queueSeconds: number, computeSeconds: number) {
      const e = versions.get(l);
      if (!e?.serving) return;
      const s = e.stats;
      s.inference_count += rows;
      add(s.inference_stats.queue, queueSeconds);
      add(s.inference_stats.compute_infer, computeSeconds);
    },
    batch(l: ServedLabels, rows: number, computeSeconds: number) {
      const e = versions.get(l);
      if (!e?.serving) return;
      e.stats.execution_count++;
      let b = e.sizes.get(rows);
      if (!b) {
        b = { batch_size: rows, compute_input: zero(), compute_infer: zero(), compute_output: zero() };
        e.sizes.set(rows, b);
      }
      add(b.compute_infer, computeSeconds);
    },
    cache(l: ServedLabels, hit: boolean) {
      const s = of(l).stats;
      (hit ? s.inference_stats.cache_hit : s.inference_stats.cache_miss).count++;
    },
    /** A copy of a version's statistics (zeros when it has served nothing), batch sizes ascending. */
    get(l: ServedLabels): ModelStatistics {
      const e = versions.get(l);
      if (!e) return emptyStatistics(l.model, l.version);
      const sizes = [...e.sizes.values()].sort((a, b) => a.batch_size - b.batch_size);
      return structuredClone({ ...e.stats, batch_stats: sizes });
    },
  };
};

export type Statistics = ReturnType<typeof createStatistics>;

/** One store per metrics registry, so the engine's hooks and the service (built apart) feed the same one. */
const stores = new WeakMap<object, Statistics>();
export const statisticsFor = (owner: object): Statistics => {
  let s = stores.get(owner);
  if (!s) {
    s = createStatistics();
    stores.set(owner, s);
  }
  return s;
};

// One window's figures, pure: per-request counts and a latency histogram, merged across rows and replicas.

/** Upper bounds of the latency buckets in milliseconds; one more bucket counts everything slower. */
export const LATENCY_BOUNDS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];

export interface WindowFigures {
  requests: number;
  errors: number;
  /** Counts per bucket of LATENCY_BOUNDS_MS, plus the overflow bucket last. */
  latency: number[];
  computeMs: number;
  cacheHits: number;
  cacheMisses: number;
  batches: number;
  batchRows: number;
  /** Last sampled value; null when nothing was sampled. */
  streamLag: number | null;
}

export const emptyFigures = (): WindowFigures => ({
  requests: 0,
  errors: 0,
  latency: new Array(LATENCY_BOUNDS_MS.length + 1).fill(0),
  computeMs: 0,
  cacheHits: 0,
  cacheMisses: 0,
  batches: 0,
  batchRows: 0,
  streamLag: null,
});

export const observeRequest = (f: WindowFigures, elapsedMs: number, failed: boolean): void => {
  f.requests += 1;
  if (failed) f.errors += 1;
  f.computeMs += elapsedMs;
  let bucket = 0;
  while (bucket < LATENCY_BOUNDS_MS.length && elapsedMs > LATENCY_BOUNDS_MS[bucket]) bucket++;
  f.latency[bucket] += 1;
};

/** Adds `b` into `a`; stream lag is the larger (the slowest replica is the one to worry about). */
export const mergeInto = (a: WindowFigures, b: WindowFigures): void => {
  a.requests += b.requests;
  a.errors += b.errors;
  a.computeMs += b.computeMs;
  a.cacheHits += b.cacheHits;
  a.cacheMisses += b.cacheMisses;
  a.batches += b.batches;
  a.batchRows += b.batchRows;
  for (let i = 0; i < a.latency.length; i++) a.latency[i] += b.latency[i] ?? 0;
  if (b.streamLag !== null) a.streamLag = Math.max(a.streamLag ?? 0, b.streamLag);
};

/**
 * The q-quantile as the upper bound of the bucket it falls in (what Prometheus' histogram_quantile would
 * interpolate within); the overflow bucket reports the last bound. Null without requests.
 */
export const quantileMs = (latency: readonly number[], q: number): number | null => {
  const total = latency.reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < latency.length; i++) {
    seen += latency[i];
    if (seen >= rank) return LATENCY_BOUNDS_MS[Math.min(i, LATENCY_BOUNDS_MS.length - 1)];
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
};

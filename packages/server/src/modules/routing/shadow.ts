// Shadow traffic: mirror a share of requests to another version after the caller has its answer, and
// compare outputs (mean absolute difference of scores, or top-k overlap of rankings).
import type { Shadow } from '@quiver/contracts';

export const DEFAULT_TOP_K = 10;
/** Mirrored requests in flight per process; more are skipped rather than queued (shadows must not pile up). */
export const MAX_SHADOWS_IN_FLIGHT = 64;

interface OutputLike {
  name: string;
  shape: number[];
  /** Absent for outputs sent as binary data: nothing to compare. A typed array for a view (ViewOutput). */
  data?: ArrayLike<unknown>;
}

const numbers = (data: ArrayLike<unknown> | undefined): number[] => {
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (ArrayBuffer.isView(v)) for (const x of v as unknown as Iterable<unknown>) walk(x);
    else out.push(typeof v === 'number' ? v : Number(v));
  };
  walk(data ?? []);
  return out;
};

/** Mean |a − b| over every element of the outputs both have (same name and size); null when none. */
export const meanAbsDiff = (a: readonly OutputLike[], b: readonly OutputLike[]): number | null => {
  let sum = 0;
  let n = 0;
  for (const x of a) {
    const y = b.find((o) => o.name === x.name);
    if (!y) continue;
    const xs = numbers(x.data);
    const ys = numbers(y.data);
    if (xs.length !== ys.length) continue;
    for (let i = 0; i < xs.length; i++) {
      const d = Math.abs(xs[i] - ys[i]);
      if (Number.isFinite(d)) {
        sum += d;
        n++;
      }
    }
  }
  return n === 0 ? null : sum / n;
};

const topK = (row: readonly number[], k: number): Set<number> =>
  new Set(
    row
      .map((v, i) => [v, i] as const)
      .sort((p, q) => q[0] - p[0] || p[1] - q[1])
      .slice(0, k)
      .map(([, i]) => i),
  );

/**
 * The mean over rows of |top-k(a) ∩ top-k(b)| / k, where a row's top-k are the indices of its k highest
 * scores (the last dimension is the ranked axis); null when no output can be compared.
 */
export const topKOverlap = (
  a: readonly OutputLike[],
  b: readonly OutputLike[],
  k = DEFAULT_TOP_K,
): number | null => {
  let sum = 0;
  let rows = 0;
  for (const x of a) {
    const y = b.find((o) => o.name === x.name);
    if (!y) continue;
    const xs = numbers(x.data);
    const ys = numbers(y.data);
    const width = x.shape.at(-1) ?? xs.length;
    if (xs.length !== ys.length || width <= 0) continue;
    const kk = Math.min(k, width);
    for (let r = 0; r + width <= xs.length; r += width) {
      const ta = topK(xs.slice(r, r + width), kk);
      let common = 0;
      for (const i of topK(ys.slice(r, r + width), kk)) if (ta.has(i)) common++;
      sum += common / kk;
      rows++;
    }
  }
  return rows === 0 ? null : sum / rows;
};

export const compareOutputs = (
  shadow: Shadow,
  primary: readonly OutputLike[],
  mirrored: readonly OutputLike[],
): { meanAbsDiff?: number; topKOverlap?: number } => {
  if (shadow.compare === 'topk') {
    const o = topKOverlap(primary, mirrored, shadow.k ?? DEFAULT_TOP_K);
    return o === null ? {} : { topKOverlap: o };
  }
  const d = meanAbsDiff(primary, mirrored);
  return d === null ? {} : { meanAbsDiff: d };
};

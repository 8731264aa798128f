// Paired bootstrap over users: a 95% interval for each model's mean metric and for its ratio to the
// baseline's, resampling the same users for every model (their per-user figures are aligned by index).
import { prng } from '../../kernel/random.ts';

export const DEFAULT_BOOTSTRAP_SAMPLES = 1000;
export const DEFAULT_BOOTSTRAP_SEED = 7;

export interface Interval {
  mean: number;
  /** 2.5th and 97.5th percentiles of the resampled means. */
  low: number;
  high: number;
}

export interface BootstrapResult {
  /** Per model, its mean and interval. */
  metric: Interval[];
  /** Per model, mean(model) / mean(baseline) and its interval (NaN when the baseline's mean is 0). */
  ratio: Interval[];
}

/** The p-quantile of sorted values (nearest rank: the ⌈p·n⌉-th smallest). */
export const quantile = (sorted: ArrayLike<number>, p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1];
};

const mean = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length > 0 ? s / xs.length : 0;
};

const interval = (point: number, draws: Float64Array): Interval => {
  const sorted = draws.filter((x) => !Number.isNaN(x)).sort();
  return { mean: point, low: quantile(sorted, 0.025), high: quantile(sorted, 0.975) };
};

/**
 * `values[m][i]`: model m's figure for user i (every model the same users, same order); `baseline`: the index
 * of the model ratios are taken against. Each sample draws n users with replacement and takes every model's
 * mean over the same draw.
 */
export const pairedBootstrap = (
  values: readonly ArrayLike<number>[],
  baseline: number,
  options: { samples?: number; seed?: number } = {},
): BootstrapResult => {
  const samples = options.samples ?? DEFAULT_BOOTSTRAP_SAMPLES;
  const random = prng(options.seed ?? DEFAULT_BOOTSTRAP_SEED);
  const n = values[0]?.length ?? 0;
  for (const v of values)
    if (v.length !== n) throw new Error('paired bootstrap: models cover different users');
  const means = values.map(() => new Float64Array(samples));
  const pick = new Int32Array(n);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < n; i++) pick[i] = Math.floor(random() * n);
    values.forEach((v, m) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += v[pick[i]];
      means[m][s] = n > 0 ? sum / n : 0;
    });
  }
  const base = mean(values[baseline]);
  return {
    metric: values.map((v, m) => interval(mean(v), means[m])),
    ratio: values.map((v, m) =>
      interval(
        base > 0 ? mean(v) / base : Number.NaN,
        means[m].map((x, s) => (means[baseline][s] > 0 ? x / means[baseline][s] : Number.NaN)),
      ),
    ),
  };
};

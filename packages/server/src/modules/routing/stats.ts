// Experiment statistics, pure: normal quantiles, Wilson intervals, relative lift, and the chi-square
// sample-ratio-mismatch test (p-value through the regularized upper incomplete gamma function).

/** Φ⁻¹(p): the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export const normalQuantile = (p: number): number => {
  if (!(p > 0 && p < 1)) throw new RangeError('p must be in (0, 1)');
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
};

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9). */
export const logGamma = (x: number): number => {
  const g = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = g[0];
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += g[i] / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
};

const EPS = 1e-14;
const MAX_ITER = 10_000;

/** Q(s, x) = Γ(s, x) / Γ(s): the regularized upper incomplete gamma function (series below s + 1, else a continued fraction). */
export const gammaQ = (s: number, x: number): number => {
  if (x <= 0) return 1;
  const lead = -x + s * Math.log(x) - logGamma(s);
  if (x < s + 1) {
    let sum = 1 / s;
    let term = sum;
    for (let n = 1; n < MAX_ITER; n++) {
      term *= x / (s + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lead));
  }
  // Lentz's method for the continued fraction.
  const tiny = 1e-300;
  let b = x + 1 - s;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.min(1, Math.exp(lead) * h);
};

/** P(χ²_df ≥ x). */
export const chiSquarePValue = (x: number, df: number): number => gammaQ(df / 2, x / 2);

export interface SrmResult {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  mismatch: boolean;
}

/** The p-value under which a split is flagged as a sample-ratio mismatch. */
export const SRM_P_THRESHOLD = 0.001;

/** Observed counts against the shares the weights promise; variants with weight 0 are left out. */
export const sampleRatioMismatch = (observed: readonly number[], weights: readonly number[]): SrmResult => {
  const idx = weights.map((w, i) => (w > 0 ? i : -1)).filter((i) => i >= 0);
  const total = idx.reduce((a, i) => a + observed[i], 0);
  const weightSum = idx.reduce((a, i) => a + weights[i], 0);
  if (idx.length < 2 || total === 0) return { chiSquare: 0, degreesOfFreedom: 0, pValue: 1, mismatch: false };
  let chi = 0;
  for (const i of idx) {
    const expected = (total * weights[i]) / weightSum;
    chi += (observed[i] - expected) ** 2 / expected;
  }
  const df = idx.length - 1;
  const pValue = chiSquarePValue(chi, df);
  return { chiSquare: chi, degreesOfFreedom: df, pValue, mismatch: pValue < SRM_P_THRESHOLD };
};

/** The Wilson score interval of a proportion at the given two-sided confidence. */
export const wilsonInterval = (successes: number, n: number, confidence = 0.95): [number, number] | null => {
  if (n <= 0) return null;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
};

export interface Lift {
  lift: number;
  interval: [number, number];
}

/**
 * Relative lift of rate b over rate a, (p_b / p_a) − 1, with an interval from the delta method on the log
 * of the ratio. Null when either rate is 0 or 1 (the log ratio has no finite variance there).
 */
export const relativeLift = (
  aSuccesses: number,
  aN: number,
  bSuccesses: number,
  bN: number,
  confidence = 0.95,
): Lift | null => {
  if (aN <= 0 || bN <= 0 || aSuccesses <= 0 || bSuccesses <= 0) return null;
  const pa = aSuccesses / aN;
  const pb = bSuccesses / bN;
  if (pa >= 1 || pb >= 1) return null;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const logRatio = Math.log(pb / pa);
  const se = Math.sqrt((1 - pa) / aSuccesses + (1 - pb) / bSuccesses);
  return { lift: pb / pa - 1, interval: [Math.exp(logRatio - z * se) - 1, Math.exp(logRatio + z * se) - 1] };
};

/** Upper bounds (ms) of the latency histogram buckets the endpoint telemetry keeps; the last is open. */
export const LATENCY_BOUNDS_MS = [
  0.5,
  1,
  2,
  3,
  5,
  7.5,
  10,
  15,
  20,
  30,
  50,
  75,
  100,
  150,
  200,
  300,
  500,
  750,
  1000,
  1500,
  2000,
  3000,
  5000,
  10_000,
  30_000,
  Number.POSITIVE_INFINITY,
];

export const latencyBucket = (ms: number): number => {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= LATENCY_BOUNDS_MS[i]) return i;
  return LATENCY_BOUNDS_MS.length - 1;
};

/** The q-quantile of a histogram over LATENCY_BOUNDS_MS, interpolated inside its bucket; null when empty. */
export const histogramQuantile = (counts: readonly number[], q: number): number | null => {
  const n = counts.reduce((a, c) => a + c, 0);
  if (n === 0) return null;
  const rank = q * n;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    if (seen + counts[i] >= rank) {
      const lo = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1];
      const hi = Number.isFinite(LATENCY_BOUNDS_MS[i]) ? LATENCY_BOUNDS_MS[i] : lo * 2;
      return lo + ((hi - lo) * (rank - seen)) / counts[i];
    }
    seen += counts[i];
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 2];
};

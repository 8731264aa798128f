// The search-ranker trainer's linear part over the wide rows: the narrow three fitted first (ltr.ts, from the
// current ranker's weights when it is linear), then
// coordinate ascent on NDCG@10 over one of a few column sets. Which set is chosen by inner cross-validation of
// the train queries (ltr-trees.ts); the trees then boost from it.
import {
  fitRanker,
  KEYWORD_ONLY,
  type LtrQuery,
  learnWeights,
  meanNdcgOf,
  type RankerWeights,
} from './ltr.ts';

/** The column sets a linear part may read (each the narrow three plus a group), in order of preference on a tie. */
export const LINEAR_COLUMN_SETS: Readonly<Record<string, readonly string[]>> = {
  narrow: [],
  title: ['title_coverage', 'title_phrase', 'title_prefix', 'title_exact', 'title_bm25'],
  'model number': ['model_number', 'model_number_text'],
  'keyword rank': ['keyword_rank'],
  text: [
    'title_coverage',
    'title_phrase',
    'title_prefix',
    'title_exact',
    'title_bm25',
    'model_number',
    'model_number_text',
    'keyword_rank',
    'brand_match',
    'category_match',
    'title_length',
  ],
};

/**
 * Linear weights over `columns` (the wide rows' names) fitted on `queries`: the narrow three by
 * `fitRanker` from `start`, then every column of `set` (and the narrow three again) by coordinate ascent from 0; columns
 * outside the set (or absent from the rows) weigh 0.
 */
export const fitWideLinear = (
  queries: readonly LtrQuery[],
  columns: readonly string[],
  set: readonly string[],
  /** Where the narrow three start (the current ranker's weights, when it is linear). */
  start: RankerWeights = KEYWORD_ONLY,
): number[] => {
  const narrow = fitRanker(queries, start);
  const w: Record<string, number> = Object.fromEntries(columns.map((c) => [c, 0]));
  Object.assign(w, narrow);
  const names = ['keyword', 'vector', 'coverage', ...set].filter((c) => c in w);
  if (set.length === 0) return columns.map((c) => w[c]);
  const width = columns.length;
  const at = names.map((c) => columns.indexOf(c));
  const mean = meanNdcgOf(queries);
  const objective = (x: Record<string, number>) => {
    const v = names.map((c) => x[c]);
    return mean((q, out) => {
      const rows = q.wide;
      if (!rows) throw new Error(`query '${q.query}' has no wide feature rows`);
      for (let r = 0; r < q.ids.length; r++) {
        let s = 0;
        for (let k = 0; k < at.length; k++) s += v[k] * rows[r * width + at[k]];
        out[r] = s;
      }
    });
  };
  const fitted = learnWeights(w, names, objective);
  return columns.map((c) => fitted[c]);
};

/** The L2 strengths (towards the start) the pairwise linear part is fitted with, strongest first. */
export const PAIRWISE_L2 = [10, 1, 0.1, 0.01] as const;
/** The unjudged rows a judged one is paired with: the start's top ones (where NDCG@10 is decided). */
const PAIRED_UNJUDGED = 50;
const NEWTON_STEPS = 25;
const discount = (rank: number) => 1 / Math.log2(rank + 2);

/**
 * Linear weights over every column of `columns` by a pairwise logistic loss (RankNet): for each query, each
 * judged row against every row with a smaller gain among its judged rows and its start's top 50 unjudged
 * rows, the pair weighing its gain difference times the difference of their discounts 1 / log2(2 + rank)
 * in the start's order (LambdaRank's |ΔDCG|: pairs near the top count most), each query's pairs summing
 * to 1, plus (l2 / 2)·‖w − start‖²; Newton's method from `start`. A large `l2` keeps the start, a small one
 * follows the clicks.
 */
export const fitPairwiseLinear = (
  queries: readonly LtrQuery[],
  columns: readonly string[],
  start: readonly number[],
  l2: number,
): number[] => {
  const width = columns.length;
  const diffs: number[] = [];
  const weights: number[] = [];
  let counted = 0;
  for (const q of queries) {
    const rows = q.wide;
    if (!rows) throw new Error(`query '${q.query}' has no wide feature rows`);
    const n = q.ids.length;
    const gain = Float64Array.from(q.ids, (id) => q.gains.get(id) ?? 0);
    const score = Float64Array.from(q.ids, (_, r) => {
      let s = 0;
      for (let c = 0; c < width; c++) s += start[c] * rows[r * width + c];
      return s;
    });
    const judged = [...gain.keys()].filter((r) => gain[r] > 0);
    if (judged.length === 0) continue;
    const unjudged = [...gain.keys()]
      .filter((r) => gain[r] <= 0)
      .sort((a, b) => score[b] - score[a] || a - b)
      .slice(0, PAIRED_UNJUDGED);
    const others = [...judged, ...unjudged];
    const rank = new Int32Array(n);
    [...gain.keys()]
      .sort((a, b) => score[b] - score[a] || (q.ids[a] < q.ids[b] ? -1 : 1))
      .forEach((r, place) => {
        rank[r] = place;
      });
    const at = weights.length;
    let total = 0;
    for (const i of judged)
      for (const j of others) {
        if (gain[j] >= gain[i]) continue;
        const weight = (gain[i] - gain[j]) * Math.abs(discount(rank[i]) - discount(rank[j]));
        if (weight === 0) continue;
        for (let c = 0; c < width; c++) diffs.push(rows[i * width + c] - rows[j * width + c]);
        weights.push(weight);
        total += weight;
      }
    if (total === 0 || n === 0) continue;
    for (let p = at; p < weights.length; p++) weights[p] /= total;
    counted++;
  }
  const w = [...start];
  if (counted === 0) return w;
  const pairs = weights.length;
  const loss = (x: readonly number[]) => {
    let l = 0;
    for (let p = 0; p < pairs; p++) {
      let m = 0;
      for (let c = 0; c < width; c++) m += x[c] * diffs[p * width + c];
      l += weights[p] * (m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m)));
    }
    let r = 0;
    for (let c = 0; c < width; c++) r += (x[c] - start[c]) ** 2;
    return l / counted + (l2 / 2) * r;
  };
  let current = loss(w);
  for (let step = 0; step < NEWTON_STEPS; step++) {
    const grad = w.map((x, c) => l2 * (x - start[c]));
    const hess = Array.from({ length: width }, (_, i) =>
      Array.from({ length: width }, (_, j) => (i === j ? l2 : 0)),
    );
    for (let p = 0; p < pairs; p++) {
      let m = 0;
      for (let c = 0; c < width; c++) m += w[c] * diffs[p * width + c];
      const s = 1 / (1 + Math.exp(m)); // σ(−m)
      const g = (weights[p] * s) / counted;
      const h = (weights[p] * s * (1 - s)) / counted;
      for (let i = 0; i < width; i++) {
        const di = diffs[p * width + i];
        if (di === 0) continue;
        grad[i] -= g * di;
        for (let j = 0; j < width; j++) hess[i][j] += h * di * diffs[p * width + j];
      }
    }
    const delta = solve(hess, grad);
    let scale = 1;
    let next = w.map((x, c) => x - delta[c]);
    let value = loss(next);
    while (value > current && scale > 1e-3) {
      scale /= 2;
      next = w.map((x, c) => x - scale * delta[c]);
      value = loss(next);
    }
    if (value > current) break;
    const moved = Math.max(...next.map((x, c) => Math.abs(x - w[c])));
    w.splice(0, width, ...next);
    current = value;
    if (moved < 1e-7) break;
  }
  return w;
};

/** `a x = b` by Gaussian elimination with partial pivoting (`a` symmetric positive definite here). */
const solve = (a: number[][], b: number[]): number[] => {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let k = 0; k < n; k++) {
    let pivot = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i][k]) > Math.abs(m[pivot][k])) pivot = i;
    [m[k], m[pivot]] = [m[pivot], m[k]];
    if (Math.abs(m[k][k]) < 1e-300) continue;
    for (let i = k + 1; i < n; i++) {
      const f = m[i][k] / m[k][k];
      if (f === 0) continue;
      for (let j = k; j <= n; j++) m[i][j] -= f * m[k][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i][n];
    for (let j = i + 1; j < n; j++) s -= m[i][j] * x[j];
    x[i] = Math.abs(m[i][i]) < 1e-300 ? 0 : s / m[i][i];
  }
  return x;
};

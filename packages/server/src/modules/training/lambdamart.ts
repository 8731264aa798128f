// LambdaMART: gradient-boosted regression trees fitted to LambdaRank gradients of NDCG (Burges 2010). Each
// round, for every query, every pair of candidates with different gains pulls the better one up and the other
// down by the change in NDCG their swap would make (the candidates ordered by the current scores), weighted
// by how wrongly the scores order them; a tree of depth ≤ `depth` is grown on those gradients (histogram
// splits over each feature's quantile thresholds, Newton leaf values, at least `minLeaf` rows a leaf) and
// added, shrunk by `learningRate`. Leaves are quantized (tree-ranker.ts) so the ONNX export scores exactly
// the same. Deterministic: no sampling.
import type { TreeEnsemble } from '../search/index.ts';
import { quantizeLeaf, type RegressionTree } from '../search/index.ts';

export interface LambdaMartParams {
  trees: number;
  depth: number;
  learningRate: number;
  /** The fewest candidate rows a leaf holds. */
  minLeaf: number;
}
export const DEFAULT_LAMBDAMART: LambdaMartParams = { trees: 200, depth: 4, learningRate: 0.1, minLeaf: 50 };

/** One judged query for the trees: its candidates' feature rows and each row's gain (0: unjudged). */
export interface TreeQuery {
  /** Row-major, rows × width, float32 as the ranker's input is. */
  features: Float32Array;
  gains: Float64Array;
  /** Each row's place among the ids sorted (ties go to the smaller id, as the server breaks them). */
  idOrder: Int32Array;
  /** Each row's score before the first tree (the linear part's): the trees boost from it. */
  base?: Float64Array;
}

/** A query's tree rows: `gains` by id (0 for the rest), ties ordered by id as the server breaks them. */
export const treeQuery = (
  ids: readonly string[],
  features: Float32Array,
  gains: ReadonlyMap<string, number>,
): TreeQuery => {
  const idOrder = new Int32Array(ids.length);
  [...ids.keys()]
    .sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0))
    .forEach((row, place) => {
      idOrder[row] = place;
    });
  return { features, gains: Float64Array.from(ids, (id) => gains.get(id) ?? 0), idOrder };
};

const MAX_BINS = 64;
/** Added to a leaf's hessian sum (its L2 penalty): LambdaRank hessians are small, so this is small too. */
const L2 = 1e-3;
const discount = (rank: number) => 1 / Math.log2(rank + 2);

/** Each feature's split thresholds: up to MAX_BINS − 1 float32 quantiles of its training values. */
const thresholdsOf = (queries: readonly TreeQuery[], width: number): Float32Array[] =>
  Array.from({ length: width }, (_, f) => {
    const values: number[] = [];
    for (const q of queries) for (let r = f; r < q.features.length; r += width) values.push(q.features[r]);
    const sorted = Float32Array.from(values).sort();
    const distinct: number[] = [];
    for (let i = 0; i < sorted.length; i++)
      if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
    if (distinct.length <= MAX_BINS) return Float32Array.from(distinct.slice(0, -1));
    const cut = new Set<number>();
    for (let b = 1; b < MAX_BINS; b++) cut.add(sorted[Math.floor((b * sorted.length) / MAX_BINS) - 1]);
    const out = Float32Array.from(cut).sort();
    return out[out.length - 1] === distinct[distinct.length - 1] ? out.slice(0, -1) : out;
  });

/** The bin of x: the first threshold ≥ x (x ≤ t goes left of the split at t), or the count past the last. */
const binOf = (t: Float32Array, x: number): number => {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= t[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
};

/** The query's NDCG ideal (all its positive gains, untruncated for the gradients). */
const idealOf = (gains: Float64Array, at: number): number =>
  [...gains]
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, at)
    .reduce((s, g, i) => s + g * discount(i), 0);

/**
 * The pairs a judged row is compared with: every other judged row, and the unjudged rows the current scores
 * rank in the first PAIR_DEPTH (the ones it must pass to reach the page; those below pull it little).
 */
const PAIR_DEPTH = 50;

/** Writes LambdaRank gradients (g: ascent direction) and hessians for one query at `offset`. */
const lambdas = (
  q: TreeQuery,
  s: Float64Array,
  offset: number,
  g: Float64Array,
  h: Float64Array,
  ideal: number,
) => {
  const n = q.gains.length;
  if (ideal === 0) return;
  const order = [...Array(n).keys()].sort(
    (a, b) => s[offset + b] - s[offset + a] || q.idOrder[a] - q.idOrder[b],
  );
  const rank = new Int32Array(n);
  order.forEach((row, k) => {
    rank[row] = k;
  });
  const judged: number[] = [];
  for (let r = 0; r < n; r++) if (q.gains[r] > 0) judged.push(r);
  const others = [...judged];
  for (let k = 0; k < Math.min(n, PAIR_DEPTH); k++) if (q.gains[order[k]] <= 0) others.push(order[k]);
  for (const i of judged)
    for (const j of others) {
      const gi = q.gains[i];
      const gj = q.gains[j];
      if (gi <= gj) continue;
      const delta = Math.abs((gi - gj) * (discount(rank[i]) - discount(rank[j]))) / ideal;
      if (delta === 0) continue;
      const rho = 1 / (1 + Math.exp(s[offset + i] - s[offset + j]));
      const w = delta * rho;
      g[offset + i] += w;
      g[offset + j] -= w;
      const hw = w * (1 - rho);
      h[offset + i] += hw;
      h[offset + j] += hw;
    }
};

interface Data {
  width: number;
  rows: number;
  /** Row-major bins, rows × width. */
  bins: Uint8Array;
  thresholds: Float32Array[];
}

const binned = (queries: readonly TreeQuery[], width: number): Data => {
  const thresholds = thresholdsOf(queries, width);
  const rows = queries.reduce((s, q) => s + q.gains.length, 0);
  const bins = new Uint8Array(rows * width);
  let r = 0;
  for (const q of queries)
    for (let row = 0; row < q.gains.length; row++, r++)
      for (let f = 0; f < width; f++) bins[r * width + f] = binOf(thresholds[f], q.features[row * width + f]);
  return { width, rows, bins, thresholds };
};

/** Grows one tree on gradients g and hessians h over rows `members`; leaves hold Newton steps × rate. */
const growTree = (d: Data, g: Float64Array, h: Float64Array, p: LambdaMartParams): RegressionTree => {
  const tree: RegressionTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const add = () => {
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(0);
    tree.right.push(0);
    tree.value.push(0);
    return tree.feature.length - 1;
  };
  const leaf = (n: number, rows: Int32Array) => {
    let sg = 0;
    let sh = 0;
    for (const r of rows) {
      sg += g[r];
      sh += h[r];
    }
    tree.value[n] = quantizeLeaf((p.learningRate * sg) / (sh + L2));
  };
  const grow = (n: number, rows: Int32Array, depth: number) => {
    if (depth === p.depth || rows.length < 2 * p.minLeaf) return leaf(n, rows);
    let best = { gain: 1e-9, feature: -1, bin: -1 };
    const nb = MAX_BINS + 1;
    const hg = new Float64Array(nb);
    const hh = new Float64Array(nb);
    const hc = new Int32Array(nb);
    let G = 0;
    let H = 0;
    for (const r of rows) {
      G += g[r];
      H += h[r];
    }
    const parent = (G * G) / (H + L2);
    for (let f = 0; f < d.width; f++) {
      const bins = d.thresholds[f].length;
      if (bins === 0) continue;
      hg.fill(0);
      hh.fill(0);
      hc.fill(0);
      for (const r of rows) {
        const b = d.bins[r * d.width + f];
        hg[b] += g[r];
        hh[b] += h[r];
        hc[b]++;
      }
      let lg = 0;
      let lh = 0;
      let lc = 0;
      for (let b = 0; b < bins; b++) {
        lg += hg[b];
        lh += hh[b];
        lc += hc[b];
        if (lc < p.minLeaf) continue;
        if (rows.length - lc < p.minLeaf) break;
        const rg = G - lg;
        const rh = H - lh;
        const gain = (lg * lg) / (lh + L2) + (rg * rg) / (rh + L2) - parent;
        if (gain > best.gain) best = { gain, feature: f, bin: b };
      }
    }
    if (best.feature < 0) return leaf(n, rows);
    const left: number[] = [];
    const right: number[] = [];
    for (const r of rows) (d.bins[r * d.width + best.feature] <= best.bin ? left : right).push(r);
    tree.feature[n] = best.feature;
    tree.threshold[n] = d.thresholds[best.feature][best.bin];
    const l = add();
    const rr = add();
    tree.left[n] = l;
    tree.right[n] = rr;
    grow(l, Int32Array.from(left), depth + 1);
    grow(rr, Int32Array.from(right), depth + 1);
  };
  grow(
    add(),
    Int32Array.from({ length: d.rows }, (_, i) => i),
    0,
  );
  return tree;
};

/** The tree's value for row `row` of `x` (width wide). */
const treeValue = (t: RegressionTree, x: Float32Array, row: number, width: number): number => {
  let n = 0;
  while (t.feature[n] >= 0) n = x[row * width + t.feature[n]] <= t.threshold[n] ? t.left[n] : t.right[n];
  return t.value[n];
};

/** Mean NDCG@10 of scores `s` (queries concatenated) over the queries with a positive ideal. */
export const meanNdcg = (queries: readonly TreeQuery[], s: ArrayLike<number>, at = 10): number[] => {
  const out: number[] = [];
  let offset = 0;
  for (const q of queries) {
    const n = q.gains.length;
    const ideal = idealOf(q.gains, at);
    if (ideal > 0) {
      const order = [...Array(n).keys()].sort(
        (a, b) => s[offset + b] - s[offset + a] || q.idOrder[a] - q.idOrder[b],
      );
      let dcg = 0;
      for (let k = 0; k < Math.min(at, n); k++) dcg += q.gains[order[k]] * discount(k);
      out.push(dcg / ideal);
    } else out.push(0);
    offset += n;
  }
  return out;
};

/** The queries' base scores end to end (0 where a query has none). */
const concatBase = (queries: readonly TreeQuery[]): Float64Array => {
  const out = new Float64Array(queries.reduce((n, q) => n + q.gains.length, 0));
  let offset = 0;
  for (const q of queries) {
    if (q.base) out.set(q.base, offset);
    offset += q.gains.length;
  }
  return out;
};

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * Fits `p.trees` trees on `train` (width feature columns). With `valid`, `onTree` hears the validation
 * queries' mean NDCG@10 after each tree (for choosing how many to keep).
 */
export const fitLambdaMart = (
  train: readonly TreeQuery[],
  width: number,
  features: readonly string[],
  p: LambdaMartParams = DEFAULT_LAMBDAMART,
  valid: readonly TreeQuery[] = [],
  onTree: (trees: number, validNdcg: number) => void = () => {},
): TreeEnsemble => {
  const d = binned(train, width);
  const s = concatBase(train);
  const g = new Float64Array(d.rows);
  const h = new Float64Array(d.rows);
  const ideals = train.map((q) => idealOf(q.gains, Number.POSITIVE_INFINITY));
  const vRows = valid.reduce((n, q) => n + q.gains.length, 0);
  const vs = vRows > 0 ? concatBase(valid) : new Float64Array(0);
  const trees: RegressionTree[] = [];
  // No trees asked: one leaf of 0 (a graph needs a tree), the base alone.
  if (p.trees === 0) trees.push({ feature: [-1], threshold: [0], left: [0], right: [0], value: [0] });
  for (let t = 0; t < p.trees; t++) {
    g.fill(0);
    h.fill(0);
    let offset = 0;
    for (const [i, q] of train.entries()) {
      lambdas(q, s, offset, g, h, ideals[i]);
      offset += q.gains.length;
    }
    const tree = growTree(d, g, h, p);
    trees.push(tree);
    offset = 0;
    for (const q of train) {
      for (let r = 0; r < q.gains.length; r++) s[offset + r] += treeValue(tree, q.features, r, width);
      offset += q.gains.length;
    }
    if (valid.length > 0) {
      offset = 0;
      for (const q of valid) {
        for (let r = 0; r < q.gains.length; r++) vs[offset + r] += treeValue(tree, q.features, r, width);
        offset += q.gains.length;
      }
      onTree(t + 1, mean(meanNdcg(valid, vs)));
    }
  }
  return { features: [...features], trees };
};

/** The hyper-parameters tried on the inner folds (ltr-trees.ts; trees: the most, the best count is kept). */
export const LAMBDAMART_GRID: LambdaMartParams[] = [
  [3, 20, 0.1],
  [3, 100, 0.1],
  [5, 20, 0.1],
  [5, 100, 0.1],
].map(([depth, minLeaf, learningRate]) => ({ trees: 100, depth, learningRate, minLeaf }));

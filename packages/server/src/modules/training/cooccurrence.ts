// Item-item co-occurrence: how often two items share a basket (a session or invoice, or a user's history),
// normalized as a shrunk cosine or solved as EASE^R (Steck 2019), kept as each item's top-M neighbours.
import { type Interactions, type SparseRows, sparseRows } from './interactions.ts';
import { invertSpd } from './linalg.ts';
import type { NeighbourTable } from './neighbour-table.ts';
import { topK } from './rank.ts';
import { blendNeighbours, DEFAULT_SEQUENCE, trainSequence } from './sequence.ts';

export interface CooccurrenceParams {
  /**
   * How co-occurrence counts C become weights: `cosine` s_ij = c_ij / (√(n_i·n_j) + shrinkage); `ease` the
   * closed-form linear item model B = I − P·diag(1/P_jj), P = (C + λI)⁻¹ with C_ii = n_i, over the `easeMaxItems`
   * items in most baskets (at least `easeMinBaskets`); the other items keep their cosine neighbours, scaled by
   * `easeFallbackWeight` so they rank below any EASE evidence.
   */
  method: 'cosine' | 'ease';
  /** λ of `ease`. */
  regularization: number;
  /** `ease` solves for at most this many items (a dense k×k inverse: ≈ k³ multiply-adds, 3·8·k² bytes). */
  easeMaxItems: number;
  easeMinBaskets: number;
  easeFallbackWeight: number;
  /** Neighbours kept per item. */
  neighbours: number;
  /**
   * Added to the cosine's denominator: s_ij = c_ij / (√(n_i·n_j) + shrinkage), so pairs seen in few baskets
   * count less than the raw cosine says.
   */
  shrinkage: number;
  /** What a basket is: a session (invoice) or all of a user's events. */
  scope: 'session' | 'user';
  /** Baskets with more distinct items are skipped (bulk orders say little about any one pair). */
  maxBasketItems: number;
  /** A basket counts 2^(−age / halfLife), age = from its last event to the end of the data; 0 = no decay. */
  halfLifeDays: number;
  /**
   * Weight of the "buy next" transition table (sequence.ts) added to every row: w_ij + sequenceWeight·t_ij,
   * top-M of the sum; 0 = co-occurrence alone. `quiver eval recommend` chooses it on validation.
   */
  sequenceWeight: number;
  /** How many of a user's next steps an item points to. */
  sequenceWindow: number;
  /** A transition counts 2^(−age / halfLife); 0 = no decay. */
  sequenceHalfLifeDays: number;
}

export const DEFAULT_COOCCURRENCE: CooccurrenceParams = {
  method: 'ease',
  regularization: 100,
  easeMaxItems: 2500,
  easeMinBaskets: 40,
  easeFallbackWeight: 0.01,
  neighbours: 50,
  shrinkage: 10,
  scope: 'session',
  maxBasketItems: 200,
  halfLifeDays: 15,
  sequenceWeight: 0,
  sequenceWindow: DEFAULT_SEQUENCE.window,
  sequenceHalfLifeDays: DEFAULT_SEQUENCE.halfLifeDays,
};

const DAY_MS = 86_400_000;

/**
 * In a basket each item weighs the strongest of its events there (w_bi, 1 for a purchase), and the basket
 * d_b (its time decay, 1 without one). Then c_ij = Σ_b d_b·w_bi·w_bj over baskets holding both,
 * n_i = Σ_b d_b·w_bi², and s_ij = c_ij / (√(n_i·n_j) + shrinkage): item by item with a dense scratch row,
 * O(Σ_b |b|²) time, O(N) extra memory. `ease` then replaces the rows of its k items by B's (see the params):
 * O(k³) more time for the inverse.
 */
export const trainCooccurrence = (
  x: Interactions,
  params: CooccurrenceParams = DEFAULT_COOCCURRENCE,
  progress: (fraction: number) => void = () => {},
): NeighbourTable => {
  const n = x.items.length;
  const m = params.neighbours;
  const keys = params.scope === 'user' ? x.user : x.basket;
  const rows = sparseRows(x, keys, params.scope === 'user' ? x.users.length : x.baskets, 'max');
  const baskets = rows.offsets.length - 1;
  const decay = new Float32Array(baskets).fill(1);
  if (params.halfLifeDays > 0 && x.length > 0) {
    const lastTime = new Float64Array(baskets);
    for (let e = 0; e < x.length; e++) lastTime[keys[e]] = x.time[e];
    const end = x.time[x.length - 1];
    for (let b = 0; b < baskets; b++) decay[b] = 2 ** (-(end - lastTime[b]) / (params.halfLifeDays * DAY_MS));
  }
  // Item → (basket, weight), over the baskets small enough to count.
  const count = new Int32Array(n + 1);
  const kept = new Uint8Array(baskets);
  for (let b = 0; b < baskets; b++) {
    const size = rows.offsets[b + 1] - rows.offsets[b];
    if (size < 2 || size > params.maxBasketItems) continue;
    kept[b] = 1;
    for (let p = rows.offsets[b]; p < rows.offsets[b + 1]; p++) count[rows.items[p] + 1]++;
  }
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const fill = count.slice(0, n);
  const itemBaskets = new Int32Array(count[n]);
  const itemWeights = new Float32Array(count[n]);
  const norm = new Float64Array(n);
  for (let b = 0; b < baskets; b++) {
    if (!kept[b]) continue;
    for (let p = rows.offsets[b]; p < rows.offsets[b + 1]; p++) {
      const i = rows.items[p];
      itemBaskets[fill[i]] = b;
      itemWeights[fill[i]++] = rows.values[p] * decay[b];
      norm[i] += rows.values[p] * rows.values[p] * decay[b];
    }
  }

  const neighbours = new Int32Array(n * m).fill(-1);
  const weights = new Float32Array(n * m);
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let q = count[i]; q < count[i + 1]; q++) {
      const b = itemBaskets[q];
      const wi = itemWeights[q];
      for (let p = rows.offsets[b]; p < rows.offsets[b + 1]; p++) {
        const j = rows.items[p];
        if (j === i) continue;
        if (acc[j] === 0) touched[t++] = j;
        acc[j] += wi * rows.values[p];
      }
    }
    for (let u = 0; u < t; u++) {
      const j = touched[u];
      acc[j] /= Math.sqrt(norm[i] * norm[j]) + params.shrinkage;
    }
    const best = topK(acc, m, { candidates: touched.subarray(0, t), minScore: 0 });
    best.forEach((j, r) => {
      neighbours[i * m + r] = j;
      weights[i * m + r] = acc[j];
    });
    for (let u = 0; u < t; u++) acc[touched[u]] = 0;
    if ((i & 255) === 255) progress((params.method === 'ease' ? 0.3 : 1) * (i / n));
  }
  if (params.method === 'ease') {
    progress(0.3);
    for (let r = 0; r < weights.length; r++) weights[r] *= params.easeFallbackWeight;
    solveEase({ count, itemBaskets, itemWeights, norm }, rows, params, { m, neighbours, weights });
  }
  progress(1);
  if (!(params.sequenceWeight > 0)) return { m, neighbours, weights };
  const next = trainSequence(x, {
    ...DEFAULT_SEQUENCE,
    window: params.sequenceWindow,
    halfLifeDays: params.sequenceHalfLifeDays,
    maxStepItems: params.maxBasketItems,
    neighbours: m,
  });
  return blendNeighbours({ m, neighbours, weights }, next, params.sequenceWeight);
};

/** Item → its baskets (CSR by item) with d_b·w_bi, and n_i: what the cosine pass built. */
interface ItemBaskets {
  count: Int32Array;
  itemBaskets: Int32Array;
  itemWeights: Float32Array;
  norm: Float64Array;
}

/** G = C + λI over the solved items (C_ab = Σ_b d_b·w_ba·w_bb, C_aa = n_a), inverted; their rows become B's. */
const solveEase = (
  by: ItemBaskets,
  rows: SparseRows,
  params: CooccurrenceParams,
  table: NeighbourTable,
): void => {
  const solved = easeItems(by.count, params);
  const k = solved.length;
  const gram = new Float64Array(k * k);
  const column = new Int32Array(by.norm.length).fill(-1);
  solved.forEach((i, a) => {
    column[i] = a;
  });
  solved.forEach((i, a) => {
    const row = gram.subarray(a * k, (a + 1) * k);
    for (let q = by.count[i]; q < by.count[i + 1]; q++) {
      const b = by.itemBaskets[q];
      for (let p = rows.offsets[b]; p < rows.offsets[b + 1]; p++) {
        const c = column[rows.items[p]];
        if (c >= 0 && c !== a) row[c] += by.itemWeights[q] * rows.values[p];
      }
    }
    row[a] = by.norm[i] + params.regularization;
  });
  easeNeighbours(invertSpd(gram, k), solved, table);
};

/** The items `ease` solves for: the `easeMaxItems` in most baskets, at least `easeMinBaskets` (by index on ties). */
const easeItems = (count: Int32Array, params: CooccurrenceParams): number[] => {
  const baskets = Float64Array.from({ length: count.length - 1 }, (_, i) => count[i + 1] - count[i]);
  return topK(baskets, params.easeMaxItems, { minScore: params.easeMinBaskets - 1 }).sort((a, b) => a - b);
};

/** Row a of B = I − P·diag(1/P_bb): B_ab = −P_ab / P_bb (b ≠ a); its positive top-M replace item a's row. */
const easeNeighbours = (inverse: Float64Array, solved: readonly number[], table: NeighbourTable): void => {
  const k = solved.length;
  const b = new Float64Array(k);
  solved.forEach((i, a) => {
    for (let c = 0; c < k; c++) b[c] = c === a ? 0 : -inverse[a * k + c] / inverse[c * k + c];
    table.neighbours.fill(-1, i * table.m, (i + 1) * table.m);
    table.weights.fill(0, i * table.m, (i + 1) * table.m);
    topK(b, table.m, { minScore: 0 }).forEach((c, r) => {
      table.neighbours[i * table.m + r] = solved[c];
      table.weights[i * table.m + r] = b[c];
    });
  });
};

/** scores = Σ_j w_j · row_j: the neighbours graph's arithmetic, for evaluation. */
export const scoreNeighbours = (
  table: NeighbourTable,
  context: ArrayLike<number>,
  contextWeights: ArrayLike<number>,
  out: Float32Array,
): void => {
  out.fill(0);
  for (let c = 0; c < context.length; c++) {
    const i = context[c];
    const w = contextWeights[c];
    for (let r = i * table.m; r < (i + 1) * table.m; r++) {
      const j = table.neighbours[r];
      if (j < 0) break;
      out[j] += w * table.weights[r];
    }
  }
};

// What a trainer produces, in the four graph kinds of the recommend contract, and the same arithmetic as
// the ONNX graphs in plain TypeScript (the offline evaluation scores exactly what serving will).
import { scoreNeighbours } from './cooccurrence.ts';
import type { NeighbourTable } from './neighbour-table.ts';
import { scoreUserKnn, type UserKnnTables } from './userknn.ts';

export type TrainedModel =
  | { graph: 'neighbours'; table: NeighbourTable }
  /** Item factors Q [N, f]; u = (Σ_j w_j·Q_j)·P when a projection P [f, f] is given, else Σ_j w_j·Q_j. */
  | { graph: 'factors'; f: number; items: Float32Array; projection?: Float32Array }
  /** A fixed score per item; the context is ignored. */
  | { graph: 'scores'; scores: Float32Array }
  /** Contract version 2: the K most similar customers' recency-weighted items (userknn.ts). */
  | { graph: 'userknn'; tables: UserKnnTables };

/** A fitted model and the item ids of its rows (content models cover catalog items, not only those seen). */
export interface Fitted {
  model: TrainedModel;
  ids: readonly string[];
}

/** Writes every item's score for a context (item indexes and their weights) into `out` (length N). */
export const scoreContext = (
  model: TrainedModel,
  context: ArrayLike<number>,
  weights: ArrayLike<number>,
  out: Float32Array,
): void => {
  if (model.graph === 'neighbours') {
    scoreNeighbours(model.table, context, weights, out);
    return;
  }
  if (model.graph === 'userknn') {
    scoreUserKnn(model.tables, context, weights, out);
    return;
  }
  if (model.graph === 'scores') {
    out.set(model.scores);
    return;
  }
  const { f, items, projection } = model;
  const sum = new Float64Array(f);
  for (let c = 0; c < context.length; c++) {
    const o = context[c] * f;
    for (let j = 0; j < f; j++) sum[j] += weights[c] * items[o + j];
  }
  let u = sum;
  if (projection) {
    u = new Float64Array(f);
    for (let i = 0; i < f; i++) {
      const s = sum[i];
      if (s === 0) continue;
      for (let j = 0; j < f; j++) u[j] += s * projection[i * f + j];
    }
  }
  const n = items.length / f;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * f;
    for (let j = 0; j < f; j++) s += u[j] * items[o + j];
    out[i] = s;
  }
};

/** Whether a score of 0 or less means "no evidence" (the caller drops such entries). */
export const dropsNonPositive = (model: TrainedModel): boolean => model.graph !== 'factors';

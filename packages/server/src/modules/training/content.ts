// Content similarity: the search encoder's item embeddings, unit-normalized, as a factors model without a
// projection (scores = (Σ_j w_j·e_j)·Eᵀ, a weighted cosine), so new items have neighbours from day one.
import type { Fitted } from './model.ts';

/** Item embeddings, row-major [ids.length, dim]. */
export interface ItemVectors {
  ids: readonly string[];
  dim: number;
  vectors: Float32Array;
}

export const contentModel = (v: ItemVectors): Fitted => {
  const items = new Float32Array(v.vectors.length);
  for (let i = 0; i < v.ids.length; i++) {
    const row = v.vectors.subarray(i * v.dim, (i + 1) * v.dim);
    let norm = 0;
    for (const a of row) norm += a * a;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < v.dim; j++) items[i * v.dim + j] = row[j] * scale;
  }
  return { model: { graph: 'factors', f: v.dim, items }, ids: v.ids };
};

// Content similarity that works with little text: items with events get their ALS factors (learned from what
// customers bought together), items without any (cold) get their content features projected onto the same
// factor space by ridge regression fitted on the warm items, W = (XᵀX + λI)⁻¹XᵀQ; one factors graph with the
// ALS fold-in projection serves both, so similar-items is as good as the co-purchase signal where there is
// one and still answers for new items.
import { type AlsParams, DEFAULT_ALS, trainAls } from './als.ts';
import type { ItemVectors } from './content.ts';
import type { Interactions } from './interactions.ts';
import { invertSpd } from './linalg.ts';
import type { Fitted } from './model.ts';

/** λ of the ridge from content features (unit rows) to factors. */
export const DEFAULT_PROJECTION_RIDGE = 1;

const unitRows = (v: ItemVectors): Float64Array => {
  const out = new Float64Array(v.ids.length * v.dim);
  for (let i = 0; i < v.ids.length; i++) {
    let norm = 0;
    for (let j = 0; j < v.dim; j++) norm += v.vectors[i * v.dim + j] ** 2;
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < v.dim; j++) out[i * v.dim + j] = v.vectors[i * v.dim + j] * s;
  }
  return out;
};

export const projectedContent = (
  x: Interactions,
  vectors: ItemVectors,
  params: { ridge?: number; coldWeight?: number; als?: Partial<AlsParams> } = {},
  progress: (fraction: number) => void = () => {},
): Fitted => {
  const alsParams = { ...DEFAULT_ALS, ...params.als };
  const als = trainAls(x, alsParams, (f) => progress(f * 0.9));
  const { f } = als;
  // ALS's popularity prior rides in the last two columns [1, b_i]: a cold item has sold nothing, so it gets
  // [1, 0]; only the first g columns (the taste factors) are regressed.
  const g = alsParams.popularityWeight > 0 ? f - 2 : f;
  const d = vectors.dim;
  const features = unitRows(vectors);
  const rowOf = new Map(x.items.map((id, i) => [id, i]));
  // Warm: an item with an event here (subsets share the whole data's item index, so not every row has one).
  const warm = new Uint8Array(x.items.length);
  for (let e = 0; e < x.length; e++) warm[x.item[e]] = 1;
  // Ridge on the warm items that have content: A = XᵀX + λI (d×d), B = XᵀQ (d×g).
  const a = new Float64Array(d * d);
  const b = new Float64Array(d * g);
  vectors.ids.forEach((id, v) => {
    const i = rowOf.get(id);
    if (i === undefined || !warm[i]) return;
    const xv = features.subarray(v * d, (v + 1) * d);
    for (let p = 0; p < d; p++) {
      const xp = xv[p];
      if (xp === 0) continue;
      for (let q = 0; q < d; q++) a[p * d + q] += xp * xv[q];
      for (let k = 0; k < g; k++) b[p * g + k] += xp * als.items[i * f + k];
    }
  });
  const ridge = params.ridge ?? DEFAULT_PROJECTION_RIDGE;
  for (let p = 0; p < d; p++) a[p * d + p] += ridge;
  const inv = invertSpd(a, d);
  const w = new Float64Array(d * g);
  for (let p = 0; p < d; p++)
    for (let q = 0; q < d; q++) {
      const c = inv[p * d + q];
      if (c === 0) continue;
      for (let k = 0; k < g; k++) w[p * g + k] += c * b[q * g + k];
    }
  // Cold rows: items of the index without events (their ALS rows say nothing), then items only in the catalog.
  const coldWeight = params.coldWeight ?? 1;
  const extra = vectors.ids.filter((id) => !rowOf.has(id));
  const extraRow = new Map(extra.map((id, k) => [id, x.items.length + k]));
  const items = new Float32Array((x.items.length + extra.length) * f);
  items.set(als.items);
  vectors.ids.forEach((id, v) => {
    const i = rowOf.get(id);
    if (i !== undefined && warm[i]) return;
    const o = (i ?? extraRow.get(id)!) * f;
    items.fill(0, o, o + f);
    if (g < f) items[o + g] = 1;
    for (let p = 0; p < d; p++) {
      const xp = features[v * d + p];
      if (xp === 0) continue;
      for (let k = 0; k < g; k++) items[o + k] += xp * w[p * g + k];
    }
    for (let k = 0; k < g; k++) items[o + k] *= coldWeight;
  });
  progress(1);
  return { model: { graph: 'factors', f, items, projection: als.projection }, ids: [...x.items, ...extra] };
};

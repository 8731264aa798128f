// "Buy next": a recency-weighted item → next-item transition table. A user's events in time order form steps
// (the events sharing a time and a basket: an invoice's lines, or one click of a session); every item of a step
// points to the items of the user's next `window` steps, the d-th next one counting 1/d shared among its items,
// each transition decayed by its age. Blended into the co-occurrence table (cooccurrence.ts, `sequenceWeight`), it adds what
// customers buy after an item to what they buy with it.

import { groupBy, type Interactions } from './interactions.ts';
import type { NeighbourTable } from './neighbour-table.ts';
import { topK } from './rank.ts';

export interface SequenceParams {
  /** How many of the user's next steps an item points to (the d-th counts 1/d, shared among its items). */
  window: number;
  /** A transition counts 2^(−age / halfLife), age from its target step to the end of the data; 0 = no decay. */
  halfLifeDays: number;
  /** Added to the source's count: t_ij = c_ij / (n_i + shrinkage), so items seen rarely point weakly. */
  shrinkage: number;
  /** Steps with more distinct items are skipped (bulk orders). */
  maxStepItems: number;
  neighbours: number;
}

export const DEFAULT_SEQUENCE: SequenceParams = {
  window: 3,
  halfLifeDays: 30,
  shrinkage: 1,
  maxStepItems: 200,
  neighbours: 50,
};

const DAY_MS = 86_400_000;

/** Steps as CSR: each step's distinct items with their strongest event weight, its user and time. */
interface Steps {
  offsets: Int32Array;
  items: Int32Array;
  weights: Float32Array;
  user: Int32Array;
  time: Float64Array;
}

const stepsOf = (x: Interactions): Steps => {
  const byUser = groupBy(x.user, x.users.length);
  const offsets: number[] = [0];
  const items: number[] = [];
  const weights: number[] = [];
  const user: number[] = [];
  const time: number[] = [];
  let open = new Map<number, number>();
  const close = (u: number, t: number) => {
    if (open.size === 0) return;
    for (const [i, w] of open) {
      items.push(i);
      weights.push(w);
    }
    offsets.push(items.length);
    user.push(u);
    time.push(t);
    open = new Map();
  };
  for (let u = 0; u < x.users.length; u++) {
    let prev = -1;
    for (let p = byUser.offsets[u]; p < byUser.offsets[u + 1]; p++) {
      const e = byUser.order[p];
      if (prev >= 0 && (x.time[e] !== x.time[prev] || x.basket[e] !== x.basket[prev])) close(u, x.time[prev]);
      open.set(x.item[e], Math.max(open.get(x.item[e]) ?? 0, x.weight[e]));
      prev = e;
    }
    if (prev >= 0) close(u, x.time[prev]);
  }
  return {
    offsets: Int32Array.from(offsets),
    items: Int32Array.from(items),
    weights: Float32Array.from(weights),
    user: Int32Array.from(user),
    time: Float64Array.from(time),
  };
};

/**
 * c_ij = Σ over steps s holding i and the same user's steps s+d (1 ≤ d ≤ window) holding j ≠ i of
 * decay(s+d)·w_si·w_(s+d)j / (d·|s+d|); n_i = Σ over those steps s of decay(s+1)·w_si (its first next step's decay);
 * t_ij = c_ij / (n_i + shrinkage); top-M per item. Item by item with a dense scratch row, as co-occurrence.
 */
export const trainSequence = (x: Interactions, params: SequenceParams = DEFAULT_SEQUENCE): NeighbourTable => {
  const n = x.items.length;
  const m = params.neighbours;
  const steps = stepsOf(x);
  const count = steps.user.length;
  const end = x.length > 0 ? x.time[x.length - 1] : 0;
  const decay = Float64Array.from(steps.time, (t) =>
    params.halfLifeDays > 0 ? 2 ** (-(end - t) / (params.halfLifeDays * DAY_MS)) : 1,
  );
  const size = (s: number) => steps.offsets[s + 1] - steps.offsets[s];
  const usable = (s: number) => size(s) <= params.maxStepItems;
  const hasNext = (s: number) =>
    s + 1 < count && steps.user[s + 1] === steps.user[s] && usable(s) && usable(s + 1);
  // Item → the steps it is a source in (CSR), with its weight there.
  const by = new Int32Array(n + 1);
  for (let s = 0; s < count; s++)
    if (hasNext(s)) for (let p = steps.offsets[s]; p < steps.offsets[s + 1]; p++) by[steps.items[p] + 1]++;
  for (let i = 0; i < n; i++) by[i + 1] += by[i];
  const fill = by.slice(0, n);
  const sourceStep = new Int32Array(by[n]);
  const sourceWeight = new Float32Array(by[n]);
  for (let s = 0; s < count; s++)
    if (hasNext(s))
      for (let p = steps.offsets[s]; p < steps.offsets[s + 1]; p++) {
        const i = steps.items[p];
        sourceStep[fill[i]] = s;
        sourceWeight[fill[i]++] = steps.weights[p];
      }
  const neighbours = new Int32Array(n * m).fill(-1);
  const weights = new Float32Array(n * m);
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  const mark = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let t = 0;
    let norm = 0;
    for (let q = by[i]; q < by[i + 1]; q++) {
      const s = sourceStep[q];
      norm += decay[s + 1] * sourceWeight[q];
      for (let d = 1; d <= params.window; d++) {
        const next = s + d;
        if (next >= count || steps.user[next] !== steps.user[s]) break;
        if (!usable(next)) continue;
        const k = (decay[next] * sourceWeight[q]) / (d * size(next));
        for (let p = steps.offsets[next]; p < steps.offsets[next + 1]; p++) {
          const j = steps.items[p];
          if (j === i) continue;
          if (!mark[j]) {
            mark[j] = 1;
            touched[t++] = j;
          }
          acc[j] += k * steps.weights[p];
        }
      }
    }
    for (let u = 0; u < t; u++) acc[touched[u]] /= norm + params.shrinkage;
    for (let u = 0; u < t; u++) mark[touched[u]] = 0;
    topK(acc, m, { candidates: touched.subarray(0, t), minScore: 0 }).forEach((j, r) => {
      neighbours[i * m + r] = j;
      weights[i * m + r] = acc[j];
    });
    for (let u = 0; u < t; u++) acc[touched[u]] = 0;
  }
  return { m, neighbours, weights };
};

/** Row by row a + weight·b (an item missing from a row counts 0 there), top-M of the sum. */
export const blendNeighbours = (
  a: NeighbourTable,
  b: NeighbourTable,
  weight: number,
  m = a.m,
): NeighbourTable => {
  const n = a.neighbours.length / a.m;
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  const neighbours = new Int32Array(n * m).fill(-1);
  const weights = new Float32Array(n * m);
  const mark = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let t = 0;
    const add = (table: NeighbourTable, k: number) => {
      for (let r = i * table.m; r < (i + 1) * table.m; r++) {
        const j = table.neighbours[r];
        if (j < 0) break;
        if (!mark[j]) {
          mark[j] = 1;
          touched[t++] = j;
        }
        acc[j] += k * table.weights[r];
      }
    };
    add(a, 1);
    add(b, weight);
    topK(acc, m, { candidates: touched.subarray(0, t), minScore: 0 }).forEach((j, r) => {
      neighbours[i * m + r] = j;
      weights[i * m + r] = acc[j];
    });
    for (let u = 0; u < t; u++) {
      acc[touched[u]] = 0;
      mark[touched[u]] = 0;
    }
  }
  return { m, neighbours, weights };
};

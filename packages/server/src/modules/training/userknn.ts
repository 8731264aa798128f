// User-kNN (issue 21): a request's context is compared with every known customer's items, the K most similar
// customers are kept, and their items score by similarity × the recency of the customer's event. Two sparse
// tables carry it (both NeighbourTables): item → its customers with b_ui / |u|^p (the similarity's terms), and
// customer → their newest items with b_ui · 2^(−age / halfLife) (what a neighbour lends; the age counts from
// the neighbour's first event on the item by default: what they recently took up); the top K over
// customers is taken per request, in TypeScript here and by the ONNX graph's TopK when served.
import { scoreNeighbours } from './cooccurrence.ts';
import { groupBy, type Interactions } from './interactions.ts';
import type { NeighbourTable } from './neighbour-table.ts';
import { topK } from './rank.ts';

export interface UserKnnParams {
  /** Customers (K) whose items score a request. */
  neighbours: number;
  /** A neighbour's item counts 2^(−age / halfLife), age from the neighbour's `ageFrom` event on it to the data's end. */
  halfLifeDays: number;
  /**
   * `first`: an item's age counts from the neighbour's first event on it (what they recently took up: the
   * evaluation's and serving's targets are items new to the customer); `last`: from their latest (their staples,
   * rebought, stay young).
   */
  ageFrom: 'first' | 'last';
  /** Similarity = Σ_i w_i · b_ui / |u|^p over the context's items, |u| = Σ_i b_ui (the customer's item count, weighted). */
  exponent: number;
  /** A neighbour lends its items weighted by similarity^sharpen (above 1: the closest customers count more). */
  sharpen: number;
  /** `user`: neighbours are customers (their whole histories); `basket`: sessions or invoices (session-kNN). */
  scope: 'user' | 'basket';
  /** Each customer's newest distinct items kept (the same cap as for-user's long-term history). */
  maxItemsPerUser: number;
  /** Customers kept per item (by b_ui / |u|^p, the strongest first): bounds the artifact for very popular items. */
  maxUsersPerItem: number;
}

export const DEFAULT_USER_KNN: UserKnnParams = {
  neighbours: 1000,
  halfLifeDays: 7,
  ageFrom: 'first',
  exponent: 0.9,
  sharpen: 1,
  scope: 'user',
  maxItemsPerUser: 200,
  maxUsersPerItem: 2000,
};

export interface UserKnnTables {
  /** Customers. */
  users: number;
  /** Neighbours per request (K). */
  k: number;
  /** Their similarities are raised to this power. */
  sharpen: number;
  /** Item → customers [N, mu] with the similarity terms. */
  itemUsers: NeighbourTable;
  /** Customer → items [U, mi] with the recency-weighted strengths. */
  userItems: NeighbourTable;
}

const DAY_MS = 86_400_000;

const table = (rows: readonly (readonly [number, number][])[]): NeighbourTable => {
  const m = Math.max(1, ...rows.map((r) => r.length));
  const neighbours = new Int32Array(rows.length * m).fill(-1);
  const weights = new Float32Array(rows.length * m);
  rows.forEach((row, i) => {
    row.forEach(([j, w], r) => {
      neighbours[i * m + r] = j;
      weights[i * m + r] = w;
    });
  });
  return { m, neighbours, weights };
};

export const trainUserKnn = (x: Interactions, params: UserKnnParams = DEFAULT_USER_KNN): UserKnnTables => {
  const keys = (params.scope ?? 'user') === 'basket' ? x.basket : x.user;
  const nUsers = keys === x.basket ? x.baskets : x.users.length;
  const nItems = x.items.length;
  const end = x.length > 0 ? x.time[x.length - 1] : 0;
  const halfLife = params.halfLifeDays * DAY_MS;
  const fromFirst = (params.ageFrom ?? 'last') === 'first';
  const byUser = groupBy(keys, nUsers);
  const strength = new Float32Array(nItems); // b_ui: the strongest event's weight
  const last = new Float64Array(nItems); // the event the item's age counts from (`ageFrom`)
  const userRows: [number, number][][] = [];
  const itemRows: [number, number][][] = Array.from({ length: nItems }, () => []);
  const kept: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    kept.length = 0;
    // A user's events are in time order: newest first, distinct items up to the cap.
    for (let p = byUser.offsets[u + 1] - 1; p >= byUser.offsets[u]; p--) {
      const e = byUser.order[p];
      const i = x.item[e];
      if (strength[i] === 0) {
        if (kept.length >= params.maxItemsPerUser) continue;
        kept.push(i);
        last[i] = x.time[e];
      } else if (fromFirst) last[i] = x.time[e]; // walking back in time: ends at the first event
      strength[i] = Math.max(strength[i], x.weight[e]);
    }
    let size = 0;
    for (const i of kept) size += strength[i];
    const norm = size > 0 ? size ** params.exponent : 1;
    userRows.push(kept.map((i) => [i, strength[i] * 2 ** (-(end - last[i]) / halfLife)]));
    for (const i of kept) {
      itemRows[i].push([u, strength[i] / norm]);
      strength[i] = 0;
    }
  }
  const capped = itemRows.map((r) =>
    r.length > params.maxUsersPerItem
      ? [...r].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, params.maxUsersPerItem)
      : r,
  );
  return {
    users: nUsers,
    k: Math.max(1, params.neighbours),
    sharpen: params.sharpen,
    itemUsers: table(capped),
    userItems: table(userRows),
  };
};

/** Every item's score for a context: the similarities, their top K customers, and those customers' items. */
export const scoreUserKnn = (
  t: UserKnnTables,
  context: ArrayLike<number>,
  weights: ArrayLike<number>,
  out: Float32Array,
): void => {
  const sims = new Float32Array(t.users);
  scoreNeighbours(t.itemUsers, context, weights, sims);
  const top = topK(sims, t.k, { minScore: 0 });
  scoreNeighbours(
    t.userItems,
    top,
    top.map((u) => sims[u] ** t.sharpen),
    out,
  );
};

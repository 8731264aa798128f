// "Buy it again" (issue 21) with its own protocol: the main evaluation leaves repeats out (serving does not
// recommend what a customer bought), so the repeat scenario is measured apart. At a global time split, for
// each customer who bought before T and bought again from T on: the relevant items are those test-period
// purchases they had bought before T; the candidates are every item they bought before T, ranked by
//   score_ui = Σ_{baskets b of u with i before T} 2^(−(T − t_b) / halfLife) · (ε + trend_i / max trend)^γ
// where trend is popularity with `trendHalfLifeDays`. halfLife 0 (no decay) and γ 0 is the baseline: the
// customer's most frequent past items (by baskets).

import { rankingMetrics } from './evaluate.ts';
import type { Interactions } from './interactions.ts';
import { trainPopularity } from './popularity.ts';
import { topK } from './rank.ts';

export interface RepeatParams {
  /** A past basket counts 2^(−age / halfLife); 0 = every basket 1 (plain frequency). */
  halfLifeDays: number;
  /** γ: how much the item's current trend multiplies the customer's own score (0 = not at all). */
  trendWeight: number;
  trendHalfLifeDays: number;
}

/** The baseline: the customer's most frequent past items. */
export const MOST_FREQUENT: RepeatParams = { halfLifeDays: 0, trendWeight: 0, trendHalfLifeDays: 1 };

const DAY_MS = 86_400_000;
const EPSILON = 0.01;

export interface RepeatEvaluation {
  /** Customers evaluated (a purchase before T and a repeat purchase from T on), in user index order. */
  users: Int32Array;
  ndcg: Float64Array;
  hr: Float64Array;
  /** (customer, item) repeat pairs to find. */
  relevantPairs: number;
  /** Customers who bought from T on and before it, but nothing they had bought before. */
  noRepeat: number;
}

/** Each customer's past purchases as item → time of each distinct basket (before T). */
const pastBaskets = (train: Interactions) => {
  const out = new Map<number, Map<number, Map<number, number>>>(); // user → item → basket → time
  for (let e = 0; e < train.length; e++) {
    if (!train.purchase[e]) continue;
    const byItem = out.get(train.user[e]) ?? new Map<number, Map<number, number>>();
    out.set(train.user[e], byItem);
    const baskets = byItem.get(train.item[e]) ?? new Map<number, number>();
    byItem.set(train.item[e], baskets);
    baskets.set(train.basket[e], train.time[e]);
  }
  return out;
};

export const evaluateRepeats = (
  train: Interactions,
  test: Interactions,
  params: RepeatParams,
): RepeatEvaluation => {
  const at = test.length > 0 ? test.time[0] : 0;
  const past = pastBaskets(train);
  const relevant = new Map<number, Set<number>>();
  const buyers = new Set<number>();
  for (let e = 0; e < test.length; e++) {
    const u = test.user[e];
    if (!test.purchase[e] || !past.has(u)) continue;
    buyers.add(u);
    if (!past.get(u)?.has(test.item[e])) continue;
    const set = relevant.get(u) ?? new Set<number>();
    relevant.set(u, set);
    set.add(test.item[e]);
  }
  const trend =
    params.trendWeight > 0 ? trainPopularity(train, { halfLifeDays: params.trendHalfLifeDays }) : undefined;
  let top = 0;
  if (trend) for (const v of trend) top = Math.max(top, v);
  const halfLife = params.halfLifeDays * DAY_MS;
  const users: number[] = [];
  const ndcg: number[] = [];
  const hr: number[] = [];
  let relevantPairs = 0;
  for (const [u, items] of [...relevant].sort((a, b) => a[0] - b[0])) {
    const history = past.get(u) ?? new Map<number, Map<number, number>>();
    const candidates = [...history.keys()];
    const scores = new Float64Array(train.items.length);
    for (const i of candidates) {
      let s = 0;
      for (const t of history.get(i)?.values() ?? []) s += halfLife > 0 ? 2 ** (-(at - t) / halfLife) : 1;
      if (trend && top > 0) s *= (EPSILON + trend[i] / top) ** params.trendWeight;
      scores[i] = s;
    }
    const m = rankingMetrics(topK(scores, 10, { candidates }), items);
    users.push(u);
    ndcg.push(m.ndcg);
    hr.push(m.hr);
    relevantPairs += items.size;
  }
  return {
    users: Int32Array.from(users),
    ndcg: Float64Array.from(ndcg),
    hr: Float64Array.from(hr),
    relevantPairs,
    noRepeat: buyers.size - relevant.size,
  };
};

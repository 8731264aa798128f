// Offline evaluation with a global time split: for each user with history before T, the items they bought
// from T on (and had not bought before) against the top of what the model recommends from that history.
import { type Interactions, sparseRows } from './interactions.ts';
import { dropsNonPositive, scoreContext, type TrainedModel } from './model.ts';
import { topK } from './rank.ts';

export const HIT_K = 10;
export const RECALL_K = 20;

export interface OfflineMetrics {
  /** Test users evaluated (history before T and at least one new item after). */
  users: number;
  'hr@10': number;
  'ndcg@10': number;
  'recall@20': number;
  /** Share of the items seen before T that appear in at least one top-10 list. */
  coverage: number;
}

/** Per-user metrics from a ranked list and the relevant set (binary gains). */
export const rankingMetrics = (ranked: readonly number[], relevant: ReadonlySet<number>) => {
  let dcg = 0;
  let hits10 = 0;
  let hits20 = 0;
  ranked.forEach((item, r) => {
    if (!relevant.has(item)) return;
    if (r < HIT_K) {
      hits10++;
      dcg += 1 / Math.log2(r + 2);
    }
    if (r < RECALL_K) hits20++;
  });
  let ideal = 0;
  for (let r = 0; r < Math.min(relevant.size, HIT_K); r++) ideal += 1 / Math.log2(r + 2);
  return {
    hr: hits10 > 0 ? 1 : 0,
    ndcg: ideal > 0 ? dcg / ideal : 0,
    recall: relevant.size > 0 ? hits20 / relevant.size : 0,
  };
};

/**
 * Conventions (documented in the README): the target is the test period's purchases (all item events when
 * it has none); items the user already had before T are neither relevant nor recommended (serving excludes
 * what a user bought); the context is the user's distinct items before T, weight 1 each; an entry whose
 * score is ≤ 0 is not a recommendation for the neighbours and scores graphs.
 */
export interface EvaluateOptions {
  /** Context weight of a history item: 2^(−age / halfLife), age = time from its last event to T; 0 = all 1. */
  recencyHalfLifeDays?: number;
}

const DAY_MS = 86_400_000;

export const evaluate = (
  train: Interactions,
  test: Interactions,
  model: TrainedModel,
  options: EvaluateOptions = {},
): OfflineMetrics => {
  const halfLife = (options.recencyHalfLifeDays ?? 0) * DAY_MS;
  const end = test.length > 0 ? test.time[0] : train.length > 0 ? train.time[train.length - 1] : 0;
  const nUsers = train.users.length;
  const nItems = train.items.length;
  const history = sparseRows(train, train.user, nUsers, 'max');
  let anyPurchase = false;
  for (const p of test.purchase) if (p) anyPurchase = true;
  const relevant = new Map<number, Set<number>>();
  for (let e = 0; e < test.length; e++) {
    if (anyPurchase && !test.purchase[e]) continue;
    const u = test.user[e];
    if (history.offsets[u + 1] === history.offsets[u]) continue;
    const set = relevant.get(u) ?? new Set<number>();
    relevant.set(u, set);
    set.add(test.item[e]);
  }
  const seen = new Uint8Array(nItems);
  const last = new Map<number, number>(); // user·N + item → its last event time (evaluated users only)
  for (let e = 0; e < train.length; e++) {
    seen[train.item[e]] = 1;
    if (halfLife > 0 && relevant.has(train.user[e]))
      last.set(train.user[e] * nItems + train.item[e], train.time[e]);
  }
  const catalog = seen.reduce((a, b) => a + b, 0);
  const shown = new Uint8Array(nItems);
  const scores = new Float32Array(nItems);
  const inHistory = new Uint8Array(nItems);
  const minScore = dropsNonPositive(model) ? 0 : Number.NEGATIVE_INFINITY;
  let users = 0;
  let hr = 0;
  let ndcg = 0;
  let recall = 0;
  for (const [u, items] of [...relevant].sort((a, b) => a[0] - b[0])) {
    const context = history.items.subarray(history.offsets[u], history.offsets[u + 1]);
    for (const i of context) {
      inHistory[i] = 1;
      items.delete(i);
    }
    if (items.size > 0) {
      const weights = Float32Array.from(context, (i) =>
        halfLife > 0 ? 2 ** (-(end - (last.get(u * nItems + i) ?? end)) / halfLife) : 1,
      );
      scoreContext(model, context, weights, scores);
      const ranked = topK(scores, RECALL_K, { exclude: (i) => inHistory[i] === 1, minScore });
      for (const i of ranked.slice(0, HIT_K)) shown[i] = 1;
      const m = rankingMetrics(ranked, items);
      users++;
      hr += m.hr;
      ndcg += m.ndcg;
      recall += m.recall;
    }
    for (const i of context) inHistory[i] = 0;
  }
  const mean = (x: number) => (users > 0 ? x / users : 0);
  return {
    users,
    'hr@10': mean(hr),
    'ndcg@10': mean(ndcg),
    'recall@20': mean(recall),
    coverage: catalog > 0 ? shown.reduce((a, b) => a + b, 0) / catalog : 0,
  };
};

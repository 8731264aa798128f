// Offline evaluation with a global time split: for each user with history before T, the items they bought
// from T on (and had not bought before) against the top of what the model recommends from that history.
import { type Interactions, type SparseRows, sparseRows } from './interactions.ts';
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
  /**
   * Per-user test start (ms, by user index) for a per-user split: the context's ages count from it. Absent: the
   * test period's first event (a global split).
   */
  asOf?: Float64Array;
  /** What the test part's relevant items are: purchases (default; all item events when it has none), or any item event. */
  target?: 'purchase' | 'any';
}

/** Why a user with test events was not evaluated. */
export const SKIP_REASONS = [
  'no history before the split',
  'no purchase in the test part',
  'nothing new',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Each evaluated user's figures, in user index order (the same users for every model on one split). */
export interface PerUser {
  users: Int32Array;
  'hr@10': Float64Array;
  'ndcg@10': Float64Array;
  'recall@20': Float64Array;
}

export interface UserEvaluation {
  metrics: OfflineMetrics;
  perUser: PerUser;
  /** Users with test events left out, by reason. */
  skipped: Record<SkipReason, number>;
  /** (user, item) pairs to find: Σ over evaluated users of their relevant items. */
  relevantPairs: number;
}

const DAY_MS = 86_400_000;

/** The relevant (new, purchased) items of each user in `test` who has history in `train`, and the skips. */
const targets = (test: Interactions, history: SparseRows, target: 'purchase' | 'any') => {
  let anyPurchase = false;
  if (target === 'purchase') for (const p of test.purchase) if (p) anyPurchase = true;
  const relevant = new Map<number, Set<number>>();
  const noHistory = new Set<number>();
  const touched = new Set<number>();
  for (let e = 0; e < test.length; e++) {
    const u = test.user[e];
    touched.add(u);
    if (history.offsets[u + 1] === history.offsets[u]) {
      noHistory.add(u);
      continue;
    }
    if (anyPurchase && !test.purchase[e]) continue;
    const set = relevant.get(u) ?? new Set<number>();
    relevant.set(u, set);
    set.add(test.item[e]);
  }
  const noPurchase = touched.size - noHistory.size - relevant.size;
  return { relevant, noHistory: noHistory.size, noPurchase };
};

export const evaluateUsers = (
  train: Interactions,
  test: Interactions,
  model: TrainedModel,
  options: EvaluateOptions = {},
): UserEvaluation => {
  const halfLife = (options.recencyHalfLifeDays ?? 0) * DAY_MS;
  const end = test.length > 0 ? test.time[0] : train.length > 0 ? train.time[train.length - 1] : 0;
  const nUsers = train.users.length;
  const nItems = train.items.length;
  const history = sparseRows(train, train.user, nUsers, 'max');
  const { relevant, noHistory, noPurchase } = targets(test, history, options.target ?? 'purchase');
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
  const users: number[] = [];
  const hr: number[] = [];
  const ndcg: number[] = [];
  const recall: number[] = [];
  let nothingNew = 0;
  let relevantPairs = 0;
  for (const [u, items] of [...relevant].sort((a, b) => a[0] - b[0])) {
    const context = history.items.subarray(history.offsets[u], history.offsets[u + 1]);
    for (const i of context) {
      inHistory[i] = 1;
      items.delete(i);
    }
    if (items.size > 0) {
      const at = options.asOf ? options.asOf[u] : end;
      const weights = Float32Array.from(context, (i) =>
        halfLife > 0 ? 2 ** (-(at - (last.get(u * nItems + i) ?? at)) / halfLife) : 1,
      );
      scoreContext(model, context, weights, scores);
      const ranked = topK(scores, RECALL_K, { exclude: (i) => inHistory[i] === 1, minScore });
      for (const i of ranked.slice(0, HIT_K)) shown[i] = 1;
      const m = rankingMetrics(ranked, items);
      users.push(u);
      hr.push(m.hr);
      ndcg.push(m.ndcg);
      recall.push(m.recall);
      relevantPairs += items.size;
    } else nothingNew++;
    for (const i of context) inHistory[i] = 0;
  }
  const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    metrics: {
      users: users.length,
      'hr@10': mean(hr),
      'ndcg@10': mean(ndcg),
      'recall@20': mean(recall),
      coverage: catalog > 0 ? shown.reduce((a, b) => a + b, 0) / catalog : 0,
    },
    perUser: {
      users: Int32Array.from(users),
      'hr@10': Float64Array.from(hr),
      'ndcg@10': Float64Array.from(ndcg),
      'recall@20': Float64Array.from(recall),
    },
    skipped: {
      'no history before the split': noHistory,
      'no purchase in the test part': noPurchase,
      'nothing new': nothingNew,
    },
    relevantPairs,
  };
};

/** The means of `evaluateUsers` (a training run's metrics). */
export const evaluate = (
  train: Interactions,
  test: Interactions,
  model: TrainedModel,
  options: EvaluateOptions = {},
): OfflineMetrics => evaluateUsers(train, test, model, options).metrics;

// Learning to rank for hybrid search's second phase: a linear model over the ranker's features (keyword
// score, cosine, coverage: RANKER_FEATURES) fitted by coordinate ascent on mean NDCG@10 over judged
// queries, whatever the judgments' origin (click judgments here, editorial grades in bench/relevance).
// NDCG@10: gain = the judgment, unjudged items gain 0, the ideal from all of the query's judgments; the
// candidates are ordered as the server orders them (score, then id).

import { scoreTrees, type TreeEnsemble, WIDE_WIDTH, wideIndexes } from '../search/index.ts';
import { type ClickJudgmentOptions, DEFAULT_CLICK_JUDGMENTS } from './click-judgments.ts';
import type { LambdaMartParams } from './lambdamart.ts';

/**
 * The search-ranker trainer's parameters: the click model's, the share of queries held out, and the model:
 * LambdaMART trees over the wide features (the default) or the linear ranker over the narrow three.
 */
export interface SearchRankerParams extends ClickJudgmentOptions {
  holdout: number;
  model: 'trees' | 'linear';
}
export const DEFAULT_SEARCH_RANKER: SearchRankerParams = {
  ...DEFAULT_CLICK_JUDGMENTS,
  holdout: 0.2,
  model: 'trees',
};

/** The feature names in row order (the search ranker's input columns). */
export const RANKER_FEATURES = ['keyword', 'vector', 'coverage'] as const;
export type RankerWeights = Record<(typeof RANKER_FEATURES)[number], number>;
const WIDTH = RANKER_FEATURES.length;

/** One judged query: its second-phase candidates (ids and feature rows) and the judgments. */
export interface LtrQuery {
  query: string;
  ids: readonly string[];
  /** Row-major, `ids.length` × RANKER_FEATURES.length. */
  features: Float32Array;
  /** Row-major, `ids.length` × WIDE_RANKER_FEATURES.length (search/ranker-features.ts): what trees read. */
  wide?: Float32Array;
  gains: ReadonlyMap<string, number>;
}

const STEPS = [-2, -1, -0.5, -0.25, -0.1, -0.05, 0.05, 0.1, 0.25, 0.5, 1, 2];
const ROUNDS = 25;
const AT = 10;

/** Where a fit starts: keyword alone. */
export const KEYWORD_ONLY: RankerWeights = { keyword: 1, vector: 0, coverage: 0 };

/**
 * Coordinate ascent on `objective` from `start`: each round tries every step on every weight in `names`
 * order and keeps any that helps, until a round helps none (or 25 rounds). `onRound` hears each round.
 */
export const learnWeights = <W extends Record<string, number>>(
  start: W,
  names: ReadonlyArray<keyof W>,
  objective: (w: W) => number,
  onRound: (round: number, best: number) => void = () => {},
): W => {
  let w = start;
  let best = objective(w);
  for (let round = 0; round < ROUNDS; round++) {
    let improved = false;
    for (const name of names)
      for (const step of STEPS) {
        const next = { ...w, [name]: Math.round((w[name] + step) * 100) / 100 };
        const v = objective(next);
        if (v > best + 1e-9) [best, w, improved] = [v, next, true];
      }
    onRound(round, best);
    if (!improved) break;
  }
  return w;
};

/** A query prepared for repeated scoring: judged rows, each item's id order (ties), the ideal DCG. */
interface Prepared {
  q: LtrQuery;
  judged: Array<{ row: number; gain: number }>;
  /** Each row's place among the ids sorted (a tie goes to the smaller id, as the server breaks it). */
  idOrder: Int32Array;
  ideal: number;
}

const discount = (rank: number) => 1 / Math.log2(rank + 2);

const prepare = (q: LtrQuery): Prepared => {
  const judged: Prepared['judged'] = [];
  q.ids.forEach((id, row) => {
    const gain = q.gains.get(id);
    if (gain !== undefined && gain > 0) judged.push({ row, gain });
  });
  const idOrder = new Int32Array(q.ids.length);
  [...q.ids.keys()]
    .sort((a, b) => (q.ids[a] < q.ids[b] ? -1 : q.ids[a] > q.ids[b] ? 1 : 0))
    .forEach((row, place) => {
      idOrder[row] = place;
    });
  const ideal = [...q.gains.values()]
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, AT)
    .reduce((s, g, i) => s + g * discount(i), 0);
  return { q, judged, idOrder, ideal };
};

const scoresOf = (q: LtrQuery, w: readonly number[], out: Float64Array): Float64Array => {
  for (let r = 0; r < q.ids.length; r++) {
    let s = 0;
    for (let f = 0; f < WIDTH; f++) s += w[f] * q.features[r * WIDTH + f];
    out[r] = s;
  }
  return out;
};

/** NDCG@10 of one prepared query from its rows' scores; the rank of each judged row is counted, not sorted. */
const ndcgOfScores = (p: Prepared, s: ArrayLike<number>): number => {
  if (p.ideal === 0) return 0;
  let dcg = 0;
  for (const { row, gain } of p.judged) {
    const mine = s[row];
    const order = p.idOrder[row];
    let rank = 0;
    for (let r = 0; r < p.q.ids.length && rank < AT; r++)
      if (s[r] > mine || (s[r] === mine && p.idOrder[r] < order)) rank++;
    if (rank < AT) dcg += gain * discount(rank);
  }
  return dcg / p.ideal;
};

/** NDCG@10 of one prepared query under `w` (feature order). */
const ndcgOf = (p: Prepared, w: readonly number[], scratch: Float64Array): number =>
  p.ideal === 0 ? 0 : ndcgOfScores(p, scoresOf(p.q, w, scratch));

/** Each query's NDCG@10 when its rows score `score(q, row)` (any model: the trees' offline measure). */
export const scoredNdcg = (
  queries: readonly LtrQuery[],
  score: (q: LtrQuery, row: number) => number,
): number[] =>
  queries.map((q) => {
    const p = prepare(q);
    return ndcgOfScores(
      p,
      Float64Array.from(q.ids, (_, r) => score(q, r)),
    );
  });

/**
 * Mean NDCG@10 over queries prepared once, of the scores `score` writes for each query's rows (any model's:
 * the objective of a fit over other columns than the narrow three).
 */
export const meanNdcgOf = (queries: readonly LtrQuery[]) => {
  const prepared = queries.map(prepare);
  const scratch = new Float64Array(Math.max(1, ...queries.map((q) => q.ids.length)));
  return (score: (q: LtrQuery, out: Float64Array) => void): number => {
    if (prepared.length === 0) return 0;
    let sum = 0;
    for (const p of prepared) {
      if (p.ideal === 0) continue;
      score(p.q, scratch);
      sum += ndcgOfScores(p, scratch);
    }
    return sum / prepared.length;
  };
};

const vectorOf = (w: RankerWeights): number[] => RANKER_FEATURES.map((f) => w[f]);

/** Mean NDCG@10 of `w` over queries prepared once: the objective of a fit, and its evaluation. */
export const ndcgScorer = (queries: readonly LtrQuery[]) => {
  const prepared = queries.map(prepare);
  const scratch = new Float64Array(Math.max(1, ...queries.map((q) => q.ids.length)));
  return {
    perQuery: (w: RankerWeights): number[] => {
      const v = vectorOf(w);
      return prepared.map((p) => ndcgOf(p, v, scratch));
    },
    mean: (w: RankerWeights): number => {
      if (prepared.length === 0) return 0;
      const v = vectorOf(w);
      let sum = 0;
      for (const p of prepared) sum += ndcgOf(p, v, scratch);
      return sum / prepared.length;
    },
  };
};

/** Weights fitted on the queries by coordinate ascent on mean NDCG@10, from `start` (keyword alone). */
export const fitRanker = (
  queries: readonly LtrQuery[],
  start: RankerWeights = KEYWORD_ONLY,
  onRound?: (round: number, best: number) => void,
): RankerWeights => learnWeights(start, RANKER_FEATURES, ndcgScorer(queries).mean, onRound);

/** The candidates' ids best first under `w` (score, then id: the server's order). */
export const rankIds = (q: LtrQuery, w: RankerWeights): string[] => {
  const s = scoresOf(q, vectorOf(w), new Float64Array(q.ids.length));
  return [...q.ids.keys()].sort((a, b) => s[b] - s[a] || (q.ids[a] < q.ids[b] ? -1 : 1)).map((r) => q.ids[r]);
};

/** FNV-1a of a string: a query's stable place in the split. */
const hashOf = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};

/** The queries in a stable order of their text's hash: the same on every run over the same data. */
const stableOrder = <Q extends { query: string }>(queries: readonly Q[]): Q[] =>
  [...queries].sort((a, b) => hashOf(a.query) - hashOf(b.query) || (a.query < b.query ? -1 : 1));

/**
 * Queries split by a stable hash of their text: the last `holdout` share (at least one when there are two or
 * more) is the test part, the same queries on every run over the same data.
 */
export const splitQueries = <Q extends { query: string }>(
  queries: readonly Q[],
  holdout: number,
): { train: Q[]; test: Q[] } => {
  const sorted = stableOrder(queries);
  const n = sorted.length < 2 ? 0 : Math.max(1, Math.round(holdout * sorted.length));
  return { train: sorted.slice(0, sorted.length - n), test: sorted.slice(sorted.length - n) };
};

/**
 * The queries in `k` folds by the same stable order as `splitQueries` (fold = place mod k): each fold's test
 * queries and the rest. Folds with an empty side are left out (fewer than two queries: none).
 */
export const foldQueries = <Q extends { query: string }>(
  queries: readonly Q[],
  k: number,
): Array<{ train: Q[]; test: Q[] }> => {
  const sorted = stableOrder(queries);
  return Array.from({ length: k }, (_, f) => ({
    train: sorted.filter((_, i) => i % k !== f),
    test: sorted.filter((_, i) => i % k === f),
  })).filter((f) => f.train.length > 0 && f.test.length > 0);
};

export interface RankerMetrics {
  'ndcg@10': number;
  queries: number;
}

/** The ranker serving now, as the offline run can score it: linear weights, trees, or neither (null). */
export type CurrentRanker = { weights: RankerWeights } | { trees: TreeEnsemble } | null;

export interface RankerRun {
  /** Fitted on every query: what is published (a linear run). */
  weights?: RankerWeights;
  /** Fitted on every query with the parameters chosen on the inner folds (a trees run). */
  trees?: TreeEnsemble;
  params?: LambdaMartParams & { validNdcg: number; linear?: string };
  /** Fitted on the train queries and measured on the test queries; null without test queries. */
  metrics: RankerMetrics | null;
  /** The current ranker on the same test queries; null without them or when Quiver cannot score it. */
  baseline: RankerMetrics | null;
  timings: { evaluateMs: number; trainMs: number };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The trees' score of row `row` of a query (its wide rows); the trees must read the wide columns. */
export const treeScorer = (e: TreeEnsemble) => (q: LtrQuery, row: number) => {
  if (!q.wide) throw new Error('the query has no wide feature rows');
  return scoreTrees(e, q.wide, row);
};

/** Mean NDCG@10 of the current ranker on `test` (null without test queries or a ranker it can score). */
export const measureCurrent = (test: readonly LtrQuery[], current: CurrentRanker): RankerMetrics | null => {
  if (!current || test.length === 0) return null;
  if ('weights' in current)
    return { 'ndcg@10': ndcgScorer(test).mean(current.weights), queries: test.length };
  // A trees version reads the wide columns its metadata names (those of the day it was fitted).
  let at: Int32Array;
  try {
    at = wideIndexes(current.trees.features);
  } catch {
    return null;
  }
  const e = current.trees;
  const score = (q: LtrQuery, r: number) => {
    if (!q.wide) throw new Error('the query has no wide feature rows');
    const row = Float32Array.from(at, (c) => q.wide![r * WIDE_WIDTH + c]);
    return scoreTrees(e, row, 0);
  };
  return { 'ndcg@10': mean(scoredNdcg(test, score)), queries: test.length };
};

/**
 * The search-ranker trainer's offline run: fit on the train queries, measure it and the current ranker on
 * the test queries, then fit on every query (the published version learns from all; its metrics say how the
 * same recipe did on queries it had not seen).
 */
export const rankerOfflineRun = (
  train: readonly LtrQuery[],
  test: readonly LtrQuery[],
  current: CurrentRanker,
  progress: (phase: string, fraction: number) => void = () => {},
): RankerRun => {
  let started = performance.now();
  const rounds = (phase: string) => (round: number) => progress(phase, Math.min(1, (round + 1) / 25));
  progress('evaluating', 0);
  const held = fitRanker(train, KEYWORD_ONLY, rounds('evaluating'));
  const metrics = test.length > 0 ? { 'ndcg@10': ndcgScorer(test).mean(held), queries: test.length } : null;
  const baseline = measureCurrent(test, current);
  const evaluateMs = performance.now() - started;
  started = performance.now();
  progress('training', 0);
  const weights = test.length > 0 ? fitRanker([...train, ...test], KEYWORD_ONLY, rounds('training')) : held;
  progress('training', 1);
  return { weights, metrics, baseline, timings: { evaluateMs, trainMs: performance.now() - started } };
};

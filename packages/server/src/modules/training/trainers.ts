// The trainer kinds as one table: default parameters and how each fits a TrainedModel; and one offline run
// (fit on the train side of a split, evaluate next to popularity, refit on everything for publishing).
import type { RecommenderKind, TrainerKind } from '@quiver/contracts';
import { type AlsParams, DEFAULT_ALS, trainAls } from './als.ts';
import { contentModel, type ItemVectors } from './content.ts';
import { projectedContent } from './content-projected.ts';
import { type CooccurrenceParams, DEFAULT_COOCCURRENCE, trainCooccurrence } from './cooccurrence.ts';
import { type EvaluateOptions, evaluate, type OfflineMetrics } from './evaluate.ts';
import { type Interactions, splitAt } from './interactions.ts';
import { DEFAULT_SEARCH_RANKER, type SearchRankerParams } from './ltr.ts';
import type { Fitted, TrainedModel } from './model.ts';
import { DEFAULT_POPULARITY, type PopularityParams, trainPopularity } from './popularity.ts';
import { DEFAULT_USER_KNN, trainUserKnn, type UserKnnParams } from './userknn.ts';

export interface ContentParams {
  /** At most this many items (the catalog's first, in id order) are embedded. */
  maxItems: number;
  /**
   * `projected` (with events): items with events keep their ALS factors, items without get their content
   * projected onto them (content-projected.ts); `text`: the content vectors alone (also without events).
   */
  method: 'projected' | 'text';
  /** λ of the projection's ridge regression. */
  ridge: number;
  /**
   * `projected`: the factors of an item without events are scaled by this (1: projected content competes with
   * sold items at full weight; toward 0 it only breaks their ties).
   */
  coldWeight: number;
}
export const DEFAULT_CONTENT: ContentParams = {
  maxItems: 100_000,
  method: 'projected',
  ridge: 1,
  coldWeight: 1,
};

export interface ParamsOf {
  cooccurrence: CooccurrenceParams;
  als: AlsParams;
  popularity: PopularityParams;
  content: ContentParams;
  userknn: UserKnnParams;
  'search-ranker': SearchRankerParams;
}

export const DEFAULT_PARAMS: { [K in TrainerKind]: ParamsOf[K] } = {
  cooccurrence: DEFAULT_COOCCURRENCE,
  als: DEFAULT_ALS,
  popularity: DEFAULT_POPULARITY,
  content: DEFAULT_CONTENT,
  userknn: DEFAULT_USER_KNN,
  'search-ranker': DEFAULT_SEARCH_RANKER,
};

/**
 * How the evaluation weighs a user's history as context (a history item counts 2^(−age / 30 days)): what
 * serving does with the recent-items view, chosen on the validation split (README).
 */
export const EVALUATION: EvaluateOptions = { recencyHalfLifeDays: 30 };

export type Progress = (phase: string, fraction: number) => void;

export const fit = (
  kind: RecommenderKind,
  x: Interactions,
  params: Record<string, unknown>,
  vectors: ItemVectors | undefined,
  progress: (fraction: number) => void = () => {},
): Fitted => {
  switch (kind) {
    case 'cooccurrence': {
      const p = { ...DEFAULT_COOCCURRENCE, ...params } as CooccurrenceParams;
      return { model: { graph: 'neighbours', table: trainCooccurrence(x, p, progress) }, ids: x.items };
    }
    case 'als': {
      const p = { ...DEFAULT_ALS, ...params } as AlsParams;
      const f = trainAls(x, p, progress);
      return { model: { graph: 'factors', f: f.f, items: f.items, projection: f.projection }, ids: x.items };
    }
    case 'popularity': {
      const p = { ...DEFAULT_POPULARITY, ...params } as PopularityParams;
      return { model: { graph: 'scores', scores: trainPopularity(x, p) }, ids: x.items };
    }
    case 'userknn': {
      const p = { ...DEFAULT_USER_KNN, ...params } as UserKnnParams;
      return { model: { graph: 'userknn', tables: trainUserKnn(x, p) }, ids: x.items };
    }
    case 'content': {
      const p = { ...DEFAULT_CONTENT, ...params } as ContentParams;
      const v = vectors ?? { ids: [], dim: 0, vectors: new Float32Array(0) };
      if (p.method === 'text' || x.length === 0 || v.dim === 0) return contentModel(v);
      return projectedContent(x, v, { ridge: p.ridge, coldWeight: p.coldWeight }, progress);
    }
  }
};

/** A content model re-indexed onto the interactions' items, for evaluation (items without a vector: zeros). */
export const onItems = (fitted: Fitted, x: Interactions): TrainedModel => {
  if (fitted.ids === x.items || fitted.model.graph !== 'factors') return fitted.model;
  const { f, items, projection } = fitted.model;
  const row = new Map(fitted.ids.map((id, i) => [id, i]));
  const out = new Float32Array(x.items.length * f);
  x.items.forEach((id, i) => {
    const r = row.get(id);
    if (r !== undefined) out.set(items.subarray(r * f, (r + 1) * f), i * f);
  });
  return { graph: 'factors', f, items: out, projection };
};

export interface OfflineRun {
  fitted: Fitted;
  metrics: OfflineMetrics;
  baseline: OfflineMetrics;
  timings: { evaluateMs: number; trainMs: number };
}

/**
 * Fits on the events before `splitTime`, measures it and decayed popularity on the events after, then fits on
 * all events: the published model learns from everything, its metrics say how the same recipe did on
 * unseen time.
 */
export const offlineRun = (
  kind: RecommenderKind,
  x: Interactions,
  params: Record<string, unknown>,
  splitTime: number,
  vectors: ItemVectors | undefined,
  progress: Progress = () => {},
): OfflineRun => {
  let started = performance.now();
  const { train, test } = splitAt(x, splitTime);
  progress('evaluating', 0);
  const held = fit(kind, train, params, vectors, (f) => progress('evaluating', f * 0.8));
  const metrics = evaluate(train, test, onItems(held, train), EVALUATION);
  const baseline = evaluate(
    train,
    test,
    { graph: 'scores', scores: trainPopularity(train, DEFAULT_POPULARITY) },
    EVALUATION,
  );
  const evaluateMs = performance.now() - started;
  started = performance.now();
  progress('training', 0);
  const textOnly = kind === 'content' && (params.method === 'text' || x.length === 0);
  const fitted = textOnly ? held : fit(kind, x, params, vectors, (f) => progress('training', f));
  progress('training', 1);
  return { fitted, metrics, baseline, timings: { evaluateMs, trainMs: performance.now() - started } };
};

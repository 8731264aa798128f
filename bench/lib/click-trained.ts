// The relevance benchmark's click-trained ranker: for each cross-validation fold, simulated shoppers
// (test/support/click-simulator.ts) search the other folds' queries, see the shipped ranker's first page and
// click and buy by the judged grades; the search-ranker trainer's code (click judgments with inverse
// propensity, coordinate ascent on NDCG@10: training/click-judgments.ts and training/ltr.ts) fits weights on
// those clicks alone, and they rank the held-out fold. The judged grades of a fold's queries are never read
// to rank that fold, and its clicks never exist.
import type { RerankCandidate, RerankConfig } from '../../packages/server/src/modules/search/rerank.ts';
import {
  clickQuery,
  createClickJudgmentsBuilder,
} from '../../packages/server/src/modules/training/click-judgments.ts';
import { fitRanker, type LtrQuery } from '../../packages/server/src/modules/training/ltr.ts';
import { type ClickModel, createClickSimulator } from '../../packages/server/test/support/click-simulator.ts';
import { crossValidate, type JudgedQuery } from './relevance-data.ts';

type Weights = RerankConfig['weights'];
export interface Candidates {
  candidates: RerankCandidate[];
  rest: string[];
}

export interface ClickTraining {
  /** Simulated searches per training query (each one shopper). */
  sessions: number;
  model: ClickModel;
  /** The ranker that serves the simulated shoppers (the shipped one). */
  serving: Weights;
  seed: number;
}

const ltrQuery = (query: string, c: Candidates, gains: ReadonlyMap<string, number>): LtrQuery => {
  const features = new Float32Array(c.candidates.length * 3);
  c.candidates.forEach((x, r) => {
    features.set(x.features, r * 3);
  });
  return { query, ids: c.candidates.map((x) => x.id), features, gains };
};

/** Each query's ranking by the weights fitted on the other folds' simulated clicks; the weights per fold. */
export const clickTrainedFolds = (
  queries: readonly JudgedQuery[],
  candidatesOf: ReadonlyMap<string, Candidates>,
  rankWith: (c: Candidates, w: Weights) => string[],
  o: ClickTraining,
) => {
  const held = new Map<string, string[]>();
  const clicks: number[] = [];
  let fold = 0;
  const weights = crossValidate(
    queries,
    (train) => {
      const simulate = createClickSimulator(o.seed + fold++, o.model);
      const builder = createClickJudgmentsBuilder();
      const byText = new Map(train.map((q) => [clickQuery(q.query), q]));
      let n = 0;
      let clicked = 0;
      for (let s = 0; s < o.sessions; s++)
        for (const q of train) {
          const shown = rankWith(candidatesOf.get(q.query)!, o.serving).slice(0, o.model.depth);
          const id = `s${++n}`;
          const session = simulate({ query: q.query, searchId: id, shown, userId: id, at: '' }, q.judged);
          clicked += session.clicks;
          for (const e of session.events) builder.add(e);
        }
      clicks.push(clicked);
      const judged = builder.build().queries.map((j) => {
        const q = byText.get(j.query)!;
        return ltrQuery(q.query, candidatesOf.get(q.query)!, j.gains);
      });
      return fitRanker(judged);
    },
    (q, w) => held.set(q.query, rankWith(candidatesOf.get(q.query)!, w)),
  );
  return { rank: (q: string) => held.get(q)!, weights, clicks };
};

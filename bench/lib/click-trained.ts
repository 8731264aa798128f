// The relevance benchmark's click-trained rankers: for each cross-validation fold, simulated shoppers
// (test/support/click-simulator.ts) search the other folds' queries, see the shipped ranker's first page
// (with exploration: for a share ε of the searches, ranks 3–20 shuffled before the page is cut, so items the
// shipped ranker keeps off the page can be clicked; the search event names what was shown, so the
// propensities stay known) and click and buy by the judged grades. The search-ranker trainer's code fits on
// those clicks alone (click judgments with inverse propensity: training/click-judgments.ts): the linear
// weights (coordinate ascent, training/ltr.ts) and the LambdaMART trees (training/lambdamart.ts, their
// hyper-parameters chosen on a validation split of the training queries' clicks), and each ranks the
// held-out fold. The judged grades of a fold's queries are never read to rank that fold.
import { prng } from '../../packages/server/src/kernel/random.ts';
import { scoreTrees, type TreeEnsemble } from '../../packages/server/src/modules/search/index.ts';
import {
  WIDE_RANKER_FEATURES,
  WIDE_WIDTH,
} from '../../packages/server/src/modules/search/ranker-features.ts';
import type { RerankCandidate, RerankConfig } from '../../packages/server/src/modules/search/rerank.ts';
import {
  clickQuery,
  createClickJudgmentsBuilder,
} from '../../packages/server/src/modules/training/click-judgments.ts';
import type { LambdaMartParams } from '../../packages/server/src/modules/training/lambdamart.ts';
import { fitRanker, type LtrQuery } from '../../packages/server/src/modules/training/ltr.ts';
import { treeRankerOfflineRun } from '../../packages/server/src/modules/training/ltr-trees.ts';
import {
  type ClickModel,
  createClickSimulator,
  explore,
} from '../../packages/server/test/support/click-simulator.ts';
import { crossValidate, type JudgedQuery } from './relevance-data.ts';

type Weights = RerankConfig['weights'];
export interface Candidates {
  candidates: RerankCandidate[];
  /** The candidates' wide rows (WIDE_RANKER_FEATURES), row-major. */
  wide: Float32Array;
  rest: string[];
}

export interface ClickTraining {
  /** Simulated searches per training query (each one shopper). */
  sessions: number;
  model: ClickModel;
  /** The ranker that serves the simulated shoppers (the shipped one). */
  serving: Weights;
  /** The share of searches whose ranks 3–20 are shuffled (0: none). */
  epsilon: number;
  seed: number;
}

const ltrQuery = (query: string, c: Candidates, gains: ReadonlyMap<string, number>): LtrQuery => {
  const features = new Float32Array(c.candidates.length * 3);
  c.candidates.forEach((x, r) => {
    features.set(x.features, r * 3);
  });
  return { query, ids: c.candidates.map((x) => x.id), features, wide: c.wide, gains };
};

/** The candidates' ids by the trees' scores (score, then id), then the rest. */
export const rankWithTrees = (c: Candidates, e: TreeEnsemble): string[] =>
  c.candidates
    .map((x, r) => [x.id, scoreTrees(e, c.wide, r)] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([id]) => id)
    .concat(c.rest);

export interface FoldModels {
  weights: Weights;
  trees: TreeEnsemble;
  params: LambdaMartParams;
  validNdcg: number;
}

/**
 * Each query's ranking by the linear weights and by the trees fitted on the other folds' simulated clicks;
 * the models per fold and the clicks each fold's simulation made.
 */
export const clickTrainedFolds = (
  queries: readonly JudgedQuery[],
  candidatesOf: ReadonlyMap<string, Candidates>,
  rankWith: (c: Candidates, w: Weights) => string[],
  o: ClickTraining,
  log: (line: string) => void = () => {},
) => {
  const linear = new Map<string, string[]>();
  const trees = new Map<string, string[]>();
  const clicks: number[] = [];
  let fold = 0;
  const models = crossValidate(
    queries,
    (train): FoldModels => {
      const simulate = createClickSimulator(o.seed + fold, o.model);
      const shuffle = explore(prng(o.seed * 1000 + fold), o.epsilon);
      fold++;
      const builder = createClickJudgmentsBuilder();
      const byText = new Map(train.map((q) => [clickQuery(q.query), q]));
      let n = 0;
      let clicked = 0;
      for (let s = 0; s < o.sessions; s++)
        for (const q of train) {
          const shown = shuffle(rankWith(candidatesOf.get(q.query)!, o.serving)).slice(0, o.model.depth);
          const id = `s${++n}`;
          const session = simulate({ query: q.query, searchId: id, shown, userId: id, at: '' }, q.judged);
          clicked += session.clicks;
          for (const e of session.events) builder.add(e);
        }
      clicks.push(clicked);
      const judged = builder
        .build()
        .queries.map((j) => ltrQuery(j.query, candidatesOf.get(byText.get(j.query)!.query)!, j.gains));
      const weights = fitRanker(judged);
      // The trainer's trees run with no test queries: parameters chosen on a validation split of these
      // (training) queries' clicks, then fitted on all of them, boosting from the linear ranker.
      const started = performance.now();
      const run = treeRankerOfflineRun(judged, [], null);
      const e = run.trees!;
      const tuned = { params: run.params!, validNdcg: run.params!.validNdcg };
      log(
        `fold ${fold}: ${judged.length} click-judged queries, trees ${JSON.stringify(tuned.params)} (validation NDCG@10 on clicks), ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      return { weights, trees: e, params: tuned.params, validNdcg: tuned.validNdcg };
    },
    (q, m) => {
      const c = candidatesOf.get(q.query)!;
      linear.set(q.query, rankWith(c, m.weights));
      trees.set(q.query, rankWithTrees(c, m.trees));
    },
  );
  return {
    rank: (q: string) => linear.get(q)!,
    rankTrees: (q: string) => trees.get(q)!,
    models,
    weights: models.map((m) => m.weights),
    clicks,
  };
};

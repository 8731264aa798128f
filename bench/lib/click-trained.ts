// The relevance benchmark's click-trained rankers: for each cross-validation fold, simulated shoppers
// (test/support/click-simulator.ts) search the other folds' queries, see the shipped ranker's first page
// (with exploration: for a share ε of the searches, ranks 3–20 shuffled before the page is cut, so items the
// shipped ranker keeps off the page can be clicked; the search event names what was shown, so the
// propensities stay known) and click and buy by the judged grades. The search-ranker trainer's code fits on
// those clicks alone (click judgments with inverse propensity: training/click-judgments.ts): the linear
// weights (coordinate ascent, training/ltr.ts) and the LambdaMART trees (training/lambdamart.ts, their
// hyper-parameters chosen by 5-fold cross-validation inside the training queries' clicks), and each ranks the
// held-out fold. The judged grades of a fold's queries are never read to rank that fold.
// The shoppers see the product's exploration (search/explore.ts `exploreRanking`, searchIds marked explored
// by `newSearchId`), so the judgments measure η on the explored searches as the trainer does. A third model,
// trees over the wide rows plus the items' popularity and conversion (training/item-stats.ts, counted from
// the fold's simulated events only), is fitted the same way; per fold, the trees with or without those two
// columns are chosen by their NDCG@10 over those inner folds. The trees' linear part is chosen there too
// (the serving weights as they are, or fitted from them: training/ltr-wide.ts).

import { prng } from '../../packages/server/src/kernel/random.ts';
import {
  exploreRanking,
  newSearchId,
  scoreTrees,
  type TreeEnsemble,
} from '../../packages/server/src/modules/search/index.ts';
import {
  WIDE_RANKER_FEATURES,
  WIDE_WIDTH,
} from '../../packages/server/src/modules/search/ranker-features.ts';
import type { RerankCandidate, RerankConfig } from '../../packages/server/src/modules/search/rerank.ts';
import {
  clickQuery,
  createClickJudgmentsBuilder,
  DEFAULT_CLICK_JUDGMENTS,
} from '../../packages/server/src/modules/training/click-judgments.ts';
import {
  createItemStatsBuilder,
  ITEM_STAT_FEATURES,
  type ItemStats,
  withItemStats,
} from '../../packages/server/src/modules/training/item-stats.ts';
import {
  LAMBDAMART_GRID,
  type LambdaMartParams,
} from '../../packages/server/src/modules/training/lambdamart.ts';
import { fitRanker, type LtrQuery } from '../../packages/server/src/modules/training/ltr.ts';
import { treeRankerOfflineRun } from '../../packages/server/src/modules/training/ltr-trees.ts';
import { type ClickModel, createClickSimulator } from '../../packages/server/test/support/click-simulator.ts';
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
  /** The click judgments' gains: inverse propensity or the position-based click model by EM. */
  labels: 'ips' | 'pbm';
  seed: number;
}

const ltrQuery = (query: string, c: Candidates, gains: ReadonlyMap<string, number>): LtrQuery => {
  const features = new Float32Array(c.candidates.length * 3);
  c.candidates.forEach((x, r) => {
    features.set(x.features, r * 3);
  });
  return { query, ids: c.candidates.map((x) => x.id), features, wide: c.wide, gains };
};

/** The wide rows with the items' popularity and conversion appended. */
const WITH_ITEM_STATS = [...WIDE_RANKER_FEATURES, ...ITEM_STAT_FEATURES];
/** `query`'s own clicks are left out of the counts (leave-query-out: no target leakage). */
const withStats = (c: Candidates, stats: ItemStats, query: string): Candidates => ({
  ...c,
  wide: withItemStats(
    c.wide,
    c.candidates.map((x) => x.id),
    WIDE_WIDTH,
    stats,
    query,
  ),
});

/** The candidates' ids by the trees' scores (score, then id), then the rest. */
export const rankWithTrees = (c: Candidates, e: TreeEnsemble): string[] =>
  c.candidates
    .map((x, r) => [x.id, scoreTrees(e, c.wide, r)] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([id]) => id)
    .concat(c.rest);

export interface FoldModels {
  weights: Weights;
  /** At least one tree: with `params.trees` 0 (validation chose the base alone) a single tree of zeros. */
  trees: TreeEnsemble;
  params: LambdaMartParams;
  validNdcg: number;
  /** The trees with the item columns, their validation NDCG@10, and the fold's item stats. */
  itemTrees: TreeEnsemble;
  itemParams: LambdaMartParams;
  itemValidNdcg: number;
  stats: ItemStats;
  /** η the fold's judgments used (measured on its explored searches?). */
  eta: { value: number; measured: boolean };
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
  const itemTrees = new Map<string, string[]>();
  const chosen = new Map<string, string[]>();
  const clicks: number[] = [];
  let fold = 0;
  const models = crossValidate(
    queries,
    (train): FoldModels => {
      const simulate = createClickSimulator(o.seed + fold, o.model);
      const shuffle = exploreRanking(prng(o.seed * 1000 + fold), o.epsilon);
      fold++;
      const builder = createClickJudgmentsBuilder({
        ...DEFAULT_CLICK_JUDGMENTS,
        estimateEta: true,
        labels: o.labels,
      });
      const items = createItemStatsBuilder();
      const byText = new Map(train.map((q) => [clickQuery(q.query), q]));
      let n = 0;
      let clicked = 0;
      const served = new Map(train.map((q) => [q.query, rankWith(candidatesOf.get(q.query)!, o.serving)]));
      for (let s = 0; s < o.sessions; s++)
        for (const q of train) {
          const { ids, explored } = shuffle(served.get(q.query)!);
          const shown = ids.slice(0, o.model.depth);
          const id = newSearchId(shown.length, undefined, explored);
          const session = simulate(
            { query: q.query, searchId: id, shown, userId: `u${++n}`, at: '' },
            q.judged,
          );
          clicked += session.clicks;
          for (const e of session.events) {
            builder.add(e);
            items.add(e, q.query);
          }
        }
      clicks.push(clicked);
      const built = builder.build();
      const stats = items.build();
      const judged = built.queries.map((j) =>
        ltrQuery(j.query, candidatesOf.get(byText.get(j.query)!.query)!, j.gains),
      );
      const weights = fitRanker(judged);
      // The trainer's trees run with no test queries: parameters chosen by inner cross-validation on these
      // (training) queries' clicks, then fitted on all of them, boosting from the linear ranker.
      const started = performance.now();
      const run = treeRankerOfflineRun(judged, [], { weights: o.serving });
      const e = run.trees!;
      const tuned = { params: run.params!, validNdcg: run.params!.validNdcg };
      const judgedWithStats = built.queries.map((j) =>
        ltrQuery(
          j.query,
          withStats(candidatesOf.get(byText.get(j.query)!.query)!, stats, byText.get(j.query)!.query),
          j.gains,
        ),
      );
      const itemRun = treeRankerOfflineRun(
        judgedWithStats,
        [],
        { weights: o.serving },
        undefined,
        LAMBDAMART_GRID,
        WITH_ITEM_STATS,
      );
      log(
        `fold ${fold}: ${judged.length} click-judged queries, ${built.counts.explored} of ${built.counts.searches} searches explored, η ${built.eta.value.toFixed(3)} (${built.eta.measured ? 'measured' : 'given'})${built.examination ? `, PBM examination ${built.examination.map((t) => t.toFixed(3)).join(' ')}` : ''}, ${stats.items} items with clicks; trees ${JSON.stringify(tuned.params)} (linear part '${run.params?.linear}'); with item stats ${JSON.stringify(itemRun.params)} (validation NDCG@10 on clicks), ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      return {
        weights,
        trees: e,
        params: tuned.params,
        validNdcg: tuned.validNdcg,
        itemTrees: itemRun.trees!,
        itemParams: itemRun.params!,
        itemValidNdcg: itemRun.params!.validNdcg,
        stats,
        eta: built.eta,
      };
    },
    (q, m) => {
      const c = candidatesOf.get(q.query)!;
      linear.set(q.query, rankWith(c, m.weights));
      trees.set(q.query, rankWithTrees(c, m.trees));
      itemTrees.set(q.query, rankWithTrees(withStats(c, m.stats, q.query), m.itemTrees));
      chosen.set(q.query, (m.itemValidNdcg > m.validNdcg ? itemTrees : trees).get(q.query)!);
    },
  );
  return {
    rank: (q: string) => linear.get(q)!,
    rankTrees: (q: string) => trees.get(q)!,
    rankItemTrees: (q: string) => itemTrees.get(q)!,
    /** Per fold, the trees with or without the item columns, whichever validated better. */
    rankChosen: (q: string) => chosen.get(q)!,
    models,
    weights: models.map((m) => m.weights),
    clicks,
  };
};

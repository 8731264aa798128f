// The search-ranker trainer's trees run: LambdaMART (lambdamart.ts) over the wide feature rows of the judged
// queries, boosting from the linear ranker fitted on the same queries (the trees correct it; with no tree
// that helps on validation, the published ranker is that linear one). Its hyper-parameters are chosen on a validation split of the train queries only (the grid, and the
// tree count read off the validation curve); fitted on the train queries with them and measured on the test
// queries next to the current ranker; then refitted on every query with the same parameters (what is
// published; the metrics say how the recipe did on queries it had not seen).
import { linearPart, type TreeEnsemble, WIDE_RANKER_FEATURES } from '../search/index.ts';
import {
  fitLambdaMart,
  LAMBDAMART_GRID,
  type LambdaMartParams,
  type TreeQuery,
  treeQuery,
  tuneLambdaMart,
} from './lambdamart.ts';
import {
  type CurrentRanker,
  fitRanker,
  type LtrQuery,
  measureCurrent,
  type RankerRun,
  type RankerWeights,
  scoredNdcg,
  splitQueries,
  treeScorer,
} from './ltr.ts';

/** The share of the train queries the parameters are chosen on. */
export const VALIDATION_SHARE = 0.2;

/** The wide rows' column names (the queries' `wide` rows are this wide). */
export type Columns = readonly string[];

/** The linear part's weights per wide column: the narrow three, then zeros. */
const linearColumns = (w: RankerWeights, columns: Columns): number[] =>
  columns.map((f) => (f in w ? w[f as keyof RankerWeights] : 0));

/** The queries as tree rows, each row's base the linear part's score (`w` over the wide columns). */
const asTrees = (queries: readonly LtrQuery[], w: number[], columns: Columns): TreeQuery[] =>
  queries.map((q) => {
    const wide = q.wide;
    if (!wide) throw new Error(`query '${q.query}' has no wide feature rows`);
    const t = treeQuery(q.ids, wide, q.gains);
    t.base = Float64Array.from(q.ids, (_, r) =>
      linearPart({ features: [...columns], trees: [], linear: w }, wide, r),
    );
    return t;
  });

/** The linear ranker fitted on `queries` (coordinate ascent), then trees boosting from it with `p`. */
const boostedFit = (queries: readonly LtrQuery[], p: LambdaMartParams, columns: Columns): TreeEnsemble => {
  const linear = linearColumns(fitRanker(queries), columns);
  const e = fitLambdaMart(asTrees(queries, linear, columns), columns.length, columns, p);
  return { ...e, linear };
};

export const treeRankerOfflineRun = (
  train: readonly LtrQuery[],
  test: readonly LtrQuery[],
  current: CurrentRanker,
  progress: (phase: string, fraction: number) => void = () => {},
  grid: readonly LambdaMartParams[] = LAMBDAMART_GRID,
  /** The wide rows' columns (search's WIDE_RANKER_FEATURES unless the rows carry more). */
  columns: Columns = WIDE_RANKER_FEATURES,
): RankerRun => {
  let started = performance.now();
  progress('evaluating', 0);
  const split = splitQueries(train, VALIDATION_SHARE);
  // Too few queries to hold some out: the first grid entry, as it is.
  let tuned = { params: grid[0], validNdcg: Number.NaN };
  if (split.train.length > 0 && split.test.length > 0) {
    const linear = linearColumns(fitRanker(split.train), columns);
    tuned = tuneLambdaMart(
      asTrees(split.train, linear, columns),
      asTrees(split.test, linear, columns),
      columns.length,
      grid,
    );
  }
  progress('evaluating', 0.5);
  const held = boostedFit(train, tuned.params, columns);
  const perQuery = scoredNdcg(test, treeScorer(held));
  const metrics =
    test.length > 0
      ? { 'ndcg@10': perQuery.reduce((a, b) => a + b, 0) / test.length, queries: test.length }
      : null;
  const baseline = measureCurrent(test, current);
  const evaluateMs = performance.now() - started;
  started = performance.now();
  progress('training', 0);
  const trees = test.length > 0 ? boostedFit([...train, ...test], tuned.params, columns) : held;
  progress('training', 1);
  return {
    trees,
    params: { ...tuned.params, validNdcg: tuned.validNdcg },
    metrics,
    baseline,
    timings: { evaluateMs, trainMs: performance.now() - started },
  };
};

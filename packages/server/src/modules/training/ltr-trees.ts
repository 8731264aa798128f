// The search-ranker trainer's trees run: LambdaMART (lambdamart.ts) over the wide feature rows of the judged
// queries, boosting from a linear part fitted on the same queries (the trees correct it; with no tree that
// helps on validation, the published ranker is that linear one). The linear part's columns (ltr-wide.ts: the
// narrow three, or them plus a group of wide columns) and the trees' hyper-parameters are chosen on a
// validation split of the train queries only (the set by its validation NDCG@10, then the grid, and the
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
  type LtrQuery,
  measureCurrent,
  type RankerRun,
  scoredNdcg,
  splitQueries,
  treeScorer,
} from './ltr.ts';
import { fitWideLinear, LINEAR_COLUMN_SETS } from './ltr-wide.ts';

/** The share of the train queries the parameters are chosen on. */
export const VALIDATION_SHARE = 0.2;

/** The wide rows' column names (the queries' `wide` rows are this wide). */
export type Columns = readonly string[];

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

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

/** A linear part's weights per column, from the queries it is fitted on. */
type LinearFit = (queries: readonly LtrQuery[]) => number[];

/**
 * The linear parts validation chooses from: the current ranker's weights as they are (when it is linear),
 * and each column set fitted from them (else from keyword alone).
 */
const linearFits = (current: CurrentRanker, columns: Columns): Array<[string, LinearFit]> => {
  const start = current && 'weights' in current ? current.weights : undefined;
  const fits: Array<[string, LinearFit]> = start
    ? [['current', () => columns.map((c) => (c in start ? start[c as keyof typeof start] : 0))]]
    : [];
  for (const [name, set] of Object.entries(LINEAR_COLUMN_SETS))
    if (set.every((c) => columns.includes(c)))
      fits.push([name, (queries) => fitWideLinear(queries, columns, set, start)]);
  return fits;
};

/** The linear part fitted on `queries`, then trees boosting from it with `p`. */
const boostedFit = (
  queries: readonly LtrQuery[],
  p: LambdaMartParams,
  columns: Columns,
  fit: LinearFit,
): TreeEnsemble => {
  const linear = fit(queries);
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
  // Too few queries to hold some out: the first linear part and grid entry, as they are.
  let tuned = { params: grid[0], validNdcg: Number.NaN };
  const fits = linearFits(current, columns);
  let [linearSet, fit] = fits[0];
  if (split.train.length > 0 && split.test.length > 0) {
    let linear: number[] = [];
    let best = Number.NEGATIVE_INFINITY;
    for (const [name, f] of fits) {
      const w = f(split.train);
      const e = { features: [...columns], trees: [], linear: w };
      const v = mean(scoredNdcg(split.test, (q, r) => linearPart(e, q.wide!, r)));
      if (v > best + 1e-9) [best, linear, linearSet, fit] = [v, w, name, f];
    }
    tuned = tuneLambdaMart(
      asTrees(split.train, linear, columns),
      asTrees(split.test, linear, columns),
      columns.length,
      grid,
    );
  }
  progress('evaluating', 0.5);
  const held = boostedFit(train, tuned.params, columns, fit);
  const perQuery = scoredNdcg(test, treeScorer(held));
  const metrics =
    test.length > 0
      ? { 'ndcg@10': perQuery.reduce((a, b) => a + b, 0) / test.length, queries: test.length }
      : null;
  const baseline = measureCurrent(test, current);
  const evaluateMs = performance.now() - started;
  started = performance.now();
  progress('training', 0);
  const trees = test.length > 0 ? boostedFit([...train, ...test], tuned.params, columns, fit) : held;
  progress('training', 1);
  return {
    trees,
    params: { ...tuned.params, validNdcg: tuned.validNdcg, linear: linearSet },
    metrics,
    baseline,
    timings: { evaluateMs, trainMs: performance.now() - started },
  };
};

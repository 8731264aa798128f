// The search-ranker trainer's trees run: LambdaMART (lambdamart.ts) over the wide feature rows of the judged
// queries, boosting from a linear part fitted on the same queries (the trees correct it; with no tree that
// helps on validation, the published ranker is that linear one). The linear part's columns (ltr-wide.ts: the
// narrow three, or them plus a group of wide columns) and the trees' hyper-parameters are chosen on a
// cross-validation inside the train queries only (INNER_FOLDS folds: the set by its held-out NDCG@10, then
// the grid, and the tree count read off the folds' summed held-out curve); fitted on the train queries with them and measured on the test
// queries next to the current ranker; then refitted on every query with the same parameters (what is
// published; the metrics say how the recipe did on queries it had not seen).
import { linearPart, type TreeEnsemble, WIDE_RANKER_FEATURES } from '../search/index.ts';
import {
  fitLambdaMart,
  LAMBDAMART_GRID,
  type LambdaMartParams,
  type TreeQuery,
  treeQuery,
} from './lambdamart.ts';
import {
  type CurrentRanker,
  foldQueries,
  type LtrQuery,
  measureCurrent,
  type RankerRun,
  scoredNdcg,
  treeScorer,
} from './ltr.ts';
import { fitWideLinear, LINEAR_COLUMN_SETS } from './ltr-wide.ts';

/** The inner folds of the train queries the linear part and the trees' parameters are chosen on. */
export const INNER_FOLDS = 5;

/** The wide rows' column names (the queries' `wide` rows are this wide). */
export type Columns = readonly string[];

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

/** A linear part and the trees' parameters, chosen on the train queries alone. */
interface Chosen {
  linearSet: string;
  fit: LinearFit;
  params: LambdaMartParams;
  /** The choice's mean NDCG@10 over the inner folds' held-out queries (NaN: too few queries to fold). */
  validNdcg: number;
}

/**
 * Nested cross-validation inside the train queries: each linear part is fitted on all inner folds but one
 * and scored on that one, every train query scored once; the best mean wins (ties: the earlier, so the
 * current weights first). The trees boosting from it are grown per inner fold for every grid entry, their
 * held-out NDCG@10 read after each tree and summed over the folds, and the grid entry and tree count with
 * the best mean kept (0 trees, the linear part alone, when no count beats it).
 */
const chooseOnInnerFolds = (
  train: readonly LtrQuery[],
  fits: Array<[string, LinearFit]>,
  columns: Columns,
  grid: readonly LambdaMartParams[],
  innerFolds: number,
): Chosen => {
  const folds = foldQueries(train, innerFolds);
  const [firstSet, firstFit] = fits[0];
  if (folds.length < 2) return { linearSet: firstSet, fit: firstFit, params: grid[0], validNdcg: Number.NaN };
  const scored = train.length;
  let best = { name: firstSet, fit: firstFit, weights: [] as number[][], ndcg: Number.NEGATIVE_INFINITY };
  for (const [name, f] of fits) {
    const weights = folds.map((fold) => f(fold.train));
    let sum = 0;
    folds.forEach((fold, i) => {
      const e = { features: [...columns], trees: [], linear: weights[i] };
      for (const v of scoredNdcg(fold.test, (q, r) => linearPart(e, q.wide!, r))) sum += v;
    });
    if (sum / scored > best.ndcg + 1e-9) best = { name, fit: f, weights, ndcg: sum / scored };
  }
  let chosen: Chosen = {
    linearSet: best.name,
    fit: best.fit,
    params: { ...grid[0], trees: 0 },
    validNdcg: best.ndcg,
  };
  const asFolds = folds.map((fold, i) => ({
    fit: asTrees(fold.train, best.weights[i], columns),
    valid: asTrees(fold.test, best.weights[i], columns),
    share: fold.test.length / scored,
  }));
  for (const p of grid) {
    const curve = new Float64Array(p.trees + 1);
    for (const fold of asFolds)
      fitLambdaMart(fold.fit, columns.length, [], p, fold.valid, (trees, ndcg) => {
        curve[trees] += ndcg * fold.share;
      });
    for (let trees = 1; trees <= p.trees; trees++)
      if (curve[trees] > chosen.validNdcg + 1e-9)
        chosen = { ...chosen, params: { ...p, trees }, validNdcg: curve[trees] };
  }
  return chosen;
};

export const treeRankerOfflineRun = (
  train: readonly LtrQuery[],
  test: readonly LtrQuery[],
  current: CurrentRanker,
  progress: (phase: string, fraction: number) => void = () => {},
  grid: readonly LambdaMartParams[] = LAMBDAMART_GRID,
  /** The wide rows' columns (search's WIDE_RANKER_FEATURES unless the rows carry more). */
  columns: Columns = WIDE_RANKER_FEATURES,
  innerFolds: number = INNER_FOLDS,
): RankerRun => {
  let started = performance.now();
  progress('evaluating', 0);
  const chosen = chooseOnInnerFolds(train, linearFits(current, columns), columns, grid, innerFolds);
  const { fit, linearSet } = chosen;
  const tuned = { params: chosen.params, validNdcg: chosen.validNdcg };
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

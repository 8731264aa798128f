// The search-ranker trainer's linear part over the wide rows: the narrow three fitted first (ltr.ts, from the
// current ranker's weights when it is linear), then
// coordinate ascent on NDCG@10 over one of a few column sets. Which set is chosen by inner cross-validation of
// the train queries (ltr-trees.ts); the trees then boost from it.
import {
  fitRanker,
  KEYWORD_ONLY,
  type LtrQuery,
  learnWeights,
  meanNdcgOf,
  type RankerWeights,
} from './ltr.ts';

/** The column sets a linear part may read (each the narrow three plus a group), in order of preference on a tie. */
export const LINEAR_COLUMN_SETS: Readonly<Record<string, readonly string[]>> = {
  narrow: [],
  title: ['title_coverage', 'title_phrase', 'title_prefix', 'title_exact', 'title_bm25'],
  'model number': ['model_number', 'model_number_text'],
  'keyword rank': ['keyword_rank'],
  text: [
    'title_coverage',
    'title_phrase',
    'title_prefix',
    'title_exact',
    'title_bm25',
    'model_number',
    'model_number_text',
    'keyword_rank',
    'brand_match',
    'category_match',
    'title_length',
  ],
};

/**
 * Linear weights over `columns` (the wide rows' names) fitted on `queries`: the narrow three by
 * `fitRanker` from `start`, then every column of `set` (and the narrow three again) by coordinate ascent from 0; columns
 * outside the set (or absent from the rows) weigh 0.
 */
export const fitWideLinear = (
  queries: readonly LtrQuery[],
  columns: readonly string[],
  set: readonly string[],
  /** Where the narrow three start (the current ranker's weights, when it is linear). */
  start: RankerWeights = KEYWORD_ONLY,
): number[] => {
  const narrow = fitRanker(queries, start);
  const w: Record<string, number> = Object.fromEntries(columns.map((c) => [c, 0]));
  Object.assign(w, narrow);
  const names = ['keyword', 'vector', 'coverage', ...set].filter((c) => c in w);
  if (set.length === 0) return columns.map((c) => w[c]);
  const width = columns.length;
  const at = names.map((c) => columns.indexOf(c));
  const mean = meanNdcgOf(queries);
  const objective = (x: Record<string, number>) => {
    const v = names.map((c) => x[c]);
    return mean((q, out) => {
      const rows = q.wide;
      if (!rows) throw new Error(`query '${q.query}' has no wide feature rows`);
      for (let r = 0; r < q.ids.length; r++) {
        let s = 0;
        for (let k = 0; k < at.length; k++) s += v[k] * rows[r * width + at[k]];
        out[r] = s;
      }
    });
  };
  const fitted = learnWeights(w, names, objective);
  return columns.map((c) => fitted[c]);
};

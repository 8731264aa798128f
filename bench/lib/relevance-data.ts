// What the relevance benchmarks share: chorus-icecat imported into the app, each judged query's first-phase
// lists (keyword window, vector candidates) through the app's services, and the weight learning they use,
// coordinate ascent on mean NDCG@10 cross-validated by query folds (the queries in file order, fold = i mod 5).
import { join } from 'node:path';
import { type JudgedSet, readJudgedSet } from '../../packages/cli/src/eval/judgments.ts';
import type { Ranked } from '../../packages/server/src/modules/search/fusion.ts';
import { DEFAULT_RERANK } from '../../packages/server/src/modules/search/rerank.ts';
import { VECTOR_CANDIDATES } from '../../packages/server/src/modules/search/service.ts';
import { learnWeights } from '../../packages/server/src/modules/training/ltr.ts';
import { type BenchApp, startBenchApp } from './bench-app.ts';
import { ICECAT_DIR, icecatItem, readIcecatProducts } from './icecat.ts';

export const TENANT = 'bench';
export const FOLDS = 5;
/** The fitting the search-ranker trainer uses (training/ltr.ts), shared by the relevance benchmarks. */
export { learnWeights };

export type Lists = { keyword: Ranked[]; vector: Ranked[] };
export interface JudgedQuery {
  qid: string;
  query: string;
  judged: ReadonlyMap<string, number>;
}

export interface RelevanceData {
  set: JudgedSet;
  items: ReturnType<typeof icecatItem>[];
  bench: BenchApp;
  /** The queries with judgments, in file order (the folds' order). */
  judgedQueries: JudgedQuery[];
  /** Each judged query's first-phase lists, by query text. */
  lists: Map<string, Lists>;
}

/** Imports chorus-icecat into a bench app and reads each judged query's first-phase lists (close `bench.app`). */
export const loadRelevanceData = async (): Promise<RelevanceData> => {
  const set = readJudgedSet(join(ICECAT_DIR, 'queries.tsv'), join(ICECAT_DIR, 'qrels.tsv'));
  const items = readIcecatProducts().map(icecatItem);
  const bench = await startBenchApp();
  const { quiver } = bench;
  console.log(`importing ${items.length} products and building the vector index…`);
  await bench.importItems(items);
  await bench.vectorsOn();
  const judgedQueries = [...set.queries]
    .filter(([qid]) => set.judgments.get(qid)?.size)
    .map(([qid, query]) => ({ qid, query, judged: set.judgments.get(qid)! }));
  const lists = new Map<string, Lists>();
  for (const { query } of judgedQueries) {
    const page = await quiver.search.search(TENANT, {
      query,
      mode: 'keyword',
      limit: DEFAULT_RERANK.keywordWindow,
    });
    const keyword = page.hits.map((h) => ({ id: h.item.id, score: h.score }));
    lists.set(query, { keyword, vector: await quiver.vectors.query(TENANT, query, VECTOR_CANDIDATES) });
  }
  return { set, items, bench, judgedQueries, lists };
};

/** Each fold's queries ranked by weights learned on the other folds; the learned weights per fold. */
export const crossValidate = <Q, W>(
  queries: readonly Q[],
  learn: (train: Q[]) => W,
  rank: (q: Q, w: W) => void,
): W[] => {
  const weights: W[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const w = learn(queries.filter((_, i) => i % FOLDS !== fold));
    weights.push(w);
    for (const q of queries.filter((_, i) => i % FOLDS === fold)) rank(q, w);
  }
  return weights;
};

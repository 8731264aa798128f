// `npm run bench -- relevance`: search relevance on chorus-icecat in one run. A plain BM25 title+text
// baseline (in process), then through the app: keyword, vector, the first phase of hybrid alone (RRF), hybrid
// as shipped (rerank.ts; its weights were learned on these very queries, so that row is in-sample) and the
// honest figure, 5-fold cross-validation by query: the weights learned (coordinate ascent on NDCG@10) on four
// folds rank the fifth. Then the click-trained ranker (bench/lib/click-trained.ts): per fold, weights fitted
// only on simulated shoppers' clicks on the other folds' queries, ranking the held-out fold; its difference
// to shipped and to CV with a 95% paired-bootstrap interval over queries. NDCG@10 per query class for each.
// Set ICECAT_DIR to read the dataset elsewhere.

import { QUERY_CLASS_ORDER } from '../packages/cli/src/eval/classes.ts';
import { evaluate, type MeanMetrics, metricsByClass, scoreQuery } from '../packages/cli/src/eval/metrics.ts';
import { CoverageTerms } from '../packages/server/src/modules/search/coverage-terms.ts';
import { fuse } from '../packages/server/src/modules/search/fusion.ts';
import { KeywordIndex } from '../packages/server/src/modules/search/keyword-index.ts';
import { analyzeQuery } from '../packages/server/src/modules/search/query.ts';
import {
  DEFAULT_RERANK,
  type RerankConfig,
  rerankCandidates,
  rerankScore,
} from '../packages/server/src/modules/search/rerank.ts';
import { pairedBootstrap } from '../packages/server/src/modules/training/bootstrap.ts';
import { DEFAULT_CLICK_MODEL } from '../packages/server/test/support/click-simulator.ts';
import { type Candidates, clickTrainedFolds } from './lib/click-trained.ts';
import {
  crossValidate,
  FOLDS,
  type JudgedQuery,
  learnWeights,
  loadRelevanceData,
  TENANT,
} from './lib/relevance-data.ts';
import { fmt } from './lib/report.ts';

type Weights = RerankConfig['weights'];
/** Simulated searches per training query for the click-trained row (one shopper each, a page of 10). */
const CLICK_SESSIONS = 50;

/** The second phase's top ids for these weights (the rest, in fused order, after the candidates). */
const rankWith = (c: Candidates, w: Weights): string[] =>
  c.candidates
    .map((x) => [x.id, rerankScore(x, w)] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([id]) => id)
    .concat(c.rest);

/** Coordinate ascent on mean NDCG@10 from keyword alone; `frozen` weights stay at 0. */
const learn = (
  queries: Array<{ c: Candidates; judged: ReadonlyMap<string, number> }>,
  frozen: ReadonlyArray<keyof Weights> = [],
): Weights =>
  learnWeights(
    { keyword: 1, vector: 0, coverage: 0 },
    (['keyword', 'vector', 'coverage'] as const).filter((n) => !frozen.includes(n)),
    (w) => queries.reduce((s, q) => s + scoreQuery(rankWith(q.c, w), q.judged).ndcg, 0) / queries.length,
  );

export const main = async () => {
  const { set, items, bench, judgedQueries, lists } = await loadRelevanceData();
  const coverage = new CoverageTerms();
  for (const item of items) coverage.put(item.id, item);

  const plain = new KeywordIndex({ weights: { title: 1, description: 1, brand: 0 }, k1: 1.2, b: 0.75 });
  for (const i of items) plain.put(i.id, { title: i.title, description: i.description });

  const search = (query: string, mode: 'keyword' | 'hybrid', limit: number) =>
    bench.quiver.search.search(TENANT, { query, mode, limit });

  const candidatesOf = new Map<string, Candidates>();
  for (const [query, l] of lists) {
    const candidates = rerankCandidates(analyzeQuery(query), l, (terms) => coverage.scorer(terms));
    const seen = new Set(candidates.map((c) => c.id));
    const rest = fuse(l, { method: 'rrf', k: 60 })
      .map((f) => f.id)
      .filter((id) => !seen.has(id));
    candidatesOf.set(query, { candidates, rest });
  }

  // Cross-validation: folds by the queries' order in the file.
  const train = (q: JudgedQuery) => ({ c: candidatesOf.get(q.query)!, judged: q.judged });
  const crossValidated = (frozen: ReadonlyArray<keyof Weights>) => {
    const held = new Map<string, string[]>();
    const weights = crossValidate(
      judgedQueries,
      (qs) => learn(qs.map(train), frozen),
      (q, w) => held.set(q.query, rankWith(candidatesOf.get(q.query)!, w)),
    );
    return { rank: (q: string) => held.get(q)!, weights };
  };
  const cv = crossValidated([]);
  const cvNoVector = crossValidated(['vector']);
  const clickTrained = clickTrainedFolds(judgedQueries, candidatesOf, rankWith, {
    sessions: CLICK_SESSIONS,
    model: DEFAULT_CLICK_MODEL,
    serving: DEFAULT_RERANK.weights,
    seed: 20,
  });

  const rows: Array<[string, MeanMetrics & { perQuery: Parameters<typeof metricsByClass>[0] }]> = [
    [
      'plain BM25 title+text (k1 1.2, b 0.75; baseline)',
      await evaluate(set, (q) => plain.search(q, { prefix: false, typos: false }).map((h) => h.id)),
    ],
    ['keyword', await evaluate(set, (q) => lists.get(q)!.keyword.map((h) => h.id))],
    ['vector (HNSW)', await evaluate(set, (q) => lists.get(q)!.vector.map((h) => h.id))],
    [
      'hybrid first phase only (RRF k 60)',
      await evaluate(set, (q) => fuse(lists.get(q)!, { method: 'rrf', k: 60 }).map((f) => f.id)),
    ],
    [
      'hybrid, weights learned on all queries (in-sample)',
      await evaluate(set, async (q) => (await search(q, 'hybrid', 10)).hits.map((h) => h.item.id)),
    ],
    [`**hybrid, ${FOLDS}-fold cross-validated (the result)**`, await evaluate(set, cv.rank)],
    [`hybrid without the vector feature, ${FOLDS}-fold CV`, await evaluate(set, cvNoVector.rank)],
    [
      `hybrid, click-trained on simulated clicks of the other folds (held out)`,
      await evaluate(set, clickTrained.rank),
    ],
  ];
  await bench.app.close();

  const base = rows[0][1];
  const f = (x: number) => fmt(x, 4);
  console.log(
    '\n| chorus-icecat, same run | NDCG@10 | vs baseline | NDCG@10 (graded > 0) | vs baseline | MRR@10 | Recall@10 | judged@10 |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, m] of rows)
    console.log(
      `| ${name} | ${f(m.ndcg)} | ${fmt(m.ndcg / base.ndcg, 3)}× | ${f(m.ndcgGained)} | ${fmt(m.ndcgGained / base.ndcgGained, 3)}× | ${f(m.mrr)} | ${f(m.recall)} | ${fmt(m.judgedShare, 3)} |`,
    );
  const classes = rows.map(([name, m]) => [name, metricsByClass(m.perQuery)] as const);
  console.log(`\n| NDCG@10 by query class | queries | ${classes.map(([n]) => n).join(' | ')} |`);
  console.log(`|---|---|${classes.map(() => '---|').join('')}`);
  for (const c of QUERY_CLASS_ORDER) {
    const n = classes[0][1].get(c)?.queries;
    if (n) console.log(`| ${c} | ${n} | ${classes.map(([, m]) => f(m.get(c)!.ndcg)).join(' | ')} |`);
  }
  // The click-trained ranker against shipped (in-sample) and CV, query by query.
  const ndcgs = (i: number) => rows[i][1].perQuery.map((q) => q.ndcg);
  const [shipped, crossVal, clicked] = [4, 5, 7].map(ndcgs);
  for (const [name, base] of [
    ['shipped (in-sample)', shipped],
    [`${FOLDS}-fold CV`, crossVal],
  ] as const) {
    const diff = clicked.map((x, i) => x - base[i]);
    const { metric } = pairedBootstrap([diff], 0);
    console.log(
      `click-trained − ${name}: NDCG@10 ${fmt(metric[0].mean, 4)} [${fmt(metric[0].low, 4)}, ${fmt(metric[0].high, 4)}] (95% paired bootstrap over ${diff.length} queries)`,
    );
  }
  console.log(
    `click-trained: ${CLICK_SESSIONS} simulated searches per training query (clicks per fold: ${clickTrained.clicks.join(', ')})`,
  );
  const show = (w: Weights) => `keyword ${w.keyword}, vector ${w.vector}, coverage ${w.coverage}`;
  console.log(`\nshipped weights (DEFAULT_RERANK): ${show(DEFAULT_RERANK.weights)}`);
  for (const [i, w] of cv.weights.entries()) console.log(`fold ${i + 1} learned: ${show(w)}`);
  for (const [i, w] of clickTrained.weights.entries()) console.log(`fold ${i + 1} click-trained: ${show(w)}`);
  const all = judgedQueries.map(train);
  console.log(`learned on all ${all.length} queries: ${show(learn(all))}`);
};

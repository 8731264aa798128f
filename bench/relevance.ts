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
import { coverageOfItems } from '../packages/server/src/modules/search/coverage-terms.ts';
import { fuse } from '../packages/server/src/modules/search/fusion.ts';
import { KeywordIndex } from '../packages/server/src/modules/search/keyword-index.ts';
import { analyzeQuery } from '../packages/server/src/modules/search/query.ts';
import { FieldTerms, WIDE_WIDTH, wideRows } from '../packages/server/src/modules/search/ranker-features.ts';
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
/** Simulated searches per training query for the click-trained rows (one shopper each, a page of 10). */
const CLICK_SESSIONS = 200;
/** The share of simulated searches that explore (ranks 3–20 shuffled before the page is cut). */
const EXPLORE_EPSILON = 0.2;
/** The click judgments' gains: the position-based click model by EM (round 5; inverse propensity before). */
const CLICK_LABELS = 'pbm';

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
  const coverageOf = coverageOfItems(items);
  const fields = new FieldTerms();
  for (const item of items) fields.put(item.id, item);

  const plain = new KeywordIndex({ weights: { title: 1, description: 1, brand: 0 }, k1: 1.2, b: 0.75 });
  for (const i of items) plain.put(i.id, { title: i.title, description: i.description });

  const search = (query: string, mode: 'keyword' | 'hybrid', limit: number) =>
    bench.quiver.search.search(TENANT, { query, mode, limit });

  const candidatesOf = new Map<string, Candidates>();
  for (const [query, l] of lists) {
    const analyzed = analyzeQuery(query);
    const candidates = rerankCandidates(analyzed, l, coverageOf);
    const seen = new Set(candidates.map((c) => c.id));
    const rest = fuse(l, { method: 'rrf', k: 60 })
      .map((f) => f.id)
      .filter((id) => !seen.has(id));
    const wide = new Float32Array(candidates.length * WIDE_WIDTH);
    wideRows(analyzed, candidates, { fields, items: new Map(), coverageOf }, Date.now()).forEach((row, r) => {
      wide.set(row, r * WIDE_WIDTH);
    });
    candidatesOf.set(query, { candidates, wide, rest });
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
  const clickTrained = clickTrainedFolds(
    judgedQueries,
    candidatesOf,
    rankWith,
    {
      sessions: CLICK_SESSIONS,
      model: DEFAULT_CLICK_MODEL,
      serving: DEFAULT_RERANK.weights,
      epsilon: EXPLORE_EPSILON,
      labels: CLICK_LABELS,
      seed: 20,
    },
    console.log,
  );

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
      `hybrid, click-trained linear on simulated clicks of the other folds (held out)`,
      await evaluate(set, clickTrained.rank),
    ],
    [
      `hybrid, click-trained LambdaMART trees on simulated clicks of the other folds (held out)`,
      await evaluate(set, clickTrained.rankTrees),
    ],
    [
      `hybrid, click-trained trees + item popularity and conversion (held out)`,
      await evaluate(set, clickTrained.rankItemTrees),
    ],
    [
      `**hybrid, click-trained trees, with or without item stats, all chosen by inner 5-fold CV on the training queries' clicks (held out)**`,
      await evaluate(set, clickTrained.rankChosen),
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
  // The click-trained rankers against shipped (in-sample), CV and each other, query by query, overall and
  // per query class.
  const ndcgs = (i: number) => rows[i][1].perQuery.map((q) => q.ndcg);
  const [bm25, shipped, crossVal, clicked, treed, itemTreed, chosen] = [0, 4, 5, 7, 8, 9, 10].map(ndcgs);
  const classOf = rows[0][1].perQuery.map((q) => q.queryClass);
  const differences: Array<[string, number[], number[]]> = [
    ['click-trained linear − shipped (in-sample)', clicked, shipped],
    [`click-trained linear − ${FOLDS}-fold CV`, clicked, crossVal],
    ['click-trained trees − shipped (in-sample)', treed, shipped],
    [`click-trained trees − ${FOLDS}-fold CV`, treed, crossVal],
    ['click-trained trees − click-trained linear', treed, clicked],
    ['click-trained trees + item stats − shipped (in-sample)', itemTreed, shipped],
    ['click-trained trees + item stats − click-trained trees', itemTreed, treed],
    ['click-trained, chosen by inner CV − shipped (in-sample)', chosen, shipped],
    [
      `click-trained, chosen by inner CV − shipped recipe re-fit on the same training folds' grades (${FOLDS}-fold CV)`,
      chosen,
      crossVal,
    ],
    ['click-trained, chosen by inner CV − plain BM25', chosen, bm25],
    ['shipped (in-sample) − plain BM25', shipped, bm25],
  ];
  const interval = (a: number[], b: number[]) => {
    const diff = a.map((x, i) => x - b[i]);
    const { metric } = pairedBootstrap([diff], 0);
    return `${fmt(metric[0].mean, 4)} [${fmt(metric[0].low, 4)}, ${fmt(metric[0].high, 4)}]`;
  };
  console.log(
    '\n| NDCG@10 difference (95% paired bootstrap over queries) | all | ' +
      QUERY_CLASS_ORDER.filter((c) => classOf.includes(c)).join(' | ') +
      ' |',
  );
  console.log(
    `|---|---|${QUERY_CLASS_ORDER.filter((c) => classOf.includes(c))
      .map(() => '---|')
      .join('')}`,
  );
  for (const [name, a, b] of differences) {
    const cells = QUERY_CLASS_ORDER.filter((c) => classOf.includes(c)).map((c) => {
      const at = classOf.flatMap((k, i) => (k === c ? [i] : []));
      return `${interval(
        at.map((i) => a[i]),
        at.map((i) => b[i]),
      )} (${at.length})`;
    });
    console.log(`| ${name} | ${interval(a, b)} (${a.length}) | ${cells.join(' | ')} |`);
  }
  console.log(
    `click-trained: ${CLICK_SESSIONS} simulated searches per training query, ε ${EXPLORE_EPSILON} of them exploring, gains by ${CLICK_LABELS} (clicks per fold: ${clickTrained.clicks.join(', ')})`,
  );
  const show = (w: Weights) => `keyword ${w.keyword}, vector ${w.vector}, coverage ${w.coverage}`;
  console.log(`\nshipped weights (DEFAULT_RERANK): ${show(DEFAULT_RERANK.weights)}`);
  for (const [i, w] of cv.weights.entries()) console.log(`fold ${i + 1} learned: ${show(w)}`);
  for (const [i, w] of clickTrained.weights.entries()) console.log(`fold ${i + 1} click-trained: ${show(w)}`);
  for (const [i, m] of clickTrained.models.entries())
    console.log(
      `fold ${i + 1} inner-CV NDCG@10 on clicks: trees ${fmt(m.validNdcg, 4)} (${m.params.trees} trees), with item stats ${fmt(m.itemValidNdcg, 4)} (${m.itemParams.trees} trees) → ${m.itemValidNdcg > m.validNdcg ? 'with' : 'without'}; η ${fmt(m.eta.value, 3)} ${m.eta.measured ? 'measured on explored searches' : 'as given'}`,
    );
  const all = judgedQueries.map(train);
  console.log(`learned on all ${all.length} queries: ${show(learn(all))}`);
};

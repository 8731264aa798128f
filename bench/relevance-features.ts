// `npm run bench -- relevance-features`: candidate features for hybrid's second phase, each added alone to
// the shipped three (keyword, cosine, coverage) and judged the way `relevance` judges the model: 5-fold
// cross-validated NDCG@10 on chorus-icecat (coordinate ascent on the other folds), overall and per query
// class, with the weight each fold learned for it. The features are computed here from the items' text with
// the index's analysis; none is served. Set ICECAT_DIR to read the dataset elsewhere.
import { QUERY_CLASS_ORDER, queryClass } from '../packages/cli/src/eval/classes.ts';
import { scoreQuery } from '../packages/cli/src/eval/metrics.ts';
import { coverageOfItems } from '../packages/server/src/modules/search/coverage-terms.ts';
import { fuse } from '../packages/server/src/modules/search/fusion.ts';
import { analyzeQuery } from '../packages/server/src/modules/search/query.ts';
import { coverageText, rerankCandidates } from '../packages/server/src/modules/search/rerank.ts';
import { analyze, words } from '../packages/server/src/modules/search/tokenize.ts';
import {
  crossValidate,
  type JudgedQuery,
  type Lists,
  learnWeights,
  loadRelevanceData,
} from './lib/relevance-data.ts';
import { fmt } from './lib/report.ts';

const BASE = ['keyword', 'vector', 'coverage'] as const;

interface ItemText {
  title: string[];
  brand: string[];
  coverage: Set<string>;
}
interface QueryContext {
  terms: string[];
  pairs: string[];
  modelWords: string[];
  head: string | undefined;
  vectorRank: Map<string, number>;
  keywordRank: Map<string, number>;
  idf: (t: string) => number;
}
type Feature = (item: ItemText, id: string, coverage: number, q: QueryContext) => number;

const share = (xs: readonly string[], has: (x: string) => boolean) =>
  xs.length === 0 ? 0 : xs.filter(has).length / xs.length;
const adjacentPairs = (terms: readonly string[]) => terms.slice(1).map((t, i) => `${terms[i]} ${t}`);
const rankGain = (rank: number | undefined) => (rank === undefined ? 0 : 1 / Math.log2(rank + 2));

/** The candidate features: each a number per (item, query), most in [0, 1]. */
const FEATURES: Record<string, Feature> = {
  'title coverage (share of the query terms in the title)': (it, _, __, q) =>
    share(q.terms, (t) => it.title.includes(t)),
  'title adjacent pairs (share of the query term pairs adjacent in the title)': (it, _, __, q) => {
    const pairs = new Set(adjacentPairs(it.title));
    return share(q.pairs, (p) => pairs.has(p));
  },
  'model number (share of the query words with a digit in the title)': (it, _, __, q) =>
    share(q.modelWords, (w) => it.title.includes(w)),
  "brand in the query (all the item's brand terms)": (it, _, __, q) =>
    it.brand.length > 0 && it.brand.every((t) => q.terms.includes(t)) ? 1 : 0,
  'title length (1 / log2(2 + title terms))': (it) => 1 / Math.log2(2 + it.title.length),
  'all query terms covered (coverage = 1)': (_, __, coverage) => (coverage === 1 ? 1 : 0),
  'idf-weighted coverage': (it, _, __, q) => {
    const all = q.terms.reduce((s, t) => s + q.idf(t), 0);
    return all > 0 ? q.terms.filter((t) => it.coverage.has(t)).reduce((s, t) => s + q.idf(t), 0) / all : 0;
  },
  'keyword rank (1 / log2(rank + 2))': (_, id, __, q) => rankGain(q.keywordRank.get(id)),
  'vector rank (1 / log2(rank + 2), 0 outside the 50)': (_, id, __, q) => rankGain(q.vectorRank.get(id)),
  "the query's last word only as a modifier in the title (always followed by a non-query word)": (
    it,
    _,
    __,
    q,
  ) => {
    if (q.head === undefined || !it.title.includes(q.head)) return 0;
    for (let i = 0; i < it.title.length; i++)
      if (it.title[i] === q.head && (i + 1 === it.title.length || q.terms.includes(it.title[i + 1])))
        return 0;
    return 1;
  },
};

interface Candidate {
  id: string;
  features: number[];
}
interface Prepared extends JudgedQuery {
  candidates: Candidate[];
  rest: string[];
}

type Weights = Record<string, number>;

const rankWith = (p: Prepared, w: Weights): string[] =>
  p.candidates
    .map((c) => [c.id, c.features.reduce((s, f, i) => s + f * w[i], 0)] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([id]) => id)
    .concat(p.rest);

export const main = async () => {
  const { items, bench, judgedQueries, lists } = await loadRelevanceData();
  await bench.app.close();
  const coverageOf = coverageOfItems(items);
  const text = new Map<string, ItemText>();
  const df = new Map<string, number>();
  for (const item of items) {
    const terms = new Set(analyze(coverageText(item)));
    for (const t of terms) df.set(t, (df.get(t) ?? 0) + 1);
    text.set(item.id, { title: analyze(item.title), brand: analyze(item.brand ?? ''), coverage: terms });
  }
  const idf = (t: string) => Math.log(1 + (items.length - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5));

  const extras = Object.values(FEATURES);
  const prepare = (q: JudgedQuery, l: Lists): Prepared => {
    const sequence = analyze(q.query);
    const context: QueryContext = {
      terms: [...new Set(sequence)],
      pairs: adjacentPairs(sequence),
      modelWords: words(q.query).filter((w) => /\d/.test(w)),
      head: sequence[sequence.length - 1],
      vectorRank: new Map(l.vector.slice(0, 50).map((h, i) => [h.id, i])),
      keywordRank: new Map(l.keyword.map((h, i) => [h.id, i])),
      idf,
    };
    const candidates = rerankCandidates(analyzeQuery(q.query), l, coverageOf).map((c) => ({
      id: c.id,
      features: [...c.features, ...extras.map((f) => f(text.get(c.id)!, c.id, c.features[2], context))],
    }));
    const seen = new Set(candidates.map((c) => c.id));
    const rest = fuse(l, { method: 'rrf', k: 60 })
      .map((f) => f.id)
      .filter((id) => !seen.has(id));
    return { ...q, candidates, rest };
  };
  const prepared = judgedQueries.map((q) => prepare(q, lists.get(q.query)!));

  /** 5-fold CV with the features at these indexes learned (the others at 0): NDCG@10 overall, per class. */
  const crossValidated = (active: readonly number[]) => {
    const ndcg = new Map<Prepared, number>();
    const start: Weights = Object.fromEntries(
      prepared[0].candidates[0].features.map((_, i) => [String(i), i === 0 ? 1 : 0]),
    );
    const weights = crossValidate(
      prepared,
      (train) =>
        learnWeights(
          start,
          active.map(String),
          (w) => train.reduce((s, p) => s + scoreQuery(rankWith(p, w), p.judged).ndcg, 0) / train.length,
        ),
      (p, w) => ndcg.set(p, scoreQuery(rankWith(p, w), p.judged).ndcg),
    );
    const mean = (ps: Prepared[]) => ps.reduce((s, p) => s + ndcg.get(p)!, 0) / ps.length;
    const byClass = QUERY_CLASS_ORDER.map((c) => mean(prepared.filter((p) => queryClass(p.query) === c)));
    return { ndcg: mean(prepared), byClass, weights };
  };

  const f = (x: number) => fmt(x, 4);
  const keywordOnly = crossValidated([0]);
  const base = crossValidated([0, 1, 2]);
  console.log(
    `\n| 5-fold CV NDCG@10 (${prepared.length} queries) | NDCG@10 | Δ vs the shipped three | ${QUERY_CLASS_ORDER.join(' | ')} | its weight per fold |`,
  );
  console.log(`|---|---|---|${QUERY_CLASS_ORDER.map(() => '---|').join('')}---|`);
  const row = (name: string, r: ReturnType<typeof crossValidated>, weight?: number) =>
    console.log(
      `| ${name} | ${f(r.ndcg)} | ${fmt(r.ndcg - base.ndcg, 4)} | ${r.byClass.map((x, i) => `${fmt(x, 3)} (${fmt(x - base.byClass[i], 3)})`).join(' | ')} | ${weight === undefined ? '' : r.weights.map((w) => w[weight]).join(', ')} |`,
    );
  row('keyword alone', keywordOnly);
  row('**shipped three: keyword, cosine, coverage**', base);
  Object.keys(FEATURES).forEach((name, i) => {
    row(`+ ${name}`, crossValidated([0, 1, 2, BASE.length + i]), BASE.length + i);
  });
};

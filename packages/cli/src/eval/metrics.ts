// Ranking metrics over judged queries: NDCG@10 (gain = grade), MRR@10 and Recall@10 (relevant = top
// grade), and the share of the top 10 that is judged at all (low means the metrics are under-informed).
// NDCG@10 is also given over only the queries with a document graded above 0 (a query whose judgments are
// all 0 scores 0 whatever the ranking; trec_eval-style tools leave such queries out).
import { QUERY_CLASS_ORDER, type QueryClass, queryClass } from './classes.ts';

export const CUTOFF = 10;
export const RELEVANT_GRADE = 3;

export interface QueryMetrics {
  ndcg: number;
  mrr: number;
  recall: number;
  judgedShare: number;
}

const dcg = (gains: number[]): number => gains.reduce((sum, g, i) => sum + g / Math.log2(i + 2), 0);

/** Metrics of one ranked list against one query's judgments (docid → grade); unjudged docs count as 0. */
export const scoreQuery = (ranked: readonly string[], judged: ReadonlyMap<string, number>): QueryMetrics => {
  const top = ranked.slice(0, CUTOFF);
  const ideal = [...judged.values()].sort((a, b) => b - a).slice(0, CUTOFF);
  const idcg = dcg(ideal);
  const firstRelevant = top.findIndex((id) => judged.get(id) === RELEVANT_GRADE);
  const relevant = [...judged.values()].filter((g) => g === RELEVANT_GRADE).length;
  const found = top.filter((id) => judged.get(id) === RELEVANT_GRADE).length;
  return {
    ndcg: idcg > 0 ? dcg(top.map((id) => judged.get(id) ?? 0)) / idcg : 0,
    mrr: firstRelevant >= 0 ? 1 / (firstRelevant + 1) : 0,
    recall: relevant > 0 ? found / relevant : 0,
    judgedShare: top.length > 0 ? top.filter((id) => judged.has(id)).length / top.length : 0,
  };
};

/** One evaluated query: its metrics, class and what its judgments hold. */
export interface EvaluatedQuery extends QueryMetrics {
  query: string;
  queryClass: QueryClass;
  /** Some document has the top grade (Recall@10 counts only these). */
  hasRelevant: boolean;
  /** Some document has a grade above 0 (NDCG@10 can exceed 0). */
  hasGain: boolean;
}

export interface MeanMetrics extends QueryMetrics {
  queries: number;
  /** NDCG@10 over the queries with a document graded above 0, and how many those are. */
  ndcgGained: number;
  gainedQueries: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Means over queries; Recall@10 only over queries that have a relevant document. */
export const meanMetrics = (
  perQuery: ReadonlyArray<QueryMetrics & { hasRelevant: boolean; hasGain?: boolean }>,
): MeanMetrics => {
  const gained = perQuery.filter((q) => q.hasGain ?? true);
  return {
    queries: perQuery.length,
    ndcg: mean(perQuery.map((q) => q.ndcg)),
    mrr: mean(perQuery.map((q) => q.mrr)),
    recall: mean(perQuery.filter((q) => q.hasRelevant).map((q) => q.recall)),
    judgedShare: mean(perQuery.map((q) => q.judgedShare)),
    ndcgGained: mean(gained.map((q) => q.ndcg)),
    gainedQueries: gained.length,
  };
};

/** Mean metrics per query class, in the classes' documented order (classes without queries left out). */
export const metricsByClass = (perQuery: readonly EvaluatedQuery[]): Map<QueryClass, MeanMetrics> => {
  const out = new Map<QueryClass, MeanMetrics>();
  for (const c of QUERY_CLASS_ORDER) {
    const of = perQuery.filter((q) => q.queryClass === c);
    if (of.length > 0) out.set(c, meanMetrics(of));
  }
  return out;
};

/** Scores every query that has judgments with the ranking `rank` returns for it: the means and each query. */
export const evaluate = async (
  set: {
    queries: ReadonlyMap<string, string>;
    judgments: ReadonlyMap<string, ReadonlyMap<string, number>>;
  },
  rank: (query: string) => Promise<string[]> | string[],
): Promise<MeanMetrics & { perQuery: EvaluatedQuery[] }> => {
  const perQuery: EvaluatedQuery[] = [];
  for (const [qid, query] of set.queries) {
    const judged = set.judgments.get(qid);
    if (!judged || judged.size === 0) continue;
    const grades = [...judged.values()];
    perQuery.push({
      ...scoreQuery(await rank(query), judged),
      query,
      queryClass: queryClass(query),
      hasRelevant: grades.some((g) => g === RELEVANT_GRADE),
      hasGain: grades.some((g) => g > 0),
    });
  }
  return { ...meanMetrics(perQuery), perQuery };
};

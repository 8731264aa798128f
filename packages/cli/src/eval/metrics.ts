// Ranking metrics over judged queries: NDCG@10 (gain = grade), MRR@10 and Recall@10 (relevant = top
// grade), and the share of the top 10 that is judged at all (low means the metrics are under-informed).

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

/** Means over queries; Recall@10 only over queries that have a relevant document. */
export const meanMetrics = (
  perQuery: ReadonlyArray<QueryMetrics & { hasRelevant: boolean }>,
): QueryMetrics & { queries: number } => {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    queries: perQuery.length,
    ndcg: mean(perQuery.map((q) => q.ndcg)),
    mrr: mean(perQuery.map((q) => q.mrr)),
    recall: mean(perQuery.filter((q) => q.hasRelevant).map((q) => q.recall)),
    judgedShare: mean(perQuery.map((q) => q.judgedShare)),
  };
};

/** Scores every query that has judgments with the ranking `rank` returns for it. */
export const evaluate = async (
  set: {
    queries: ReadonlyMap<string, string>;
    judgments: ReadonlyMap<string, ReadonlyMap<string, number>>;
  },
  rank: (query: string) => Promise<string[]> | string[],
): Promise<QueryMetrics & { queries: number }> => {
  const perQuery: Array<QueryMetrics & { hasRelevant: boolean }> = [];
  for (const [qid, query] of set.queries) {
    const judged = set.judgments.get(qid);
    if (!judged || judged.size === 0) continue;
    const hasRelevant = [...judged.values()].some((g) => g === RELEVANT_GRADE);
    perQuery.push({ ...scoreQuery(await rank(query), judged), hasRelevant });
  }
  return meanMetrics(perQuery);
};

// What the search module needs from others: the vector retriever (the vectors module implements it).

/** Vector retrieval the search service fuses with keyword results; the vectors module implements it. */
export interface VectorRetriever {
  /** Nearest items to the query text for a tenant, best first; [] when the tenant has no index yet. */
  query(tenantId: string, text: string, k: number): Promise<Array<{ id: string; score: number }>>;
}

/** Hybrid's second phase: one score per row of rerank features (RERANK_FEATURES order), higher is better. */
export interface SecondPhaseScorer {
  score(tenantId: string, rows: readonly (readonly number[])[]): Promise<number[]>;
}

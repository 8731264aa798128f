// What the search module needs from others: the vector retriever (the vectors module implements it).

/** Vector retrieval the search service fuses with keyword results; the vectors module implements it. */
export interface VectorRetriever {
  /** Nearest items to the query text for a tenant, best first; [] when the tenant has no index yet. */
  query(tenantId: string, text: string, k: number): Promise<Array<{ id: string; score: number }>>;
}

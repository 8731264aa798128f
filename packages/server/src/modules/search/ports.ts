// What the search module needs from others: the vector retriever (the vectors module implements it).

/** Vector retrieval the search service fuses with keyword results; the vectors module implements it. */
export interface VectorRetriever {
  /** Nearest items to the query text for a tenant, best first; [] when the tenant has no index yet. */
  query(tenantId: string, text: string, k: number): Promise<Array<{ id: string; score: number }>>;
  /** The tenant's index: `cold` (not asked for yet), `building` (no index answers yet) or `ready`. */
  indexState?(tenantId: string): VectorIndexState;
}

export interface VectorIndexState {
  /** `off` is the search service's own: the tenant's `vectors` setting is off. */
  state: 'off' | 'cold' | 'building' | 'ready';
  /** Items in the index that answers (0 without one). */
  items: number;
  model?: string;
  /** The encoder version of the index that answers, and of one being built in the background. */
  version?: number | null;
  building?: number | null;
}

/** What answered a second phase through an endpoint: named in the answer, its token in the searchId. */
export interface RankerServed {
  endpoint: string;
  variant: string;
  model: string;
  version: string;
  /** The routing token events carry back (inside the searchId) for attribution. */
  token: string;
  /** A fallback answered. */
  degraded: boolean;
}

/**
 * Hybrid's second phase: one score per row, higher is better. `rows` are the narrow features
 * (RERANK_FEATURES order); `wide()` computes the same candidates' wide rows (WIDE_RANKER_FEATURES) for a
 * ranker that reads them (input contract v2), only when called.
 */
export interface SecondPhaseScorer {
  /** `unit` is whom an endpoint assigns sticky variants by. */
  score(
    tenantId: string,
    rows: readonly (readonly number[])[],
    unit?: { userId?: string },
    wide?: () => readonly (readonly number[])[],
  ): Promise<{ scores: number[]; served?: RankerServed }>;
}

// What the search service hands each page builder: the request as resolved once (analyzed query, mode, window,
// filter), the retrieval setup shared by all requests, and the page a builder answers with.
import type { Item, SearchHit, SearchResponse } from '@quiver/contracts';
import type { FusionConfig, Ranked } from './fusion.ts';
import type { QueryOptions } from './keyword-index.ts';
import type { RankerServed, SecondPhaseScorer, VectorRetriever } from './ports.ts';
import type { AnalyzedQuery } from './query.ts';
import { wideRows } from './ranker-features.ts';
import type { RerankConfig } from './rerank.ts';
import { type Rescored, rescore } from './second-phase.ts';
import type { TenantIndex } from './tenant-index.ts';

/** How many nearest items a vector search asks for (before filters). */
export const VECTOR_CANDIDATES = 200;

/** How the service retrieves, the same for every request. */
export interface Retrieval {
  vectors?: VectorRetriever;
  /** Scores hybrid's second phase; absent: the linear model in process. */
  ranker?: SecondPhaseScorer;
  onError?: (error: unknown) => void;
  /** Hybrid's second phase; null: hybrid is `fusion` alone. */
  rerank: RerankConfig | null;
  fusion: FusionConfig;
}

/** One search request, resolved once by the service and read by whichever page builder answers it. */
export interface PageRequest {
  tenantId: string;
  index: TenantIndex;
  query: AnalyzedQuery;
  /** The keyword index's options for this query (the tenant's synonyms). */
  keyword: QueryOptions;
  mode: SearchResponse['mode'];
  offset: number;
  limit: number;
  /** Whether an item exists, passes the filter and is not hidden. */
  pass: (item: Item | undefined) => item is Item;
  /** Whether the filter or a hidden item may reject an indexed item (else every keyword match passes). */
  filtered: boolean;
  /** Shared with the response: builders add to it. */
  notices: string[];
  /** Whom a ranker endpoint assigns its variant by. */
  userId?: string;
  /** The service clock's time of the request (ms): the wide rows' freshness, as training rows read it. */
  now: number;
  /** Set by the second phase when a ranker endpoint scored this search: the answer names it. */
  served?: RankerServed;
  /** Set by the second phase: its candidates with their scores (read by explain.ts). */
  rescored?: Pick<Rescored, 'candidates' | 'byModel'>;
}

/** The hits of one page, how many there are in all, and the facets when asked for. */
export interface Page {
  hits: SearchHit[];
  total: number;
  facets?: SearchResponse['facets'];
  facetStats?: SearchResponse['facetStats'];
}

/** `pass` by id. */
export const passes = (req: PageRequest) => (id: string) => req.pass(req.index.items.get(id));

/** Hybrid's second phase over these lists, for this request (its coverage from the tenant's index). */
export const secondPhase = async (
  retrieval: Retrieval,
  rerank: RerankConfig,
  req: PageRequest,
  lists: { keyword: Ranked[]; vector: Ranked[]; keywordDocs?: readonly number[] },
): Promise<Rescored> => {
  const rescored = await rescore(
    retrieval,
    rerank,
    req.tenantId,
    req.query,
    lists,
    req.index.coverageOf,
    req.notices,
    req.userId === undefined ? undefined : { userId: req.userId },
    (candidates) => wideRows(req.query, candidates, req.index, req.now),
  );
  req.served = rescored.served;
  req.rescored = rescored;
  return rescored;
};

// The search service's interface: what routes, the recommend module and the app use.
import type {
  FacetValuesRequest,
  FacetValuesResponse,
  Item,
  SearchAnalytics,
  SearchAnalyticsQuery,
  SearchRequest,
  SearchResponse,
  SearchRules,
  SearchStatus,
  SuggestResponse,
} from '@quiver/contracts';
import type { Filter } from './filters.ts';

export interface RankerCandidate {
  id: string;
  /** The wide rows' features (WIDE_RANKER_FEATURES order; the first three are the narrow ones). */
  features: readonly number[];
}

/** Keyword, vector and hybrid search over per-tenant in-memory indexes kept current from the catalog feed. */
export interface SearchService {
  /** Starts the consumer that applies catalog changes to this replica's indexes (every serving replica). */
  start(): Promise<void>;
  /** Starts the analytics consumer (searches and their outcomes; a durable consumer the workers share). */
  work(): Promise<void>;
  /** Stops the consumers (and any warm-up still going). */
  stop(): Promise<void>;
  /** Builds these tenants' indexes now rather than on their first search, one after another. */
  warm(tenantIds: Iterable<string>): Promise<void>;
  /**
   * `filter` is the request's filters already parsed and combined with a scoped key's (see
   * withEmbeddedFilters); by default the request's own.
   */
  search(tenantId: string, request: SearchRequest, filter?: Filter): Promise<SearchResponse>;
  /**
   * The tenant's items by id: its in-memory index, kept current by the catalog sync (read it, do not
   * change it). Builds the index on first use, like a search.
   */
  items(tenantId: string): Promise<ReadonlyMap<string, Item>>;
  /**
   * Facet-value search: the field's values with a word beginning with `facetQuery`, counted over the
   * keyword matches of `query` (every item without one) that pass the filter.
   */
  facetValues(tenantId: string, request: FacetValuesRequest, filter?: Filter): Promise<FacetValuesResponse>;
  /** Autocomplete for typed text: past queries, then title completions; only what the filter lets through. */
  suggest(tenantId: string, text: string, limit: number, filter?: Filter): Promise<SuggestResponse>;
  /** Top queries, no-result queries, CTR and conversion per day, from the tenant's events. */
  analytics(tenantId: string, query: SearchAnalyticsQuery): Promise<SearchAnalytics>;
  /** The tenant's indexes: items in the keyword index, the vector index's state (null without vectors). */
  status(tenantId: string): Promise<SearchStatus>;
  /**
   * Hybrid's second-phase candidates for a query as an unfiltered hybrid search sees them (the keyword head,
   * the vector candidates), each with its wide ranker features (WIDE_RANKER_FEATURES): what the search-ranker
   * trainer fits on. Empty for an empty query.
   */
  rankerCandidates(tenantId: string, query: string): Promise<RankerCandidate[]>;
  /** The tenant's synonyms, pinned and hidden items. */
  getRules(tenantId: string): Promise<SearchRules>;
  /** Replaces the tenant's rules. */
  putRules(tenantId: string, rules: SearchRules): Promise<SearchRules>;
}

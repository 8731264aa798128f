// Search and recommendations (the calls a scoped browser key may make) and search rules.
import { paginate } from '../paginate.ts';
import type { CallOptions, Transport } from '../transport.ts';
import type {
  FacetValuesRequest,
  FacetValuesResponse,
  MultiSearchRequest,
  MultiSearchResponse,
  RecommendationRequest,
  RecommendationResponse,
  SearchAnalytics,
  SearchAnalyticsQuery,
  SearchHit,
  SearchRequest,
  SearchResponse,
  SearchRules,
  SearchStatus,
  SuggestQuery,
  SuggestResponse,
} from '../types.ts';

export const searchResource = (t: Transport) => {
  const query = (request: SearchRequest, o?: CallOptions) =>
    t.call<SearchResponse>({ method: 'POST', path: '/v1/search', json: request, read: true }, o);
  return {
    /** One page of hits (`nextCursor` continues the same query). */
    query,
    /** Every hit of the query, page by page (`request.limit` is the page size). */
    hits: (request: SearchRequest, o?: CallOptions) =>
      paginate<SearchHit, SearchResponse, string>(
        (cursor) => query(cursor === undefined ? request : { ...request, cursor }, o),
        (page) => page.hits,
        (page) => page.nextCursor ?? null,
      ),
    /** Several searches in one request (e.g. products and a category panel), answered in order. */
    multi: (request: MultiSearchRequest, o?: CallOptions) =>
      t.call<MultiSearchResponse>({ method: 'POST', path: '/v1/search/multi', json: request, read: true }, o),
    /** A facet's values with a word beginning with `facetQuery`, counted over a query's matches. */
    facetValues: (request: FacetValuesRequest, o?: CallOptions) =>
      t.call<FacetValuesResponse>(
        { method: 'POST', path: '/v1/search/facet-values', json: request, read: true },
        o,
      ),
    /** Autocomplete: past shoppers' queries and catalog completions for the typed text. */
    suggestions: ({ q, limit }: SuggestQuery, o?: CallOptions) =>
      t.call<SuggestResponse>({ method: 'GET', path: '/v1/search/suggestions', query: { q, limit } }, o),
  };
};

/** The search calls that need a tenant key (not a scoped browser key). */
export const searchAdminResource = (t: Transport) => ({
  /** Per-day figures, top and no-result queries between two UTC days (YYYY-MM-DD). */
  analytics: ({ from, to, limit }: SearchAnalyticsQuery = {}, o?: CallOptions) =>
    t.call<SearchAnalytics>({ method: 'GET', path: '/v1/search/analytics', query: { from, to, limit } }, o),
  /** The tenant's keyword index size and the vector index's state. */
  status: (o?: CallOptions) => t.call<SearchStatus>({ method: 'GET', path: '/v1/search/status' }, o),
});

export const searchRulesResource = (t: Transport) => ({
  get: (o?: CallOptions) => t.call<SearchRules>({ method: 'GET', path: '/v1/search/rules' }, o),
  put: (rules: SearchRules, o?: CallOptions) =>
    t.call<SearchRules>({ method: 'PUT', path: '/v1/search/rules', json: rules }, o),
});

export const recommendationsResource = (t: Transport) => ({
  /** A scenario's recommendations; `recommendationId` goes back on events for attribution. */
  get: (request: RecommendationRequest, o?: CallOptions) =>
    t.call<RecommendationResponse>(
      { method: 'POST', path: '/v1/recommendations', json: request, read: true },
      o,
    ),
});

// Search and recommendations (the calls a scoped browser key may make) and search rules.
import { paginate } from '../paginate.ts';
import type { CallOptions, Transport } from '../transport.ts';
import type {
  RecommendationRequest,
  RecommendationResponse,
  SearchHit,
  SearchRequest,
  SearchResponse,
  SearchRules,
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
  };
};

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

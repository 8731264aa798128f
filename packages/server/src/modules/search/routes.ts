// HTTP routes of search: POST /v1/search, multi-search, facet-value search and suggestions (scope `search`;
// a scoped key's filters and user apply to each), and the tenant's rules and analytics (admin).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ERROR_RESPONSES,
  FacetValuesRequestSchema,
  FacetValuesResponseSchema,
  MultiSearchRequestSchema,
  MultiSearchResponseSchema,
  ProblemSchema,
  SearchAnalyticsQuerySchema,
  SearchAnalyticsSchema,
  SearchRequestSchema,
  SearchResponseSchema,
  SearchRulesSchema,
  SearchStatusSchema,
  SuggestQuerySchema,
  SuggestResponseSchema,
} from '@quiver/contracts';
import type { FastifyReply } from 'fastify';
import { tenantOf } from '../../http/index.ts';
import { isQuiverError, QuiverError } from '../../kernel/index.ts';
import { hasScope, type Principal, userIdFor } from '../tenancy/index.ts';
import { type AnswerWriter, routeAnswerWriter } from './answer-json.ts';
import { withEmbeddedFilters } from './filters.ts';
import type { SearchService } from './service.ts';

const errors = ERROR_RESPONSES;
const DEFAULT_SUGGESTIONS = 5;
/** What Fastify sends JSON as; a payload of bytes with it is sent as it is. */
const JSON_TYPE = 'application/json; charset=utf-8';

/** A multi-search's failure, its field paths placed under the failing search (`/searches/<i>/…`). */
const underSearch = (err: unknown, i: number): unknown => {
  if (!isQuiverError(err) || !err.errors) return err;
  const prefix = `/searches/${i}`;
  return new QuiverError(err.code, `searches[${i}]: ${err.message}`, {
    errors: err.errors.map((e) => ({
      ...e,
      path: e.path.startsWith(prefix) ? e.path : `${prefix}${e.path}`,
    })),
    cause: err,
  });
};

/**
 * Score parts are ranking internals, for those who tune it: the operator and admin keys. A storefront key (a
 * scoped key a browser holds, or a search-only key) asking for them is refused, not silently answered without.
 */
const checkExplain = (principal: Principal | undefined, explain: boolean | undefined, path = '/explain') => {
  if (!explain || principal?.kind === 'operator' || (principal && hasScope(principal, 'admin'))) return;
  throw new QuiverError('forbidden', 'Score parts (explain) need an admin key', {
    errors: [{ path, message: 'needs the admin scope' }],
  });
};

export const searchRoutes =
  (search: SearchService): FastifyPluginAsyncTypebox =>
  async (app) => {
    /** Writes POST /v1/search answers (answer-json.ts), made from the route's serializers on its first answer. */
    let write: AnswerWriter | undefined;
    app.post(
      '/v1/search',
      {
        config: { access: { scope: 'search' } },
        schema: {
          tags: ['search'],
          summary: 'Search the catalog: keyword, vector or hybrid, with filters, facets, rules and paging',
          body: SearchRequestSchema,
          response: { 200: SearchResponseSchema, 503: ProblemSchema, ...errors },
        },
      },
      async (request, reply) => {
        const tenantId = tenantOf(request);
        checkExplain(request.principal, request.body.explain);
        const userId = userIdFor(request.principal, request.body.userId);
        const filter = withEmbeddedFilters(request.principal, request.body.filters);
        const answer = await search.search(tenantId, { ...request.body, userId }, filter);
        write ??= routeAnswerWriter(reply);
        const bytes = write(answer);
        if (bytes === undefined) return answer;
        // Sent as it is: bytes with a JSON content type are not serialized again (onSend hooks still run and see
        // these bytes, as idempotency and the payload log expect; the app has no preSerialization hook, which
        // bytes skip).
        return (reply as FastifyReply).header('content-type', JSON_TYPE).send(bytes);
      },
    );

    app.post(
      '/v1/search/multi',
      {
        config: { access: { scope: 'search' } },
        schema: {
          tags: ['search'],
          summary: 'Several searches in one request (e.g. products and a category panel), answered in order',
          body: MultiSearchRequestSchema,
          response: { 200: MultiSearchResponseSchema, 503: ProblemSchema, ...errors },
        },
      },
      async (request) => {
        const tenantId = tenantOf(request);
        const results = await Promise.all(
          request.body.searches.map(async (one, i) => {
            try {
              checkExplain(request.principal, one.explain, `/searches/${i}/explain`);
              const userId = userIdFor(request.principal, one.userId);
              const filter = withEmbeddedFilters(request.principal, one.filters, `/searches/${i}/filters`);
              return await search.search(tenantId, { ...one, userId }, filter);
            } catch (err) {
              throw underSearch(err, i);
            }
          }),
        );
        return { results };
      },
    );

    app.post(
      '/v1/search/facet-values',
      {
        config: { access: { scope: 'search' } },
        schema: {
          tags: ['search'],
          summary: "Search a facet's values (e.g. brands beginning with 'so') over a query's matches",
          body: FacetValuesRequestSchema,
          response: { 200: FacetValuesResponseSchema, ...errors },
        },
      },
      async (request) =>
        search.facetValues(
          tenantOf(request),
          request.body,
          withEmbeddedFilters(request.principal, request.body.filters),
        ),
    );

    app.get(
      '/v1/search/suggestions',
      {
        config: { access: { scope: 'search' } },
        schema: {
          tags: ['search'],
          summary: "Autocomplete: past shoppers' queries and catalog completions for the typed text",
          querystring: SuggestQuerySchema,
          response: { 200: SuggestResponseSchema, ...errors },
        },
      },
      async (request) =>
        search.suggest(
          tenantOf(request),
          request.query.q,
          request.query.limit ?? DEFAULT_SUGGESTIONS,
          withEmbeddedFilters(request.principal, undefined),
        ),
    );

    app.get(
      '/v1/search/analytics',
      {
        config: { access: { scope: 'admin' } },
        schema: {
          tags: ['search'],
          summary: 'Search analytics per day: top and no-result queries, click-through and conversion rates',
          querystring: SearchAnalyticsQuerySchema,
          response: { 200: SearchAnalyticsSchema, ...errors },
        },
      },
      async (request) => search.analytics(tenantOf(request), request.query),
    );

    app.get(
      '/v1/search/status',
      {
        config: { access: { scope: 'admin' } },
        schema: {
          tags: ['search'],
          summary: "The tenant's search indexes: keyword items and the vector index's state",
          response: { 200: SearchStatusSchema, ...errors },
        },
      },
      async (request) => search.status(tenantOf(request)),
    );

    app.get(
      '/v1/search/rules',
      {
        config: { access: { scope: 'admin' } },
        schema: {
          tags: ['search'],
          summary: "The tenant's search rules: synonyms and curations (pins, hides)",
          response: { 200: SearchRulesSchema, ...errors },
        },
      },
      async (request) => search.getRules(tenantOf(request)),
    );

    app.put(
      '/v1/search/rules',
      {
        config: { access: { scope: 'admin' } },
        schema: {
          tags: ['search'],
          summary: "Replace the tenant's search rules",
          body: SearchRulesSchema,
          response: { 200: SearchRulesSchema, ...errors },
        },
      },
      async (request) => search.putRules(tenantOf(request), request.body),
    );
  };

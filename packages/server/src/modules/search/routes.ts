// HTTP routes of search: POST /v1/search (scope `search`; a scoped key's filters and user apply) and the
// tenant's rules (admin).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ERROR_RESPONSES,
  ProblemSchema,
  SearchRequestSchema,
  SearchResponseSchema,
  SearchRulesSchema,
} from '@quiver/contracts';
import { tenantOf } from '../../http/index.ts';
import { userIdFor } from '../tenancy/index.ts';
import { withEmbeddedFilters } from './filters.ts';
import type { SearchService } from './service.ts';

const errors = ERROR_RESPONSES;

export const searchRoutes =
  (search: SearchService): FastifyPluginAsyncTypebox =>
  async (app) => {
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
      async (request) => {
        const tenantId = tenantOf(request);
        const userId = userIdFor(request.principal, request.body.userId);
        const filter = withEmbeddedFilters(request.principal, request.body.filters);
        return search.search(tenantId, { ...request.body, userId }, filter);
      },
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

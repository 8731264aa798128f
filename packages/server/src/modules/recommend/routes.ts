// HTTP route of recommendations: POST /v1/recommendations (scope `recommend`; a scoped key's filters and
// pinned user apply, as in search).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ERROR_RESPONSES,
  ProblemSchema,
  RecommendationRequestSchema,
  RecommendationResponseSchema,
} from '@quiver/contracts';
import { tenantOf } from '../../http/index.ts';
import { withEmbeddedFilters } from '../search/index.ts';
import { userIdFor } from '../tenancy/index.ts';
import type { RecommendService } from './service.ts';

export const recommendRoutes =
  (recommend: RecommendService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/recommendations',
      {
        config: { access: { scope: 'recommend' } },
        schema: {
          tags: ['recommendations'],
          summary:
            'Recommend items for a scenario (similar-items, bought-together, for-user, trending) through its endpoint',
          body: RecommendationRequestSchema,
          response: {
            200: RecommendationResponseSchema,
            409: ProblemSchema,
            422: ProblemSchema,
            503: ProblemSchema,
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const userId = userIdFor(request.principal, request.body.userId);
        const filter = withEmbeddedFilters(request.principal, request.body.filters);
        return recommend.recommend(tenantOf(request), { ...request.body, userId }, filter);
      },
    );
  };

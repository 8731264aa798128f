// GET /v1/stats/series: the recent windows, for the operator (everything) or a tenant admin (its own).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_RESPONSES, StatsSeriesQuerySchema, StatsSeriesSchema } from '@quiver/contracts';
import { readerOf } from '../../kernel/index.ts';
import type { StatsService } from './service.ts';

export const statsRoutes =
  (service: StatsService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/stats/series',
      {
        config: { access: { operator: true, scope: 'admin' } },
        schema: {
          tags: ['stats'],
          summary:
            'Requests/s, p50/p99, error rate, cache hit ratio, batch sizes, stream lag and per-tenant compute over recent windows, summed over replicas',
          querystring: StatsSeriesQuerySchema,
          response: { 200: StatsSeriesSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => service.series(readerOf(request.principal), request.query.minutes),
    );
  };

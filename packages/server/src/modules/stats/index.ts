// The stats module's public surface: recent-window series shared by replicas through the SQL port.
import type { FastifyInstance } from 'fastify';
import { observeResponses, routeConfigOf } from '../../http/index.ts';
import type { QuiverModule } from '../../kernel/index.ts';
import { statsRoutes } from './routes.ts';
import {
  createStatsService,
  DEFAULT_STATS_FLUSH_MS,
  type StatsDeps,
  type StatsOptions,
  type StatsService,
} from './service.ts';

export { statsMigrations } from './migrations.ts';
export {
  createStatsService,
  DEFAULT_STATS_WINDOW_S,
  type StatsService,
} from './service.ts';

export interface StatsModuleOptions extends StatsOptions {
  flushMs?: number;
}

/** Counts every answered request (a response observer on the app) and flushes on a timer it owns. */
export const createStatsModule = (
  deps: StatsDeps & { app: FastifyInstance; log: { warn(obj: object, msg: string): void } },
  options: StatsModuleOptions = {},
): QuiverModule<StatsService> => {
  const stats = createStatsService(deps, options);
  observeResponses(deps.app, (request, reply) => {
    const p = request.principal;
    stats.observe({
      route: routeConfigOf(request).url,
      tenantId: p?.kind === 'tenant' ? p.tenantId : undefined,
      statusCode: reply.statusCode,
      elapsedMs: reply.elapsedTime,
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const flush = () =>
    stats.flush().catch((err: unknown) => deps.log.warn({ err }, 'writing the stats windows failed'));
  return {
    service: stats,
    routes: statsRoutes(stats),
    start() {
      clearInterval(timer);
      timer = setInterval(flush, options.flushMs ?? DEFAULT_STATS_FLUSH_MS);
      timer.unref();
    },
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
};

// The usage module's public surface: per-tenant metering and monthly quotas, shared by replicas via SQL.
import type { FastifyInstance } from 'fastify';
import { observeResponses, routeConfigOf } from '../../http/index.ts';
import type { ModuleLog, QuiverModule } from '../../kernel/index.ts';
import { usageRoutes } from './routes.ts';
import {
  createUsageService,
  DEFAULT_USAGE_FLUSH_MS,
  type UsageDeps,
  type UsageMeter,
  type UsageService,
} from './service.ts';

export { type LevelSources, readLevels } from './levels.ts';
export { usageMigrations } from './migrations.ts';
export type {
  CountedMetric,
  QuotaKind,
  TenantLevels,
  UsageMeter,
  UsageService,
} from './service.ts';
export { createUsageService } from './service.ts';

/** For modules built without metering (tests, benches): counts nothing, admits everything. */
export const NO_USAGE: UsageMeter = { count: () => {}, admit: () => {} };

export const DEFAULT_LEVELS_SAMPLE_MS = 60_000;

export interface UsageModuleOptions {
  /** How often counts are written and quotas reloaded; default 5 s. */
  flushMs?: number;
  /** How often stored amounts are sampled; default a minute. */
  levelsMs?: number;
}

/** The API a route belongs to, for requests by API: its scope's family (`events:write` → `events`). */
const apiOf = (scope: string | undefined): string => (scope ? scope.split(':')[0] : 'other');

/**
 * Counts every answered request of a tenant key by API (a response observer on the app) and writes the
 * counts on a timer it owns; the last flush runs at close.
 */
export const createUsageModule = (
  deps: UsageDeps & { app: FastifyInstance; log: ModuleLog },
  options: UsageModuleOptions = {},
): QuiverModule<UsageService> => {
  const usage = createUsageService(deps);
  // The API's name is worked out once per scope.
  const apis = new Map<string | undefined, string>();
  observeResponses(deps.app, (request) => {
    const p = request.principal;
    if (p?.kind === 'tenant') {
      const scope = routeConfigOf(request).access?.scope;
      let api = apis.get(scope);
      if (api === undefined) {
        api = apiOf(scope);
        apis.set(scope, api);
      }
      usage.countRequest(p.tenantId, api);
    }
  });
  const timers: NodeJS.Timeout[] = [];
  const flush = () =>
    usage.flush().catch((err: unknown) => deps.log.warn({ err }, 'writing the usage counters failed'));
  const sample = () =>
    usage.sampleLevels().catch((err: unknown) => deps.log.warn({ err }, 'sampling stored amounts failed'));
  return {
    service: usage,
    routes: usageRoutes(usage),
    async start() {
      await flush();
      timers.push(setInterval(flush, options.flushMs ?? DEFAULT_USAGE_FLUSH_MS));
      timers.push(setInterval(sample, options.levelsMs ?? DEFAULT_LEVELS_SAMPLE_MS));
      for (const t of timers) t.unref();
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await flush();
    },
  };
};

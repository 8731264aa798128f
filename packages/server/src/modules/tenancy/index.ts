// The tenancy module's public surface.
import type { ModuleLog, QuiverModule } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import { createAuthCaches } from './auth-cache.ts';
import { type AuthEpochWatch, watchAuthEpoch } from './auth-epoch.ts';
import { tenancyRoutes } from './routes.ts';
import { createTenancyService, type TenancyDeps, type TenancyService } from './service.ts';

export { AUTH_EPOCH_POLL_MS, AUTH_EPOCH_STALE_MS } from './auth-epoch.ts';
export { tenancyMigrations } from './migrations.ts';
export { actorOf, hasScope, type Principal, type TenantPrincipal, userIdFor } from './principal.ts';
export { tenancyRoutes } from './routes.ts';
export {
  createTenancyService,
  SETTINGS_TTL_MS,
  type SettingsListener,
  type TenancyDeps,
  type TenancyService,
} from './service.ts';

/**
 * How long a verified key or a tenant's signing secret is reused from memory. Embedded mode drops entries
 * exactly (every change passes through this process); on PostgreSQL the auth epoch drops them on every
 * replica within AUTH_EPOCH_STALE_MS of a change.
 */
export const AUTH_CACHE_TTL_MS = 60_000;

export interface TenancyModuleDeps extends Omit<TenancyDeps, 'caches'> {
  log?: ModuleLog;
  metrics?: Metrics;
}

/** Tenants, keys and the audit log; on PostgreSQL it polls the auth epoch while it runs. */
export const createTenancyModule = (deps: TenancyModuleDeps): QuiverModule<TenancyService> => {
  let epoch: AuthEpochWatch | undefined;
  const bypassed = deps.metrics?.counter(
    'auth_cache_bypassed_total',
    'Authentication lookups read from the database because the auth epoch was not known to be current',
    [],
  );
  const caches = createAuthCaches({
    ttlMs: AUTH_CACHE_TTL_MS,
    clock: deps.clock,
    // Until the epoch has been read (and again whenever polling falls behind) every lookup reads the database.
    usable: () => {
      if (epoch === undefined || epoch.fresh()) return true;
      bypassed?.inc();
      return false;
    },
  });
  if (deps.db.dialect === 'postgres') {
    epoch = watchAuthEpoch({
      db: deps.db,
      onChange: caches.clear,
      onError: (err) => deps.log?.warn({ err }, 'auth epoch poll failed; authenticating from the database'),
    });
  }
  const tenancy = createTenancyService({ ...deps, caches });
  return {
    service: tenancy,
    routes: tenancyRoutes(tenancy),
    start: () => epoch?.start(),
    close: () => epoch?.close(),
  };
};

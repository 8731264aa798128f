// The tenancy module's public surface.
import type { QuiverModule } from '../../kernel/index.ts';
import { tenancyRoutes } from './routes.ts';
import { createTenancyService, type TenancyDeps, type TenancyService } from './service.ts';

export { tenancyMigrations } from './migrations.ts';
export { actorOf, hasScope, type Principal, type TenantPrincipal, userIdFor } from './principal.ts';
export { tenancyRoutes } from './routes.ts';
export { createTenancyService, type TenancyDeps, type TenancyService } from './service.ts';

/** Embedded: this process makes every key change, so a cached lookup is invalidated exactly. */
export const EMBEDDED_AUTH_CACHE_TTL_MS = 60_000;

/** Tenants, keys and the audit log; opens nothing. */
export const createTenancyModule = (
  deps: Omit<TenancyDeps, 'authCacheTtlMs'>,
): QuiverModule<TenancyService> => {
  const tenancy = createTenancyService({
    ...deps,
    authCacheTtlMs: deps.db.dialect === 'sqlite' ? EMBEDDED_AUTH_CACHE_TTL_MS : 0,
  });
  return { service: tenancy, routes: tenancyRoutes(tenancy) };
};

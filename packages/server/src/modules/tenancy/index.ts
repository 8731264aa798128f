// The tenancy module's public surface.
export { tenancyMigrations } from './migrations.ts';
export { actorOf, hasScope, type Principal, type TenantPrincipal, userIdFor } from './principal.ts';
export { tenancyRoutes } from './routes.ts';
export { createTenancyService, type TenancyService } from './service.ts';

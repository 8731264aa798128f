// The tenancy module's public surface.
export { tenancyMigrations } from './migrations.ts';
export { actorOf, hasScope, type Principal } from './principal.ts';
export { tenancyRoutes } from './routes.ts';
export { createTenancyService, type TenancyService } from './service.ts';

// The catalog module's public surface.
export { catalogMigrations } from './migrations.ts';
export { catalogRoutes } from './routes.ts';
export { type CatalogService, createCatalogService } from './service.ts';

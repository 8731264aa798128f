// The catalog module's public surface.
export { catalogMigrations } from './migrations.ts';
export { CATALOG_TOPIC_FAMILY, type CatalogRelay, createCatalogRelay } from './relay.ts';
export { catalogRoutes } from './routes.ts';
export { type CatalogService, createCatalogService } from './service.ts';

// The search module's public surface.
export { type Filter, matches, parseFilter, underCategory, withEmbeddedFilters } from './filters.ts';
export { searchMigrations } from './migrations.ts';
export type { VectorRetriever } from './ports.ts';
export { searchRoutes } from './routes.ts';
export { createSearchService, type SearchDeps, type SearchService } from './service.ts';

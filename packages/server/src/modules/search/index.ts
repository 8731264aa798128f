// The search module's public surface.
export { type Filter, matches, parseFilter, underCategory, withEmbeddedFilters } from './filters.ts';
export { searchMigrations } from './migrations.ts';
export { createOnnxRanker, RANKER_MODEL } from './onnx-ranker.ts';
export type { SecondPhaseScorer, VectorRetriever } from './ports.ts';
export { searchRoutes } from './routes.ts';
export { createSearchService, type SearchDeps, type SearchService } from './service.ts';

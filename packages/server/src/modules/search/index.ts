// The search module's public surface.
import { type ModuleLog, type QuiverModule, sha256Hex } from '../../kernel/index.ts';
import type { FeaturesService } from '../features/index.ts';
import type { RegistryService } from '../registry/index.ts';
import type { RoutingService } from '../routing/index.ts';
import type { TenancyService } from '../tenancy/index.ts';
import { createEndpointRanker } from './endpoint-ranker.ts';
import { searchRoutes } from './routes.ts';
import { createSearchService, type SearchDeps } from './service.ts';
import type { SearchService } from './types.ts';

export { ensureRankerEndpoint, SEARCH_RANKER_ENDPOINT } from './endpoint-ranker.ts';
export { type Filter, matches, parseFilter, underCategory, withEmbeddedFilters } from './filters.ts';
export { searchMigrations } from './migrations.ts';
export {
  createOnnxRanker,
  linearRankerVersion,
  linearRankerWeights,
  RANKER_MODEL,
  registerBuiltinRanker,
} from './onnx-ranker.ts';
export type { SecondPhaseScorer, VectorRetriever } from './ports.ts';
export { DEFAULT_RERANK, RERANK_FEATURES } from './rerank.ts';
export { searchRoutes } from './routes.ts';
export {
  createSearchService,
  type SearchDeps,
  VECTORS_OFF_NOTICE,
  VECTORS_WARMING_NOTICE,
} from './service.ts';
export type { RankerCandidate, SearchService } from './types.ts';

const WARM_PAGE = 100;

export interface SearchModuleDeps extends Omit<SearchDeps, 'ranker' | 'features' | 'onError'> {
  /** The second-phase ranker is a registry model behind the tenant's `search-ranker` endpoint. */
  registry: RegistryService;
  routing: Pick<RoutingService, 'get' | 'put' | 'infer'>;
  features: Pick<FeaturesService, 'getOnlineFeatures'>;
  /** Whose indexes to warm at start; whose vectors are on. */
  tenancy: Pick<TenancyService, 'listTenants' | 'settings'>;
  log: ModuleLog;
}

export interface SearchModuleOptions {
  /** With the data dir, names this process's index consumer on a shared JetStream. */
  databaseUrl?: string;
  dataDir: string;
}

/**
 * Search over in-memory indexes: starts the catalog feed consumer, then warms every tenant's index in the
 * background (not awaited: a search before its tenant's build waits for it); close stops both.
 */
export const createSearchModule = (
  { registry, routing, features, tenancy, log, ...deps }: SearchModuleDeps,
  { databaseUrl, dataDir }: SearchModuleOptions,
): QuiverModule<SearchService> => {
  const search = createSearchService(
    {
      ...deps,
      ranker: createEndpointRanker({ registry, routing }),
      vectorsOn: async (tenantId) => (await tenancy.settings(tenantId)).vectors,
      features: features.getOnlineFeatures,
      onError: (err) => log.warn({ err }, 'search index sync failed'),
    },
    {
      // Indexes live in this process: on a shared JetStream each database's servers get their own consumer.
      consumerName:
        deps.stream.kind === 'jetstream'
          ? `search-${sha256Hex(`${databaseUrl}|${dataDir}`).slice(0, 16)}`
          : undefined,
    },
  );
  const warm = async () => {
    for (let cursor: string | undefined; ; ) {
      const page = await tenancy.listTenants(WARM_PAGE, cursor);
      await search.warm(page.rows.map((t) => t.id));
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  };
  return {
    service: search,
    routes: searchRoutes(search),
    async start() {
      await search.start();
      void warm().catch((err) => log.warn({ err }, 'search index warm-up failed'));
    },
    close: () => search.stop(),
  };
};

// The search module's public surface.
import { createWarmUp, type ModuleLog, type QuiverModule, sha256Hex } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import type { FeaturesService } from '../features/index.ts';
import type { RegistryService } from '../registry/index.ts';
import type { RoutingService } from '../routing/index.ts';
import type { TenancyService } from '../tenancy/index.ts';
import { createEndpointRanker } from './endpoint-ranker.ts';
import { searchRoutes } from './routes.ts';
import { createSearchService, type SearchDeps } from './service.ts';
import type { SearchService } from './types.ts';

export { ensureRankerEndpoint, SEARCH_RANKER_ENDPOINT } from './endpoint-ranker.ts';
export { EXPLORE_FROM, EXPLORE_TO, exploreRanking } from './explore.ts';
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
export {
  FieldTerms,
  NARROW_WIDTH,
  WIDE_RANKER_FEATURES,
  WIDE_WIDTH,
  wideIndexes,
  wideRows,
} from './ranker-features.ts';
export { DEFAULT_RERANK, RERANK_FEATURES } from './rerank.ts';
export { searchRoutes } from './routes.ts';
export { decodeSearchId, newSearchId } from './search-id.ts';
export {
  createSearchService,
  type SearchDeps,
  VECTORS_OFF_NOTICE,
  VECTORS_WARMING_NOTICE,
} from './service.ts';
export {
  linearPart,
  quantizeLeaf,
  type RegressionTree,
  scoreTrees,
  type TreeEnsemble,
  treeRankerFeatures,
  treeRankerGraph,
  treeRankerVersion,
  treesFromGraph,
} from './tree-ranker.ts';
export type { RankerCandidate, SearchService } from './types.ts';

const WARM_PAGE = 100;

/** Its name in /readyz's `warming` while the tenants' indexes are being built at start. */
export const SEARCH_WARM_UP = 'search-indexes';

export interface SearchModuleDeps extends Omit<SearchDeps, 'ranker' | 'features' | 'onError' | 'onIndexes'> {
  /** The second-phase ranker is a registry model behind the tenant's `search-ranker` endpoint. */
  registry: RegistryService;
  routing: Pick<RoutingService, 'get' | 'put' | 'infer'>;
  features: Pick<FeaturesService, 'getOnlineFeatures'>;
  /** Whose indexes to warm at start; whose vectors are on. */
  tenancy: Pick<TenancyService, 'listTenants' | 'settings'>;
  log: ModuleLog;
  metrics: Metrics;
}

export interface SearchModuleOptions {
  /** With the data dir, names this process's index consumer on a shared JetStream. */
  databaseUrl?: string;
  dataDir: string;
}

/**
 * Search over in-memory indexes. `start` (a serving replica's) starts the catalog feed consumer, then builds
 * every tenant's index in the background: the warm-up /readyz waits for (a search before its tenant's build
 * waits for it). `work` starts the analytics consumer. Close stops all.
 */
export const createSearchModule = (
  { registry, routing, features, tenancy, log, metrics, ...deps }: SearchModuleDeps,
  { databaseUrl, dataDir }: SearchModuleOptions,
): QuiverModule<SearchService> => {
  const indexGauge = metrics.gauge('search_indexes', "Tenants' keyword indexes this replica holds", []);
  const itemGauge = metrics.gauge('search_index_items', "Items in this replica's keyword indexes", []);
  const search = createSearchService(
    {
      ...deps,
      ranker: createEndpointRanker({ registry, routing }),
      settings: async (tenantId) => {
        const { vectors, searchExploration } = await tenancy.settings(tenantId);
        return { vectors, exploration: searchExploration ?? 0 };
      },
      features: features.getOnlineFeatures,
      onError: (err) => log.warn({ err }, 'search index sync failed'),
      onIndexes: ({ indexes, items }) => {
        indexGauge.set(indexes);
        itemGauge.set(items);
      },
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
  const warmUp = createWarmUp(SEARCH_WARM_UP);
  let closed = false;
  return {
    service: search,
    routes: searchRoutes(search),
    async start() {
      await search.start();
      warmUp.run(warm, (err) => {
        if (!closed) log.warn({ err }, 'search index warm-up failed; indexes build on first use');
      });
    },
    work: () => search.work(),
    warmUp,
    async close() {
      closed = true;
      await search.stop();
      await warmUp.settled();
    },
  };
};

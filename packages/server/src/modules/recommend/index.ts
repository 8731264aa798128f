// The recommend module's public surface: the recommender model contract and its ONNX graph builders,
// and serving (POST /v1/recommendations).
import type { KvStore } from '../../adapters/kv/index.ts';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import type { Stream } from '../../adapters/stream/index.ts';
import type { Clock, ModuleLog, QuiverModule } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import type { FeaturesService } from '../features/index.ts';
import type { InferenceService } from '../inference/index.ts';
import type { RegistryService } from '../registry/index.ts';
import type { RoutingService } from '../routing/index.ts';
import type { SearchService } from '../search/index.ts';
import type { VectorsService } from '../vectors/index.ts';
import { createUserHistoryStore } from './repository.ts';
import { recommendRoutes } from './routes.ts';
import { createRecommendService, type RecommendService } from './service.ts';
import { createSessionTracker } from './sessions.ts';

export {
  CONTRACT_VERSION,
  candidatesOf,
  contractOf,
  DEFAULT_SCORES_TOP_K,
  DEFAULT_TOP_K,
  type FactorsSpec,
  factorsGraph,
  INPUT_ITEMS,
  INPUT_WEIGHTS,
  MODEL_OF_KIND,
  type NeighboursSpec,
  neighboursGraph,
  OUTPUT_IDS,
  OUTPUT_SCORES,
  PADDING_ID,
  RECOMMENDER_FRAMEWORK,
  RECOMMENDER_KINDS,
  type RecommenderGraph,
  type RecommenderInfo,
  type RecommenderKind,
  readCandidates,
  recommenderInfo,
  recommenderMetadata,
  recommenderRequest,
  SCENARIO_ENDPOINTS,
  SCENARIOS,
  type Scenario,
  type ScoresSpec,
  scoresGraph,
  topKOf,
} from './artifact.ts';
export { recommendMigrations } from './migrations.ts';
export {
  buildRecommender,
  ensureRecommenderModel,
  ensureScenarioEndpoints,
  type RecommenderSpec,
} from './publish.ts';
export {
  createUserHistoryStore,
  type HistoryEntry,
  type UserHistoryRow,
  type UserHistoryStore,
} from './repository.ts';
export { recommendRoutes } from './routes.ts';
export { createRecommendService, type RecommendDeps, type RecommendService } from './service.ts';
export { createSessionTracker, type SessionItems, type SessionTracker } from './sessions.ts';
export { type UserKnnSpec, userKnnGraph } from './userknn-graph.ts';

export interface RecommendModuleDeps {
  /** The session tracker's consumer reads item events and keeps recent items in the KV store. */
  stream: Stream;
  kv: KvStore;
  /** The user-history table (each known customer's items as of the last training run). */
  db: SqlDatabase;
  metrics: Metrics;
  clock: Clock;
  /** Scenario endpoints. */
  routing: Pick<RoutingService, 'infer'>;
  /** One version's outputs, for explanations. */
  inference: Pick<InferenceService, 'inferViews'>;
  registry: Pick<RegistryService, 'resolver'>;
  /** The tenant's items by id. */
  search: Pick<SearchService, 'items'>;
  /** The user's history. */
  features: Pick<FeaturesService, 'getOnlineFeatures'>;
  /** Cold items: nearest items by text. */
  vectors: Pick<VectorsService, 'query'>;
  log: ModuleLog;
}

/**
 * Recommendations: scenario endpoints (routing) over the search module's items, the feature store's user
 * history and the session tracker's recent items; cold items fall back to the vectors index. Starts the
 * session tracker, and stops it.
 */
export const createRecommendModule = (
  deps: RecommendModuleDeps,
  options: { namespace?: string },
): QuiverModule<RecommendService> => {
  const { stream, kv, clock, routing, inference, registry, log } = deps;
  const fallbacks = deps.metrics.counter(
    'recommend_fallbacks_total',
    'Recommendation answers that fell back (for-user answered trending), by scenario, reason and tenant',
    ['scenario', 'reason', 'tenant'],
  );
  const sessions = createSessionTracker(
    { stream, kv, clock, onError: (err) => log.warn({ err }, 'session tracker failed') },
    options,
  );
  const recommend = createRecommendService({
    infer: routing.infer,
    inferVersion: (tenantId, model, version, body) => inference.inferViews(tenantId, model, version, body),
    resolve: registry.resolver.resolve,
    items: deps.search,
    features: deps.features.getOnlineFeatures,
    userHistory: createUserHistoryStore(deps.db),
    clock,
    onFallback: (tenant, scenario, reason) => fallbacks.inc({ scenario, reason, tenant }),
    sessions,
    vectors: deps.vectors,
  });
  return {
    service: recommend,
    routes: recommendRoutes(recommend),
    start: () => sessions.start(),
    close: () => sessions.stop(),
  };
};

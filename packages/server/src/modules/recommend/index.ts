// The recommend module's public surface: the recommender model contract and its ONNX graph builders,
// and serving (POST /v1/recommendations).
export {
  candidatesOf,
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
export {
  buildRecommender,
  ensureRecommenderModel,
  ensureScenarioEndpoints,
  type RecommenderSpec,
} from './publish.ts';
export { recommendRoutes } from './routes.ts';
export { createRecommendService, type RecommendDeps, type RecommendService } from './service.ts';
export { createSessionTracker, type SessionItems, type SessionTracker } from './sessions.ts';

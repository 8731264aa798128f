// Publishing a recommender graph: the artifact, its model in the registry, and the scenario endpoints that
// route to its `champion` (created when missing, never changed when present). The training module publishes
// through these; tests and benchmarks too.
import { isQuiverError } from '../../kernel/index.ts';
import { DEFAULT_ALIAS, type RegistryService } from '../registry/index.ts';
import type { RoutingService } from '../routing/index.ts';
import {
  type FactorsSpec,
  factorsGraph,
  MODEL_OF_KIND,
  type NeighboursSpec,
  neighboursGraph,
  type RecommenderGraph,
  type RecommenderKind,
  SCENARIO_ENDPOINTS,
  type ScoresSpec,
  scoresGraph,
  topKOf,
} from './artifact.ts';
import { type UserKnnSpec, userKnnGraph } from './userknn-graph.ts';

export type RecommenderSpec =
  | { graph: 'neighbours'; spec: NeighboursSpec }
  | { graph: 'factors'; spec: FactorsSpec }
  | { graph: 'scores'; spec: ScoresSpec }
  | { graph: 'userknn'; spec: UserKnnSpec };

/** The ONNX artifact of a spec, with its graph kind and K (for `metadata.recommender`). */
export const buildRecommender = (
  s: RecommenderSpec,
): { bytes: Buffer; graph: RecommenderGraph; topK: number } => {
  const bytes =
    s.graph === 'neighbours'
      ? neighboursGraph(s.spec)
      : s.graph === 'factors'
        ? factorsGraph(s.spec)
        : s.graph === 'userknn'
          ? userKnnGraph(s.spec)
          : scoresGraph(s.spec);
  return { bytes, graph: s.graph, topK: topKOf(s.spec.ids.length, s.graph, s.spec.topK) };
};

/** Creates the kind's registry model unless it exists (a concurrent creation is fine). */
export const ensureRecommenderModel = async (
  registry: Pick<RegistryService, 'getModel' | 'createModel'>,
  tenantId: string,
  kind: RecommenderKind,
): Promise<string> => {
  const name = MODEL_OF_KIND[kind];
  try {
    await registry.getModel(tenantId, name);
    return name;
  } catch (error) {
    if (!isQuiverError(error) || error.code !== 'not_found') throw error;
  }
  try {
    await registry.createModel(tenantId, {
      name,
      task: 'recommendation',
      description: `${kind} recommender`,
    });
  } catch (raced) {
    if (!isQuiverError(raced) || raced.code !== 'already_exists') throw raced;
  }
  return name;
};

/** Creates each scenario endpoint served by this kind that does not exist yet; returns the created names. */
export const ensureScenarioEndpoints = async (
  routing: Pick<RoutingService, 'get' | 'put'>,
  tenantId: string,
  kind: RecommenderKind,
): Promise<string[]> => {
  const created: string[] = [];
  for (const { endpoint, kind: k, alsoBy } of Object.values(SCENARIO_ENDPOINTS)) {
    if (k !== kind && !alsoBy?.includes(kind)) continue;
    try {
      await routing.get(tenantId, endpoint);
      continue;
    } catch (error) {
      if (!isQuiverError(error) || error.code !== 'not_found') throw error;
    }
    const put = await routing.put(tenantId, endpoint, {
      routes: [{ model: MODEL_OF_KIND[kind], alias: DEFAULT_ALIAS, weight: 100 }],
    });
    if (put.created) created.push(endpoint);
  }
  return created;
};

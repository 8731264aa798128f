// Helpers for recommendation tests and the benchmark: publish a recommender graph the way the training
// module does (a registry version of `recs-<kind>`, alias `champion`, the scenario's endpoint when missing).
import type { QuiverApp } from '../../app.ts';
import { isQuiverError } from '../../kernel/index.ts';
import {
  DEFAULT_SCORES_TOP_K,
  DEFAULT_TOP_K,
  type FactorsSpec,
  factorsGraph,
  MODEL_OF_KIND,
  type NeighboursSpec,
  neighboursGraph,
  type RecommenderKind,
  recommenderMetadata,
  SCENARIO_ENDPOINTS,
  type ScoresSpec,
  scoresGraph,
} from './artifact.ts';

export const CHAMPION = 'champion';

type Spec =
  | { graph: 'neighbours'; spec: NeighboursSpec }
  | { graph: 'factors'; spec: FactorsSpec }
  | { graph: 'scores'; spec: ScoresSpec };

const build = (s: Spec): Buffer =>
  s.graph === 'neighbours'
    ? neighboursGraph(s.spec)
    : s.graph === 'factors'
      ? factorsGraph(s.spec)
      : scoresGraph(s.spec);

/** Uploads a recommender version of `kind`, points `champion` at it and creates the endpoint if missing. */
export const publishRecommender = async (
  app: Pick<QuiverApp, 'registry' | 'routing'>,
  tenantId: string,
  kind: RecommenderKind,
  s: Spec,
): Promise<number> => {
  const model = MODEL_OF_KIND[kind];
  try {
    await app.registry.createModel(tenantId, { name: model });
  } catch (error) {
    if (!isQuiverError(error) || error.code !== 'already_exists') throw error;
  }
  const artifact = build(s);
  const n = s.spec.ids.length;
  const k = Math.min(n + 1, s.spec.topK ?? (s.graph === 'scores' ? DEFAULT_SCORES_TOP_K : DEFAULT_TOP_K));
  const { version } = await app.registry.uploadVersion(tenantId, model, {
    artifact,
    metadata: recommenderMetadata({ info: { kind, graph: s.graph, items: n, topK: k } }),
  });
  await app.registry.setAlias(tenantId, model, CHAMPION, version.version);
  for (const { endpoint, kind: k2 } of Object.values(SCENARIO_ENDPOINTS)) {
    if (k2 !== kind) continue;
    try {
      await app.routing.get(tenantId, endpoint);
    } catch (error) {
      if (!isQuiverError(error) || error.code !== 'not_found') throw error;
      await app.routing.put(tenantId, endpoint, { routes: [{ model, alias: CHAMPION, weight: 1 }] });
    }
  }
  return version.version;
};

/** A neighbour table from adjacency lists: id → [neighbour id, weight][]. */
export const neighbourTable = (
  ids: readonly string[],
  lists: Readonly<Record<string, readonly [string, number][]>>,
): NeighboursSpec => {
  const m = Math.max(1, ...Object.values(lists).map((l) => l.length));
  const row = new Map(ids.map((id, i) => [id, i]));
  const neighbours = new Int32Array(ids.length * m).fill(-1);
  const weights = new Float32Array(ids.length * m);
  ids.forEach((id, i) => {
    (lists[id] ?? []).forEach(([to, w], j) => {
      neighbours[i * m + j] = row.get(to)!;
      weights[i * m + j] = w;
    });
  });
  return { ids, m, neighbours, weights };
};

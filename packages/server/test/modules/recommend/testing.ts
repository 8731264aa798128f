// Helpers for recommendation tests and the benchmark: publish a recommender graph the way the training
// module does (a registry version of `recs-<kind>`, alias `champion`, the scenario's endpoint when missing).
import type { QuiverApp } from '../../../src/app.ts';
import {
  type NeighboursSpec,
  type RecommenderKind,
  recommenderMetadata,
} from '../../../src/modules/recommend/artifact.ts';
import {
  buildRecommender,
  ensureRecommenderModel,
  ensureScenarioEndpoints,
  type RecommenderSpec,
} from '../../../src/modules/recommend/publish.ts';
import { DEFAULT_ALIAS } from '../../../src/modules/registry/index.ts';

export const CHAMPION = DEFAULT_ALIAS;

/** Uploads a recommender version of `kind`, points `champion` at it and creates the endpoint if missing. */
export const publishRecommender = async (
  app: Pick<QuiverApp, 'registry' | 'routing'>,
  tenantId: string,
  kind: RecommenderKind,
  s: RecommenderSpec,
): Promise<number> => {
  const model = await ensureRecommenderModel(app.registry, tenantId, kind);
  const { bytes, graph, topK } = buildRecommender(s);
  const { version } = await app.registry.uploadVersion(tenantId, model, {
    artifact: bytes,
    metadata: recommenderMetadata({ info: { kind, graph, items: s.spec.ids.length, topK } }),
  });
  await app.registry.setAlias(tenantId, model, CHAMPION, version.version);
  await ensureScenarioEndpoints(app.routing, tenantId, kind);
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

// Publishing a run: the ONNX artifact (recommend's builders), a registry version with the offline metrics,
// the promotion gate on the `champion` alias, and the scenario endpoints routing to it when missing.
import type { PromoteMode, RecommenderKind } from '@quiver/contracts';
import { isQuiverError } from '../../kernel/index.ts';
import {
  buildRecommender,
  contractOf,
  ensureRecommenderModel,
  ensureScenarioEndpoints,
  recommenderMetadata,
} from '../recommend/index.ts';
import { DEFAULT_ALIAS, type RegistryService } from '../registry/index.ts';
import type { RoutingService } from '../routing/index.ts';
import type { Fitted } from './model.ts';

export const GATE_METRIC = 'ndcg@10';

export interface PublishDeps {
  registry: Pick<RegistryService, 'getModel' | 'createModel' | 'uploadVersion' | 'getVersion' | 'setAlias'>;
  routing: Pick<RoutingService, 'get' | 'put'>;
}

export interface Promotion {
  decision: 'promoted' | 'blocked' | 'skipped';
  reason: string;
  candidate: number | null;
  champion: number | null;
  championVersion: number | null;
}

/** The gate: `if-better` promotes when the candidate's NDCG@10 ≥ the champion's, or there is no champion. */
export const decidePromotion = (
  mode: PromoteMode,
  candidate: number | null,
  champion: { version: number; value: number | null } | null,
): Promotion => {
  const base = {
    candidate,
    champion: champion?.value ?? null,
    championVersion: champion?.version ?? null,
  };
  if (mode === 'never') return { decision: 'skipped', reason: "promote is 'never'", ...base };
  if (mode === 'always') return { decision: 'promoted', reason: "promote is 'always'", ...base };
  if (!champion) return { decision: 'promoted', reason: 'no champion yet', ...base };
  if (champion.value === null)
    return { decision: 'promoted', reason: `the champion has no ${GATE_METRIC}`, ...base };
  if (candidate !== null && candidate >= champion.value)
    return {
      decision: 'promoted',
      reason: `${GATE_METRIC} ${candidate} ≥ champion's ${champion.value}`,
      ...base,
    };
  return {
    decision: 'blocked',
    reason: `${GATE_METRIC} ${candidate ?? 'none'} < champion v${champion.version}'s ${champion.value}`,
    ...base,
  };
};

export const buildArtifact = (fitted: Fitted) => {
  const { model, ids } = fitted;
  if (model.graph === 'neighbours')
    return buildRecommender({
      graph: 'neighbours',
      spec: { ids, neighbours: model.table.neighbours, weights: model.table.weights, m: model.table.m },
    });
  if (model.graph === 'factors')
    return buildRecommender({
      graph: 'factors',
      spec: { ids, factors: model.items, dim: model.f, projection: model.projection },
    });
  if (model.graph === 'userknn') {
    const t = model.tables;
    return buildRecommender({
      graph: 'userknn',
      spec: {
        ids,
        users: t.users,
        k: t.k,
        sharpen: t.sharpen,
        itemUsers: t.itemUsers.neighbours,
        itemUserWeights: t.itemUsers.weights,
        mu: t.itemUsers.m,
        userItems: t.userItems.neighbours,
        userItemWeights: t.userItems.weights,
        mi: t.userItems.m,
      },
    });
  }
  return buildRecommender({ graph: 'scores', spec: { ids, scores: model.scores } });
};

const championOf = async (deps: PublishDeps, tenantId: string, name: string) => {
  try {
    const v = await deps.registry.getVersion(tenantId, name, DEFAULT_ALIAS);
    if (!v.aliases.includes(DEFAULT_ALIAS)) return null; // no alias: resolve fell back to the latest
    const metrics = (v.metadata.metrics ?? {}) as Record<string, number>;
    return {
      version: v.version,
      value: typeof metrics[GATE_METRIC] === 'number' ? metrics[GATE_METRIC] : null,
    };
  } catch (error) {
    if (isQuiverError(error) && error.code === 'not_found') return null;
    throw error;
  }
};

export interface PublishInput {
  tenantId: string;
  runId: string;
  kind: RecommenderKind;
  fitted: Fitted;
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  trainingWindow?: { from: string; to: string };
  promote: PromoteMode;
}

export interface Published {
  model: { name: string; version: number };
  promotion: Promotion;
  endpoints: string[];
}

export const publish = async (deps: PublishDeps, input: PublishInput): Promise<Published> => {
  const { tenantId, kind } = input;
  const artifact = buildArtifact(input.fitted);
  const name = await ensureRecommenderModel(deps.registry, tenantId, kind);
  const metadata = recommenderMetadata({
    info: {
      kind,
      graph: artifact.graph,
      ...(contractOf(artifact.graph) > 1 ? { contract: contractOf(artifact.graph) } : {}),
      items: input.fitted.ids.length,
      topK: artifact.topK,
      runId: input.runId,
      params: input.params,
    },
    trainingWindow: input.trainingWindow,
    metrics: input.metrics,
  });
  const { version } = await deps.registry.uploadVersion(tenantId, name, {
    artifact: artifact.bytes,
    metadata,
  });
  const champion = await championOf(deps, tenantId, name);
  const promotion =
    champion?.version === version.version
      ? {
          ...decidePromotion('always', input.metrics[GATE_METRIC] ?? null, champion),
          reason: 'already the champion (same artifact)',
        }
      : decidePromotion(input.promote, input.metrics[GATE_METRIC] ?? null, champion);
  if (promotion.decision === 'promoted' && champion?.version !== version.version)
    await deps.registry.setAlias(tenantId, name, DEFAULT_ALIAS, version.version);
  const hasChampion = promotion.decision === 'promoted' || champion !== null;
  const endpoints = hasChampion ? await ensureScenarioEndpoints(deps.routing, tenantId, kind) : [];
  return { model: { name, version: version.version }, promotion, endpoints };
};

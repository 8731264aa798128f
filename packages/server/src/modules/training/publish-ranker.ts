// Publishing a search-ranker run: the linear ranker as an ONNX graph, a `quiver-search-ranker` version with
// its offline metrics, the promotion gate on `champion` (the candidate's NDCG@10 on held-out queries against
// the current ranker's, measured in the same run), and the tenant's `search-ranker` endpoint when missing.
import type { PromoteMode } from '@quiver/contracts';
import { DEFAULT_ALIAS } from '../registry/index.ts';
import {
  ensureRankerEndpoint,
  linearRankerVersion,
  linearRankerWeights,
  RANKER_MODEL,
  registerBuiltinRanker,
  SEARCH_RANKER_ENDPOINT,
} from '../search/index.ts';
import type { RankerMetrics, RankerWeights } from './ltr.ts';
import { decidePromotion, GATE_METRIC, type PublishDeps, type Published } from './publish.ts';

export const RANKER_FRAMEWORK = 'quiver-search-ranker-trainer';

/** The ranker serving as `champion` now (the built-in one registered first when the tenant has none). */
export const currentRanker = async (
  deps: PublishDeps,
  tenantId: string,
): Promise<{ version: number; weights: RankerWeights | null }> => {
  await registerBuiltinRanker(deps.registry, tenantId);
  const v = await deps.registry.getVersion(tenantId, RANKER_MODEL, DEFAULT_ALIAS);
  return { version: v.version, weights: linearRankerWeights(v.metadata) ?? null };
};

export interface RankerPublishInput {
  tenantId: string;
  runId: string;
  weights: RankerWeights;
  metrics: RankerMetrics | null;
  /** The current ranker measured on the same queries (null: no test queries, or weights Quiver cannot read). */
  baseline: RankerMetrics | null;
  current: { version: number };
  promote: PromoteMode;
}

export const publishRanker = async (deps: PublishDeps, input: RankerPublishInput): Promise<Published> => {
  const { tenantId } = input;
  const candidate = input.metrics?.[GATE_METRIC] ?? null;
  const metrics: Record<string, number> = {
    ...(input.metrics ? { [GATE_METRIC]: input.metrics[GATE_METRIC], queries: input.metrics.queries } : {}),
    ...(input.baseline ? { [`current_${GATE_METRIC}`]: input.baseline[GATE_METRIC] } : {}),
  };
  const w = input.weights;
  const { version } = await deps.registry.uploadVersion(
    tenantId,
    RANKER_MODEL,
    linearRankerVersion(w, {
      framework: RANKER_FRAMEWORK,
      description: `trained on the shop's clicks (run ${input.runId}): keyword ${w.keyword}, vector ${w.vector}, coverage ${w.coverage}`,
      runId: input.runId,
      metrics,
    }),
  );
  const champion = { version: input.current.version, value: input.baseline?.[GATE_METRIC] ?? null };
  const promotion =
    champion.version === version.version
      ? { ...decidePromotion('always', candidate, champion), reason: 'already the champion (same artifact)' }
      : decidePromotion(input.promote, candidate, champion);
  if (promotion.decision === 'promoted' && champion.version !== version.version)
    await deps.registry.setAlias(tenantId, RANKER_MODEL, DEFAULT_ALIAS, version.version);
  await ensureRankerEndpoint(deps, tenantId);
  return {
    model: { name: RANKER_MODEL, version: version.version },
    promotion,
    endpoints: [SEARCH_RANKER_ENDPOINT],
  };
};

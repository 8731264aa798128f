// Publishing a search-ranker run: the linear ranker as an ONNX graph, a `quiver-search-ranker` version with
// its offline metrics, the promotion gate on `champion` (the candidate's NDCG@10 on held-out queries against
// the current ranker's, measured in the same run), and the tenant's `search-ranker` endpoint when missing.
import type { PromoteMode } from '@quiver/contracts';
import { DEFAULT_ALIAS, type RegistryService } from '../registry/index.ts';
import {
  ensureRankerEndpoint,
  linearRankerVersion,
  linearRankerWeights,
  RANKER_MODEL,
  registerBuiltinRanker,
  SEARCH_RANKER_ENDPOINT,
  type TreeEnsemble,
  treeRankerFeatures,
  treeRankerVersion,
  treesFromGraph,
} from '../search/index.ts';
import type { LambdaMartParams } from './lambdamart.ts';
import type { CurrentRanker, RankerMetrics, RankerWeights } from './ltr.ts';
import { decidePromotion, GATE_METRIC, type PublishDeps, type Published } from './publish.ts';

export const RANKER_FRAMEWORK = 'quiver-search-ranker-trainer';

export type RankerPublishDeps = PublishDeps & {
  registry: PublishDeps['registry'] & Pick<RegistryService, 'resolver'>;
};

/**
 * The ranker serving as `champion` now (the built-in one registered first when the tenant has none), as the
 * offline run can score it: a linear version's weights, a trees version's trees read back from its graph.
 */
export const currentRanker = async (
  deps: RankerPublishDeps,
  tenantId: string,
): Promise<{ version: number; ranker: CurrentRanker }> => {
  await registerBuiltinRanker(deps.registry, tenantId);
  const v = await deps.registry.resolver.resolve(tenantId, RANKER_MODEL, DEFAULT_ALIAS);
  const weights = linearRankerWeights(v.metadata);
  if (weights) return { version: v.version, ranker: { weights } };
  const features = treeRankerFeatures(v.metadata);
  const trees = features && treesFromGraph(await deps.registry.resolver.artifact(v), features);
  return { version: v.version, ranker: trees ? { trees } : null };
};

export interface RankerPublishInput {
  tenantId: string;
  runId: string;
  /** The fitted model: linear weights, or trees with the parameters chosen for them. */
  weights?: RankerWeights;
  trees?: TreeEnsemble;
  params?: LambdaMartParams & { validNdcg: number; linear?: string };
  metrics: RankerMetrics | null;
  /** The current ranker measured on the same queries (null: no test queries, or weights Quiver cannot read). */
  baseline: RankerMetrics | null;
  current: { version: number };
  promote: PromoteMode;
}

const versionOf = (input: RankerPublishInput, metrics: Record<string, number>) => {
  const meta = { framework: RANKER_FRAMEWORK, runId: input.runId, metrics };
  if (input.trees) {
    const p = input.params;
    return treeRankerVersion(
      input.trees,
      {
        ...meta,
        description: `LambdaMART trained on the shop's clicks (run ${input.runId}): ${input.trees.trees.length} trees over ${input.trees.features.length} features${p ? `, depth ${p.depth}, learning rate ${p.learningRate}, min leaf ${p.minLeaf}` : ''}`,
      },
      p && { depth: p.depth, learningRate: p.learningRate, minLeaf: p.minLeaf, trees: p.trees },
    );
  }
  const w = input.weights;
  if (!w) throw new Error('a search-ranker run without a model');
  return linearRankerVersion(w, {
    ...meta,
    description: `trained on the shop's clicks (run ${input.runId}): keyword ${w.keyword}, vector ${w.vector}, coverage ${w.coverage}`,
  });
};

export const publishRanker = async (
  deps: RankerPublishDeps,
  input: RankerPublishInput,
): Promise<Published> => {
  const { tenantId } = input;
  const candidate = input.metrics?.[GATE_METRIC] ?? null;
  const metrics: Record<string, number> = {
    ...(input.metrics ? { [GATE_METRIC]: input.metrics[GATE_METRIC], queries: input.metrics.queries } : {}),
    ...(input.baseline ? { [`current_${GATE_METRIC}`]: input.baseline[GATE_METRIC] } : {}),
  };
  const { version } = await deps.registry.uploadVersion(tenantId, RANKER_MODEL, versionOf(input, metrics));
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

// Hybrid's second phase as a registry model called through the inference path (batched, metered):
// `quiver-search-ranker`, alias `champion`. A tenant without one gets the built-in linear model
// (DEFAULT_RERANK's weights) registered as version 1 on first need; uploading another version that reads
// `features` FP32 [batch, 3] and answers one score per row, then moving the alias, swaps the ranker.
import { isQuiverError } from '../../kernel/index.ts';
import type { InferenceService } from '../inference/index.ts';
import { DEFAULT_ALIAS, type RegistryService, type VersionMetadata } from '../registry/index.ts';
import type { SecondPhaseScorer } from './ports.ts';
import { linearRankerGraph, RANKER_INPUT } from './ranker-graph.ts';
import { type RankerVersionOptions, rankerVersionMetadata } from './ranker-version.ts';
import { DEFAULT_RERANK, RERANK_FEATURES, type RerankConfig } from './rerank.ts';

export const RANKER_MODEL = 'quiver-search-ranker';

/** The ranker's inference request for these feature rows. */
export const rankerRequest = (rows: readonly (readonly number[])[], parameters?: Record<string, string>) => {
  // Row-major, filled in place (`rows.flat()` cost more than the rest of building the request). Narrow rows
  // (RERANK_FEATURES) or wide ones (WIDE_RANKER_FEATURES), as the ranker reads.
  const width = rows[0]?.length ?? RERANK_FEATURES.length;
  const data = new Array<number>(rows.length * width);
  for (let r = 0; r < rows.length; r++) for (let f = 0; f < width; f++) data[r * width + f] = rows[r][f];
  return {
    inputs: [{ name: RANKER_INPUT, datatype: 'FP32' as const, shape: [rows.length, width], data }],
    ...(parameters ? { parameters } : {}),
  };
};

// The built-in version has no response cache: its inputs (every candidate's features for one query) hardly
// ever repeat, and hashing ~1,650 floats per call for the cache cost 0.16 ms of the main thread per query.

export interface OnnxRankerDeps {
  registry: Pick<RegistryService, 'createModel' | 'uploadVersion' | 'setAlias'>;
  inference: Pick<InferenceService, 'infer'>;
}

const BUILTIN_FRAMEWORK = 'quiver-builtin';

/** A linear ranker version's artifact and metadata (the built-in one's, and the search-ranker trainer's). */
export const linearRankerVersion = (
  weights: RerankConfig['weights'],
  o: RankerVersionOptions,
): { artifact: Buffer; metadata: VersionMetadata } => ({
  artifact: linearRankerGraph(weights),
  metadata: rankerVersionMetadata(RERANK_FEATURES, o, {
    features: [...RERANK_FEATURES],
    weights: RERANK_FEATURES.map((f) => weights[f]),
  }),
});

/** The weights of a linear ranker version from its metadata (undefined: not a linear ranker Quiver knows). */
export const linearRankerWeights = (
  metadata: Record<string, unknown>,
): RerankConfig['weights'] | undefined => {
  const ranker = metadata.ranker as { features?: unknown; weights?: unknown } | undefined;
  if (ranker && Array.isArray(ranker.features) && Array.isArray(ranker.weights)) {
    const { features, weights } = ranker as { features: string[]; weights: number[] };
    if (RERANK_FEATURES.every((f, i) => features[i] === f) && features.length === RERANK_FEATURES.length)
      return Object.fromEntries(RERANK_FEATURES.map((f, i) => [f, weights[i]])) as RerankConfig['weights'];
    return undefined;
  }
  // Built-in versions registered before their metadata named the weights.
  return metadata.framework === BUILTIN_FRAMEWORK ? DEFAULT_RERANK.weights : undefined;
};

/** Registers the built-in ranker as a tenant's `quiver-search-ranker` version (alias champion) if absent. */
export const registerBuiltinRanker = async (
  registry: OnnxRankerDeps['registry'],
  tenantId: string,
): Promise<void> => {
  try {
    await registry.createModel(tenantId, {
      name: RANKER_MODEL,
      description: `Quiver built-in hybrid search ranker: linear over ${RERANK_FEATURES.join(', ')}`,
      task: 'ranking',
    });
  } catch (error) {
    if (!(isQuiverError(error) && error.code === 'already_exists')) throw error;
  }
  const uploaded = await registry.uploadVersion(
    tenantId,
    RANKER_MODEL,
    linearRankerVersion(DEFAULT_RERANK.weights, {
      framework: BUILTIN_FRAMEWORK,
      description: `weights ${JSON.stringify(DEFAULT_RERANK.weights)}`,
    }),
  );
  if (uploaded.created)
    await registry.setAlias(tenantId, RANKER_MODEL, DEFAULT_ALIAS, uploaded.version.version);
};

/** Runs `ensure` once per tenant at a time (concurrent first searches share one registration). */
export const oncePerTenant = (ensure: (tenantId: string) => Promise<void>) => {
  const pending = new Map<string, Promise<void>>();
  return (tenantId: string): Promise<void> => {
    let p = pending.get(tenantId);
    if (!p) {
      p = ensure(tenantId).finally(() => pending.delete(tenantId));
      pending.set(tenantId, p);
    }
    return p;
  };
};

/** The ranker called directly by registry alias (no endpoint): what the app used before search-ranker. */
export const createOnnxRanker = (deps: OnnxRankerDeps): SecondPhaseScorer => {
  const register = oncePerTenant((tenantId) => registerBuiltinRanker(deps.registry, tenantId));

  const infer = async (tenantId: string, rows: readonly (readonly number[])[]) => {
    const res = await deps.inference.infer(tenantId, RANKER_MODEL, DEFAULT_ALIAS, rankerRequest(rows));
    return (res.body.outputs[0].data as number[]).map(Number);
  };

  return {
    async score(tenantId, rows) {
      if (rows.length === 0) return { scores: [] };
      try {
        return { scores: await infer(tenantId, rows) };
      } catch (error) {
        if (!(isQuiverError(error) && error.code === 'not_found')) throw error;
      }
      await register(tenantId);
      return { scores: await infer(tenantId, rows) };
    },
  };
};

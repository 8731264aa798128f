// Hybrid's second phase through the tenant's `search-ranker` endpoint (routing): so a new ranker version can
// be shadowed, canaried, A/B-tested on attributed clicks and purchases, and rolled back like any model. The
// endpoint is created on a tenant's first hybrid search, routing to the built-in ranker (`champion`); the
// answer names the variant, and its routing token travels in the searchId for attribution. Rankers read
// narrow rows (v1) or wide ones (v2: a trees ranker the search-ranker trainer publishes).
import { isQuiverError } from '../../kernel/index.ts';
import { DEFAULT_ALIAS } from '../registry/index.ts';
import type { RoutingService } from '../routing/index.ts';
import {
  type OnnxRankerDeps,
  oncePerTenant,
  RANKER_MODEL,
  rankerRequest,
  registerBuiltinRanker,
} from './onnx-ranker.ts';
import type { SecondPhaseScorer } from './ports.ts';
import { RANKER_INPUT } from './ranker-graph.ts';

export const SEARCH_RANKER_ENDPOINT = 'search-ranker';

export interface EndpointRankerDeps {
  registry: OnnxRankerDeps['registry'];
  routing: Pick<RoutingService, 'get' | 'put' | 'infer'>;
}

/** Creates the tenant's search-ranker endpoint (and the built-in ranker it routes to) when absent. */
export const ensureRankerEndpoint = async (
  deps: { registry: EndpointRankerDeps['registry']; routing: Pick<RoutingService, 'get' | 'put'> },
  tenantId: string,
): Promise<void> => {
  try {
    await deps.routing.get(tenantId, SEARCH_RANKER_ENDPOINT);
    return;
  } catch (error) {
    if (!isQuiverError(error) || error.code !== 'not_found') throw error;
  }
  await registerBuiltinRanker(deps.registry, tenantId);
  await deps.routing.put(tenantId, SEARCH_RANKER_ENDPOINT, {
    routes: [{ model: RANKER_MODEL, alias: DEFAULT_ALIAS, weight: 100 }],
    stickyBy: 'userId',
  });
};

/** Whether an error is the engine refusing the rows' width (a ranker of the other input contract). */
const wrongWidth = (error: unknown): boolean =>
  isQuiverError(error) &&
  error.code === 'validation_failed' &&
  error.message.includes(`input '${RANKER_INPUT}' has shape`);

/**
 * Scores through the endpoint. Versions behind it may read narrow rows (v1: keyword, vector, coverage) or
 * wide ones (v2: WIDE_RANKER_FEATURES); which one a request's variant reads is known only once it answers,
 * so each tenant's last accepted width is tried first and a refusal of the width (checked by the engine
 * before anything runs) is retried once with the other. Wide rows are computed only when sent.
 */
export const createEndpointRanker = (deps: EndpointRankerDeps): SecondPhaseScorer => {
  const ensure = oncePerTenant((tenantId) => ensureRankerEndpoint(deps, tenantId));
  /** Tenants whose ranker last read wide rows. */
  const wideTenants = new Set<string>();
  const ask = async (tenantId: string, rows: readonly (readonly number[])[], userId?: string) => {
    const a = await deps.routing.infer(
      tenantId,
      SEARCH_RANKER_ENDPOINT,
      rankerRequest(rows, userId === undefined ? undefined : { userId }),
      {},
    );
    return {
      scores: Array.from(a.body.outputs[0].data as ArrayLike<number>, Number),
      served: {
        endpoint: SEARCH_RANKER_ENDPOINT,
        variant: a.variant,
        model: a.model,
        version: a.version,
        token: a.recommendationId,
        degraded: a.degraded,
      },
    };
  };
  const askEitherWidth = async (
    tenantId: string,
    narrow: readonly (readonly number[])[],
    userId: string | undefined,
    wide: (() => readonly (readonly number[])[]) | undefined,
  ) => {
    const first = wide && wideTenants.has(tenantId);
    try {
      return await ask(tenantId, first ? wide() : narrow, userId);
    } catch (error) {
      if (!wide || !wrongWidth(error)) throw error;
    }
    const answer = await ask(tenantId, first ? narrow : wide(), userId);
    if (first) wideTenants.delete(tenantId);
    else wideTenants.add(tenantId);
    return answer;
  };
  return {
    async score(tenantId, rows, unit, wide) {
      if (rows.length === 0) return { scores: [] };
      try {
        return await askEitherWidth(tenantId, rows, unit?.userId, wide);
      } catch (error) {
        if (!(isQuiverError(error) && error.code === 'not_found')) throw error;
      }
      await ensure(tenantId);
      return askEitherWidth(tenantId, rows, unit?.userId, wide);
    },
  };
};

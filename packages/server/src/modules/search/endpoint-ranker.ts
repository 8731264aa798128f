// Hybrid's second phase through the tenant's `search-ranker` endpoint (routing): so a new ranker version can
// be shadowed, canaried, A/B-tested on attributed clicks and purchases, and rolled back like any model. The
// endpoint is created on a tenant's first hybrid search, routing to the built-in ranker (`champion`); the
// answer names the variant, and its routing token travels in the searchId for attribution.
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

export const createEndpointRanker = (deps: EndpointRankerDeps): SecondPhaseScorer => {
  const ensure = oncePerTenant((tenantId) => ensureRankerEndpoint(deps, tenantId));
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
  return {
    async score(tenantId, rows, unit) {
      if (rows.length === 0) return { scores: [] };
      try {
        return await ask(tenantId, rows, unit?.userId);
      } catch (error) {
        if (!(isQuiverError(error) && error.code === 'not_found')) throw error;
      }
      await ensure(tenantId);
      return ask(tenantId, rows, unit?.userId);
    },
  };
};

// Hybrid's second phase through the tenant's `search-ranker` endpoint (routing): so a new ranker version can
// be shadowed, canaried, A/B-tested on attributed clicks and purchases, and rolled back like any model. The
// endpoint is created on a tenant's first hybrid search, routing to the built-in ranker (`champion`); the
// answer names the variant, and its routing token travels in the searchId for attribution. Rankers read
// narrow rows (v1) or the wide columns their version's metadata names (v2: the search-ranker trainer's).
import { isQuiverError } from '../../kernel/index.ts';
import { DEFAULT_ALIAS, type RegistryService } from '../registry/index.ts';
import type { RoutingService } from '../routing/index.ts';
import {
  type OnnxRankerDeps,
  oncePerTenant,
  RANKER_MODEL,
  rankerRequest,
  registerBuiltinRanker,
} from './onnx-ranker.ts';
import type { SecondPhaseScorer } from './ports.ts';
import {
  NARROW_WIDTH,
  pickColumns,
  rankerColumns,
  WIDE_RANKER_FEATURES,
  wideIndexes,
} from './ranker-features.ts';

export const SEARCH_RANKER_ENDPOINT = 'search-ranker';

/** A target of the endpoint (routing's): a model and its version or alias. */
interface RankerTarget {
  model: string;
  version?: number;
  alias?: string;
}

export interface EndpointRankerDeps {
  registry: OnnxRankerDeps['registry'] & Pick<RegistryService, 'resolver'>;
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

/** How long an alias's columns are kept (an alias moved by another replica is seen within this). */
export const ALIAS_COLUMNS_TTL_MS = 5_000;

/**
 * Scores through the endpoint. Versions behind it may read narrow rows (v1: keyword, vector, coverage) or
 * wide ones (v2: the columns their metadata names, `rankerColumns`), so each target the endpoint tries gets
 * the rows its version reads: its columns come from the version's metadata (a version's for good, an
 * alias's for ALIAS_COLUMNS_TTL_MS or until the alias moves here), and wide rows are computed only when a
 * target reads them, once per search.
 */
export const createEndpointRanker = (deps: EndpointRankerDeps): SecondPhaseScorer => {
  const ensure = oncePerTenant((tenantId) => ensureRankerEndpoint(deps, tenantId));
  const columnsOf = new Map<string, { indexes: Int32Array | null; until: number }>();
  deps.registry.resolver.onAliasChange((tenantId, model, alias) =>
    columnsOf.delete(`${tenantId}\u0000${model}\u0000${alias}`),
  );
  /** The target's wide column indexes (null: it reads the narrow rows). */
  const indexesOf = async (tenantId: string, target: RankerTarget): Promise<Int32Array | null> => {
    const ref = target.version !== undefined ? String(target.version) : target.alias;
    const key = `${tenantId}\u0000${target.model}\u0000${ref ?? ''}`;
    const now = performance.now();
    const hit = columnsOf.get(key);
    if (hit && hit.until > now) return hit.indexes;
    const v = await deps.registry.resolver.resolve(tenantId, target.model, ref);
    const columns = rankerColumns(v.metadata);
    const narrow =
      !columns || (columns.length === NARROW_WIDTH && columns.every((c, i) => c === WIDE_RANKER_FEATURES[i]));
    const indexes = narrow ? null : wideIndexes(columns);
    if (columnsOf.size > 10_000) columnsOf.clear();
    columnsOf.set(key, {
      indexes,
      until: target.version !== undefined ? Number.POSITIVE_INFINITY : now + ALIAS_COLUMNS_TTL_MS,
    });
    return indexes;
  };
  const ask = async (
    tenantId: string,
    narrow: readonly (readonly number[])[],
    userId: string | undefined,
    wide: (() => readonly (readonly number[])[]) | undefined,
  ) => {
    const parameters = userId === undefined ? undefined : { userId };
    let rows: readonly (readonly number[])[] | undefined;
    const body = rankerRequest(narrow, parameters);
    const a = await deps.routing.infer(
      tenantId,
      SEARCH_RANKER_ENDPOINT,
      body,
      {},
      {
        bodyFor: async (target) => {
          const indexes = await indexesOf(tenantId, target);
          if (!indexes) return body;
          if (!wide) throw new Error(`${target.model} reads wide rows and this search has none`);
          rows ??= wide();
          return rankerRequest(pickColumns(rows, indexes), parameters);
        },
      },
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
    async score(tenantId, rows, unit, wide) {
      if (rows.length === 0) return { scores: [] };
      try {
        return await ask(tenantId, rows, unit?.userId, wide);
      } catch (error) {
        if (!(isQuiverError(error) && error.code === 'not_found')) throw error;
      }
      await ensure(tenantId);
      return ask(tenantId, rows, unit?.userId, wide);
    },
  };
};

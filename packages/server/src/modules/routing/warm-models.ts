// The endpoints' models warmed at start: every tenant's endpoints' routes (weight above 0) and fallbacks are
// loaded and warmed in this replica's inference engine before it reports ready, so the first requests after
// a deploy or a scale-out do not pay the model loads. One target at a time; a target that fails to load (a
// version gone, a broken artifact) is logged and skipped, and one that has not loaded within the deadline
// keeps loading after the warm-up ends. The inference memory budget applies as for any load.
import type { Endpoint } from '@quiver/contracts';
import type { ModuleLog } from '../../kernel/index.ts';
import { refOf, type Target, targetName } from './endpoints.ts';

const PAGE = 100;
/** How long the warm-up waits for one target's load before going on (its load goes on). */
export const MODEL_WARM_TIMEOUT_MS = 120_000;

export interface WarmModelsDeps {
  listTenants(limit: number, cursor?: string): Promise<{ rows: { id: string }[]; nextCursor: string | null }>;
  listEndpoints(
    tenantId: string,
    after: string,
    limit: number,
  ): Promise<{ endpoints: Endpoint[]; more: boolean }>;
  modelReady(
    tenantId: string,
    model: string,
    ref: string | undefined,
    options: { timeoutMs: number },
  ): Promise<{ ready: boolean }>;
  log: ModuleLog;
  /** False once the replica is closing: the warm-up stops between targets. */
  isOpen(): boolean;
}

/** The distinct targets an endpoint serves from: routes with traffic, then fallbacks. */
export const servedTargets = (endpoint: Endpoint): Target[] => {
  const targets = [...endpoint.routes.filter((r) => r.weight > 0), ...(endpoint.fallback ?? [])];
  const seen = new Set<string>();
  return targets.filter((t) => {
    const name = targetName(t);
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
};

/** Loads every tenant's endpoint targets; resolves with how many are ready. */
export const warmEndpointModels = async (deps: WarmModelsDeps): Promise<number> => {
  let ready = 0;
  for (let cursor: string | undefined; ; ) {
    const tenants = await deps.listTenants(PAGE, cursor);
    for (const { id: tenantId } of tenants.rows) {
      const warmed = new Set<string>();
      for (let after = ''; ; ) {
        const page = await deps.listEndpoints(tenantId, after, PAGE);
        for (const endpoint of page.endpoints)
          for (const target of servedTargets(endpoint)) {
            const name = targetName(target);
            if (!deps.isOpen()) return ready;
            if (warmed.has(name)) continue;
            warmed.add(name);
            try {
              const answer = await deps.modelReady(tenantId, target.model, refOf(target), {
                timeoutMs: MODEL_WARM_TIMEOUT_MS,
              });
              if (answer.ready) ready++;
            } catch (err) {
              deps.log.warn({ err, tenant: tenantId, target: name }, 'warming an endpoint model failed');
            }
          }
        if (!page.more || page.endpoints.length === 0) break;
        after = page.endpoints[page.endpoints.length - 1].name;
      }
    }
    if (!tenants.nextCursor) return ready;
    cursor = tenants.nextCursor;
  }
};

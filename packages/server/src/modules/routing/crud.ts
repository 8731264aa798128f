// Endpoint CRUD: define (PUT), read, list, delete and the revision history of named endpoints.
import type { Endpoint, PutEndpoint } from '@quiver/contracts';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import { type Clock, isoNow, QuiverError } from '../../kernel/index.ts';
import {
  checkTargets,
  type EndpointCache,
  mustGetEndpoint,
  newSalt,
  type ResolveFn,
  validateSpec,
} from './endpoints.ts';
import type { EndpointRow, RoutingRepository } from './repository.ts';
import { ACTIVE_STATUSES } from './rollout.ts';

export interface EndpointCrudDeps {
  db: SqlDatabase;
  repo: RoutingRepository;
  cache: EndpointCache;
  resolve: ResolveFn;
  clock: Clock;
}

const toEndpoint = (r: EndpointRow): Endpoint => ({
  name: r.name,
  ...r.spec,
  revision: r.revision,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/** Every write drops the endpoint from this replica's cache once it has committed. */
export const createEndpointCrud = ({ db, repo, cache, resolve, clock }: EndpointCrudDeps) => ({
  /** Refused (`conflict`) while a rollout is active: the rollout owns the routes until it ends. */
  async put(
    tenantId: string,
    name: string,
    spec: PutEndpoint,
  ): Promise<{ endpoint: Endpoint; created: boolean }> {
    validateSpec(spec);
    await checkTargets(resolve, tenantId, spec);
    const result = await db.transaction(async (tx) => {
      const active = (await repo.rollouts(tx, tenantId, name)).find((r) =>
        ACTIVE_STATUSES.includes(r.status),
      );
      if (active)
        throw new QuiverError(
          'conflict',
          `rollout '${active.id}' is ${active.status}; finish or roll it back first`,
        );
      return repo.saveSpec(tx, tenantId, name, spec, 'put', isoNow(clock), newSalt());
    });
    cache.invalidate(tenantId, name);
    return { endpoint: toEndpoint(result.row), created: result.created };
  },

  get: async (tenantId: string, name: string): Promise<Endpoint> =>
    toEndpoint(await mustGetEndpoint(repo, tenantId, name)),

  /** Names after `after`, in order; `more` says whether another page follows. */
  async list(tenantId: string, after: string, limit: number) {
    const rows = await repo.listEndpoints(tenantId, after, limit + 1);
    return { endpoints: rows.slice(0, limit).map(toEndpoint), more: rows.length > limit };
  },

  async remove(tenantId: string, name: string): Promise<void> {
    if (!(await repo.deleteEndpoint(tenantId, name)))
      throw new QuiverError('not_found', `endpoint '${name}' was not found`);
    cache.invalidate(tenantId, name);
  },

  async history(tenantId: string, name: string) {
    await mustGetEndpoint(repo, tenantId, name);
    return {
      revisions: (await repo.revisions(tenantId, name)).map((r) => ({
        revision: r.revision,
        routes: r.spec.routes,
        reason: r.reason,
        at: r.at,
      })),
    };
  },
});

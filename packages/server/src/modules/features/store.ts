// Feature view and feature service definitions: the built-in views plus each tenant's own (in SQL), cached
// briefly because the stream consumer reads them for every batch.
import type { FeatureService, FeatureServiceInput, FeatureView, FeatureViewInput } from '@quiver/contracts';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import { type Clock, isoNow, notFound, QuiverError, stableStringify } from '../../kernel/index.ts';
import { BUILTIN_VIEWS, checkViewSpec, featureDefs, isBuiltIn, type ViewDef } from './definitions.ts';
import { featuresRepository as repo, type ServiceRecord, type ViewRecord } from './repository.ts';

/** How long the consumer reuses a tenant's definitions; a change made in this process is seen at once. */
export const DEFAULT_DEFINITIONS_CACHE_TTL_MS = 5_000;

const toDef = (r: ViewRecord): ViewDef => ({
  name: r.name,
  version: r.version,
  builtIn: false,
  spec: r.spec,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toFeatureView = (v: ViewDef): FeatureView => ({
  name: v.name,
  ...v.spec,
  features: [...featureDefs(v.spec).keys()],
  builtIn: v.builtIn,
  version: v.version,
  createdAt: v.createdAt,
  updatedAt: v.updatedAt,
});

const toService = (r: ServiceRecord): FeatureService => ({
  name: r.name,
  ...r.spec,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const createDefinitionStore = (
  deps: { db: SqlDatabase; clock: Clock },
  options: { cacheTtlMs?: number } = {},
) => {
  const { db, clock } = deps;
  const ttlMs = options.cacheTtlMs ?? DEFAULT_DEFINITIONS_CACHE_TTL_MS;
  const cache = new Map<string, { views: ViewDef[]; at: number }>();

  const views = async (tenantId: string): Promise<ViewDef[]> => {
    const hit = cache.get(tenantId);
    if (hit && clock.now() - hit.at < ttlMs) return hit.views;
    const loaded = [...BUILTIN_VIEWS, ...(await repo.listViews(db, tenantId)).map(toDef)];
    cache.set(tenantId, { views: loaded, at: clock.now() });
    return loaded;
  };

  /** Reads the tenant's views afresh (requests must see a change made by another replica). */
  const freshViews = async (tenantId: string): Promise<Map<string, ViewDef>> => {
    cache.delete(tenantId);
    return new Map((await views(tenantId)).map((v) => [v.name, v]));
  };

  const serviceCache = new Map<string, { services: Map<string, FeatureService>; at: number }>();

  return {
    views,
    freshViews,

    /** The views by name for feature reads: cached like the consumer's (a change elsewhere shows soon). */
    viewMap: async (tenantId: string): Promise<Map<string, ViewDef>> =>
      new Map((await views(tenantId)).map((v) => [v.name, v])),

    /** A feature service for feature reads, cached the same way. */
    async cachedService(tenantId: string, name: string): Promise<FeatureService> {
      let hit = serviceCache.get(tenantId);
      if (!hit || clock.now() - hit.at >= ttlMs) {
        const services = (await repo.listServices(db, tenantId)).map(toService);
        hit = { services: new Map(services.map((sv) => [sv.name, sv])), at: clock.now() };
        serviceCache.set(tenantId, hit);
      }
      const service = hit.services.get(name);
      if (!service) throw notFound('feature service', name);
      return service;
    },

    async view(tenantId: string, name: string): Promise<ViewDef> {
      const view = (await freshViews(tenantId)).get(name);
      if (!view) throw notFound('feature view', name);
      return view;
    },

    async putView(
      tenantId: string,
      name: string,
      input: FeatureViewInput,
    ): Promise<{ view: ViewDef; created: boolean }> {
      if (isBuiltIn(name)) throw new QuiverError('conflict', `'${name}' is a built-in feature view`);
      checkViewSpec(input);
      const written = await db.transaction((tx) =>
        repo.putView(tx, tenantId, name, stableStringify(input), isoNow(clock)),
      );
      cache.delete(tenantId);
      return { view: toDef(written.record), created: written.created };
    },

    async services(tenantId: string): Promise<FeatureService[]> {
      return (await repo.listServices(db, tenantId)).map(toService);
    },

    async service(tenantId: string, name: string): Promise<FeatureService> {
      const record = await repo.getService(db, tenantId, name);
      if (!record) throw notFound('feature service', name);
      return toService(record);
    },

    async putService(
      tenantId: string,
      name: string,
      input: FeatureServiceInput,
      check: (refs: readonly string[]) => Promise<void>,
    ): Promise<{ service: FeatureService; created: boolean }> {
      await check(input.features);
      const written = await repo.putService(db, tenantId, name, stableStringify(input), isoNow(clock));
      serviceCache.delete(tenantId);
      return { service: toService(written.record), created: written.created };
    },
  };
};

export type DefinitionStore = ReturnType<typeof createDefinitionStore>;

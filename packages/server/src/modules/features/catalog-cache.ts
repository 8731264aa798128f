// Item lookups for the feature store (categories for affinity, fields for catalog views) through the catalog
// module, cached briefly so a batch of events or a feature read costs few database reads.
import type { Item } from '@quiver/contracts';
import type { Clock } from '../../kernel/index.ts';

/** What the feature store needs of the catalog module (its service's `getMany`: the stored items among ids). */
export interface CatalogReader {
  getMany(tenantId: string, ids: readonly string[]): Promise<Item[]>;
}

/** How long a looked-up item (or its absence) is reused: catalog changes show in features after this. */
export const DEFAULT_CATALOG_CACHE_TTL_MS = 30_000;
export const DEFAULT_CATALOG_CACHE_ENTRIES = 100_000;

export interface CatalogCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
}

export interface CatalogCache {
  /** The items with these ids (null for a missing one), from the cache where fresh. */
  items(tenantId: string, ids: Iterable<string>): Promise<Map<string, Item | null>>;
}

export const createCatalogCache = (
  deps: { catalog: CatalogReader; clock: Clock },
  options: CatalogCacheOptions = {},
): CatalogCache => {
  const ttlMs = options.ttlMs ?? DEFAULT_CATALOG_CACHE_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_CATALOG_CACHE_ENTRIES;
  const cache = new Map<string, { item: Item | null; at: number }>();

  const remember = (key: string, item: Item | null, at: number) => {
    cache.delete(key);
    cache.set(key, { item, at });
    // Insertion order is age order: dropping from the front evicts the oldest tenth.
    if (cache.size > maxEntries) {
      let drop = Math.ceil(maxEntries / 10);
      for (const k of cache.keys()) {
        if (drop-- <= 0) break;
        cache.delete(k);
      }
    }
  };

  return {
    async items(tenantId, ids) {
      const now = deps.clock.now();
      const out = new Map<string, Item | null>();
      const missing = new Set<string>();
      for (const id of ids) {
        const hit = cache.get(`${tenantId}\u0000${id}`);
        if (hit && now - hit.at < ttlMs) out.set(id, hit.item);
        else missing.add(id);
      }
      if (missing.size === 0) return out;
      // One catalog read for all the misses; an id it does not answer is absent (remembered as null).
      const found = new Map(
        (await deps.catalog.getMany(tenantId, [...missing])).map((item) => [item.id, item]),
      );
      for (const id of missing) {
        const item = found.get(id) ?? null;
        out.set(id, item);
        remember(`${tenantId}\u0000${id}`, item, now);
      }
      return out;
    },
  };
};

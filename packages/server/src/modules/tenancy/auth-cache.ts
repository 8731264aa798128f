// A small TTL cache of lookups for authentication (keys, signing secrets with their tenant's limits).
// Embedded mode invalidates it on the changes this process makes; PostgreSQL mode also drops it whenever the
// shared auth epoch moves, and bypasses it while that epoch is not known to be current (auth-epoch.ts).
import type { RateLimits } from '@quiver/contracts';
import type { Clock } from '../../kernel/index.ts';
import type { Credential } from './principal.ts';

const MAX_ENTRIES = 10_000;

export interface AuthCacheOptions {
  ttlMs: number;
  clock: Clock;
  /**
   * Whether cached values may be answered now; when false every lookup reads the database (and refreshes its
   * entry, so what it read outlives the outage rather than an older entry).
   */
  usable?: () => boolean;
}

export interface AuthCache<T> {
  get(id: string, load: () => Promise<T | undefined>): Promise<T | undefined>;
  delete(id: string): void;
  /** Drops everything, including what lookups in flight would store (they may have read the old state). */
  clear(): void;
}

export const createAuthCache = <T>({ ttlMs, clock, usable = () => true }: AuthCacheOptions): AuthCache<T> => {
  const entries = new Map<string, { value: T; at: number }>();
  /** Moves on every delete or clear: a lookup that started before must not store what it read. */
  let generation = 0;
  return {
    async get(id, load) {
      if (ttlMs <= 0) return load();
      const now = clock.now();
      if (usable()) {
        const hit = entries.get(id);
        if (hit && now - hit.at < ttlMs) return hit.value;
      }
      const startedIn = generation;
      const value = await load();
      // Unknown ids are not cached: a flood of made-up keys must not evict real ones.
      if (!value || startedIn !== generation) return value;
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(id, { value, at: now });
      return value;
    },
    delete(id) {
      generation++;
      entries.delete(id);
    },
    clear() {
      generation++;
      entries.clear();
    },
  };
};

/** A tenant's scoped-key signing secret with its limits, as scoped-key authentication reads them together. */
export interface SigningEntry {
  secret: string;
  limits: RateLimits;
}

/** The two caches authentication reads through, dropped together. */
export interface AuthCaches {
  /** Stored API keys by key id. */
  credentials: AuthCache<Credential>;
  /** Scoped-key signing secrets by tenant id. */
  signing: AuthCache<SigningEntry>;
  clear(): void;
}

export const createAuthCaches = (options: AuthCacheOptions): AuthCaches => {
  const credentials = createAuthCache<Credential>(options);
  const signing = createAuthCache<SigningEntry>(options);
  return {
    credentials,
    signing,
    clear() {
      credentials.clear();
      signing.clear();
    },
  };
};

// A small TTL cache of key lookups for authentication, invalidated by the changes this process makes.
import type { Clock } from '../../kernel/index.ts';

const MAX_ENTRIES = 10_000;

export const createAuthCache = <T>(ttlMs: number, clock: Clock) => {
  const entries = new Map<string, { value: T | undefined; at: number }>();
  return {
    async get(keyId: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
      if (ttlMs <= 0) return load();
      const hit = entries.get(keyId);
      const now = clock.now();
      if (hit && now - hit.at < ttlMs) return hit.value;
      const value = await load();
      if (entries.size >= MAX_ENTRIES) entries.clear();
      // Unknown ids are not cached: a flood of made-up keys must not evict real ones.
      if (value) entries.set(keyId, { value, at: now });
      return value;
    },
    delete(keyId: string): void {
      entries.delete(keyId);
    },
    clear(): void {
      entries.clear();
    },
  };
};

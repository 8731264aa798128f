// A short-lived cache of version resolutions, so a request does not query the registry each time.
import type { Clock } from '../../kernel/index.ts';
import type { ModelResolver, ModelVersion } from '../registry/index.ts';

/**
 * How long a resolution is reused. Alias moves drop it at once (onAliasChange); a new upload (which moves
 * "latest") or a deleted version is seen within this time.
 */
export const DEFAULT_RESOLVE_TTL_MS = 1000;
/** Resolutions kept; the oldest go first. */
const MAX_RESOLUTIONS = 10_000;

export interface ResolveCache {
  resolve(tenantId: string, model: string, ref?: string): Promise<ModelVersion>;
  /** Forgets every resolution of a tenant's model. */
  invalidate(tenantId: string, model: string): void;
}

export const createResolveCache = (
  deps: { resolver: Pick<ModelResolver, 'resolve'>; clock: Clock },
  options: { ttlMs?: number } = {},
): ResolveCache => {
  const ttlMs = options.ttlMs ?? DEFAULT_RESOLVE_TTL_MS;
  // Keyed by tenant and model, then by ref: invalidation drops one model's refs together.
  const byModel = new Map<string, Map<string, { version: Promise<ModelVersion>; expiresAt: number }>>();
  let count = 0;

  const drop = (modelKey: string) => {
    count -= byModel.get(modelKey)?.size ?? 0;
    byModel.delete(modelKey);
  };

  return {
    resolve(tenantId, model, ref) {
      const modelKey = `${tenantId}/${model}`;
      const refKey = ref ?? '';
      const now = deps.clock.now();
      let refs = byModel.get(modelKey);
      const hit = refs?.get(refKey);
      if (hit && hit.expiresAt > now) return hit.version;
      if (!refs) {
        if (count >= MAX_RESOLUTIONS) drop(byModel.keys().next().value as string);
        refs = new Map();
        byModel.set(modelKey, refs);
      }
      // Concurrent requests share one lookup; a failed one (not found) is not kept.
      const version = deps.resolver.resolve(tenantId, model, ref);
      const entry = { version, expiresAt: now + ttlMs };
      if (!hit) count++;
      refs.set(refKey, entry);
      version.catch(() => {
        const current = byModel.get(modelKey);
        if (current?.get(refKey) === entry) {
          current.delete(refKey);
          count--;
        }
      });
      return version;
    },

    invalidate(tenantId, model) {
      drop(`${tenantId}/${model}`);
    },
  };
};

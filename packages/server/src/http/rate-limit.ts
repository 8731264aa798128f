// Rate limits: token buckets per tenant and per key, counted through the KV port (in process, or Redis
// so that limits hold across replicas), with local buckets standing in while Redis is unavailable.
import type { RateLimits } from '@quiver/contracts';
import { type KvStore, MemoryKv, type TokenBucketSpec } from '../adapters/kv/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { Metrics } from '../metrics/index.ts';

/** The one KV operation rate limiting needs: an all-or-none take from several buckets. */
export type RateLimitStore = Pick<KvStore, 'takeTokens'>;

/**
 * The shared store's buckets while it answers; otherwise (down, or a failed call) buckets in this process
 * with the same limits, so authentication and rate limiting never wait for or fail with Redis. Each replica
 * then limits on its own: across N replicas a tenant may get up to N times its rate until Redis is back.
 */
export const withLocalFallback = (
  shared: KvStore,
  deps: { clock: Clock; metrics: Metrics },
): RateLimitStore => {
  if (shared.kind === 'memory') return shared;
  const local = new MemoryKv({ clock: deps.clock });
  const fallbacks = deps.metrics.counter(
    'rate_limit_fallback_total',
    'Rate-limit decisions made by local buckets because the shared store (Redis) was unavailable',
    [],
  );
  return {
    async takeTokens(buckets, nowMs) {
      if (shared.available()) {
        try {
          return await shared.takeTokens(buckets, nowMs);
        } catch {
          // Any failure of the shared store: the local buckets decide (the store reports the outage).
        }
      }
      fallbacks.inc();
      return local.takeTokens(buckets, nowMs);
    },
  };
};

/** The buckets a tenant key's request draws from. */
export const tenantAndKeyBuckets = (
  tenantId: string,
  keyId: string,
  limits: RateLimits,
): TokenBucketSpec[] => [
  { name: `ratelimit:t:${tenantId}`, perSecond: limits.tenantPerSecond, burst: limits.tenantBurst },
  { name: `ratelimit:k:${keyId}`, perSecond: limits.keyPerSecond, burst: limits.keyBurst },
];

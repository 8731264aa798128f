// Token buckets per tenant and per key, counted in process (a KV-backed store can replace it).
import type { RateLimits } from '@quiver/contracts';

export interface BucketState {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetS: number;
  /** Seconds until one token is available (when refused). */
  retryAfterS: number;
}

export interface RateLimitStore {
  take(bucket: string, perSecond: number, burst: number, now: number): BucketState;
}

const SWEEP_EVERY_MS = 60_000;

/** In-process buckets; idle full buckets are swept so the map does not grow without bound. */
export const createMemoryRateLimitStore = (): RateLimitStore => {
  const buckets = new Map<string, { tokens: number; at: number; perSecond: number; burst: number }>();
  let lastSweep = 0;
  const sweep = (now: number) => {
    lastSweep = now;
    for (const [name, b] of buckets) {
      if (b.tokens + ((now - b.at) / 1000) * b.perSecond >= b.burst) buckets.delete(name);
    }
  };
  return {
    take(bucket, perSecond, burst, now) {
      if (now - lastSweep > SWEEP_EVERY_MS) sweep(now);
      const b = buckets.get(bucket) ?? { tokens: burst, at: now, perSecond, burst };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
      b.perSecond = perSecond;
      b.burst = burst;
      const allowed = b.tokens >= 1;
      if (allowed) b.tokens -= 1;
      buckets.set(bucket, b);
      return {
        allowed,
        limit: burst,
        remaining: Math.floor(b.tokens),
        resetS: Math.ceil((burst - b.tokens) / perSecond),
        retryAfterS: allowed ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / perSecond)),
      };
    },
  };
};

/** Takes one token from the tenant's and the key's buckets; reports the tighter of the two. */
export const takeTenantAndKey = (
  store: RateLimitStore,
  tenantId: string,
  keyId: string,
  limits: RateLimits,
  now: number,
): BucketState => {
  const tenant = store.take(`t:${tenantId}`, limits.tenantPerSecond, limits.tenantBurst, now);
  if (!tenant.allowed) return tenant;
  const key = store.take(`k:${keyId}`, limits.keyPerSecond, limits.keyBurst, now);
  if (!key.allowed) return key;
  return key.remaining < tenant.remaining ? key : tenant;
};

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

export interface BucketSpec {
  name: string;
  perSecond: number;
  burst: number;
}

export interface RateLimitStore {
  /**
   * Takes one token from every bucket, or from none when any is empty (so a refused request costs
   * nothing). Returns the state of the tightest bucket: the refusing one, or the one with least left.
   */
  take(buckets: readonly BucketSpec[], now: number): Promise<BucketState>;
}

const SWEEP_EVERY_MS = 60_000;

interface Bucket {
  tokens: number;
  at: number;
  perSecond: number;
  burst: number;
}

const stateOf = (b: Bucket, allowed: boolean): BucketState => ({
  allowed,
  limit: b.burst,
  remaining: Math.floor(b.tokens),
  resetS: Math.ceil((b.burst - b.tokens) / b.perSecond),
  retryAfterS: allowed ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / b.perSecond)),
});

/** In-process buckets; idle full buckets are swept so the map does not grow without bound. */
export const createMemoryRateLimitStore = (): RateLimitStore => {
  const buckets = new Map<string, Bucket>();
  let lastSweep = 0;
  const sweep = (now: number) => {
    lastSweep = now;
    for (const [name, b] of buckets) {
      if (b.tokens + ((now - b.at) / 1000) * b.perSecond >= b.burst) buckets.delete(name);
    }
  };
  const refill = (spec: BucketSpec, now: number): Bucket => {
    const b = buckets.get(spec.name) ?? {
      tokens: spec.burst,
      at: now,
      perSecond: spec.perSecond,
      burst: spec.burst,
    };
    b.tokens = Math.min(spec.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * spec.perSecond);
    b.at = now;
    b.perSecond = spec.perSecond;
    b.burst = spec.burst;
    buckets.set(spec.name, b);
    return b;
  };
  return {
    async take(specs, now) {
      if (now - lastSweep > SWEEP_EVERY_MS) sweep(now);
      const current = specs.map((s) => refill(s, now));
      const empty = current.find((b) => b.tokens < 1);
      if (empty) return stateOf(empty, false);
      for (const b of current) b.tokens -= 1;
      return stateOf(
        current.reduce((a, b) => (b.tokens < a.tokens ? b : a)),
        true,
      );
    },
  };
};

/** The buckets a tenant key's request draws from. */
export const tenantAndKeyBuckets = (tenantId: string, keyId: string, limits: RateLimits): BucketSpec[] => [
  { name: `t:${tenantId}`, perSecond: limits.tenantPerSecond, burst: limits.tenantBurst },
  { name: `k:${keyId}`, perSecond: limits.keyPerSecond, burst: limits.keyBurst },
];

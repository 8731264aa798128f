// Rate limits: token buckets per tenant and per key, counted through the KV port (in process, or Redis
// so that limits hold across replicas).
import type { RateLimits } from '@quiver/contracts';
import type { KvStore, TokenBucketSpec } from '../adapters/kv/index.ts';

/** The one KV operation rate limiting needs: an all-or-none take from several buckets. */
export type RateLimitStore = Pick<KvStore, 'takeTokens'>;

/** The buckets a tenant key's request draws from. */
export const tenantAndKeyBuckets = (
  tenantId: string,
  keyId: string,
  limits: RateLimits,
): TokenBucketSpec[] => [
  { name: `ratelimit:t:${tenantId}`, perSecond: limits.tenantPerSecond, burst: limits.tenantBurst },
  { name: `ratelimit:k:${keyId}`, perSecond: limits.keyPerSecond, burst: limits.keyBurst },
];

// When to retry and how long to wait: exponential backoff with full jitter, Retry-After honoured.

/** Statuses a retry can fix: rate limited, unavailable (overload, draining, a dependency down). */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);
export const DEFAULT_MAX_RETRIES = 4;
export const DEFAULT_RETRY_BASE_MS = 250;
export const DEFAULT_RETRY_CAP_MS = 20_000;

export interface RetryPolicy {
  /** Retries after the first attempt (0 turns retrying off). */
  maxRetries: number;
  /** The first backoff's ceiling; each retry doubles it. */
  baseDelayMs: number;
  /** The largest wait between two attempts, Retry-After included: a server asking for more ends the call. */
  maxDelayMs: number;
}

/** Full jitter (AWS architecture blog): uniform in [0, min(cap, base × 2^retry)). */
export const backoffMs = (retry: number, policy: RetryPolicy, random: () => number = Math.random): number =>
  random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);

/** `Retry-After` as delay-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export const parseRetryAfter = (value: string | null, now: number = Date.now()): number | undefined => {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
};

/**
 * The wait before retry number `retry` (0-based): the server's Retry-After when it gave one (never less),
 * else the jittered backoff. Undefined when the wait would pass `maxDelayMs`: better to fail now.
 */
export const delayBeforeRetry = (
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined => {
  const wait = retryAfterMs ?? backoffMs(retry, policy, random);
  return wait > policy.maxDelayMs ? undefined : wait;
};

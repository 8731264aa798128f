// The key-value port: the small surface online features, caches and rate limits need, provided in process
// and by Redis. Values are strings (callers JSON-encode); numbers come back as numbers.

export interface TtlOption {
  /** Time to live in milliseconds; the key is gone once it passes. Absent: no expiry (or unchanged). */
  ttlMs?: number;
}

/** One token-bucket decision; the same shape as the HTTP rate limiter's `BucketState`. */
export interface TokenBucketState {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetS: number;
  /** Seconds until one token is available (when refused). */
  retryAfterS: number;
}

export interface TokenBucketSpec {
  name: string;
  perSecond: number;
  burst: number;
}

export type KvKind = 'memory' | 'redis';

/** Told when the store stops or starts answering; `cause` is the failure that made it unavailable. */
export type AvailabilityListener = (available: boolean, cause?: unknown) => void;

/**
 * One write of `writeMany`, atomic on its key and with the meaning of the single operation of the same
 * name. A write with nothing in it (no fields, no values) changes nothing, its expiry included.
 */
export type KvWrite =
  | { op: 'set'; key: string; value: string; ttlMs?: number }
  | { op: 'hset'; key: string; fields: Readonly<Record<string, string>>; ttlMs?: number }
  /**
   * Adds each number to its field; `ttlMs` (re)sets the key's expiry after the increments. Known gap: a
   * field holding no number fails the write after the fields before it on Redis (in process, before any).
   */
  | { op: 'hincrby'; key: string; fields: ReadonlyMap<string, number>; ttlMs?: number }
  /** Raises each field to at least its number (never lowers it; a field holding no number is replaced). */
  | { op: 'hmax'; key: string; fields: ReadonlyMap<string, number> }
  | { op: 'lpushTrim'; key: string; values: readonly string[]; maxLen: number; ttlMs?: number }
  | { op: 'incrBucket'; key: string; bucketStartMs: number; by: number; ttlMs: number };

/**
 * Every operation is atomic on its key. Using a key as two kinds (a string, then a hash) is an error.
 * Missing keys read as empty: `null`, `{}`, `[]` or `0`.
 */
export interface KvStore {
  readonly kind: KvKind;
  get(key: string): Promise<string | null>;
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  /** Sets the value; without `ttlMs` the key does not expire (any earlier expiry is cleared). */
  set(key: string, value: string, options?: TtlOption): Promise<void>;
  /** Deletes the keys; returns how many existed. */
  delete(keys: string | readonly string[]): Promise<number>;
  /** Sets the key's time to live; returns false if the key does not exist. */
  expire(key: string, ttlMs: number): Promise<boolean>;

  hget(key: string, field: string): Promise<string | null>;
  /** Sets the fields; `ttlMs` (re)sets the whole key's expiry, its absence leaves the expiry unchanged. */
  hset(key: string, fields: Readonly<Record<string, string>>, options?: TtlOption): Promise<void>;
  hgetall(key: string): Promise<Record<string, string>>;
  /** `hgetall` of many keys in one round trip, in the order given. */
  hgetallMany(keys: readonly string[]): Promise<Record<string, string>[]>;
  /** Adds `by` (integer or not) to a numeric field, created at 0; returns the new value. */
  hincrby(key: string, field: string, by: number): Promise<number>;

  /**
   * Applies the writes in order in one call (one round trip on Redis). Answers each write's outcome in its
   * slot: null once applied, or the store's error (a key of another kind), the other writes applying anyway.
   * A malformed write (a bad `ttlMs` or `maxLen`) rejects the call before anything is written.
   */
  writeMany(writes: readonly KvWrite[]): Promise<(Error | null)[]>;

  /** Pushes values to the head (the last value given ends first), keeps the newest `maxLen`; returns the length. */
  lpushTrim(key: string, values: readonly string[], maxLen: number, options?: TtlOption): Promise<number>;
  /** Items `start..stop` inclusive, newest first; negative indices count from the tail (Redis LRANGE). */
  lrange(key: string, start?: number, stop?: number): Promise<string[]>;
  /** `lrange` of many keys in one round trip, in the order given. */
  lrangeMany(keys: readonly string[], start?: number, stop?: number): Promise<string[][]>;

  /**
   * Adds `by` to the time bucket starting at `bucketStartMs` (event time) and returns the bucket's total.
   * A bucket is dropped once a bucket `ttlMs` or more newer exists in the key (a late write into a dropped
   * bucket returns 0), and the whole key expires `ttlMs` after its last write.
   */
  incrBucket(key: string, bucketStartMs: number, by: number, ttlMs: number): Promise<number>;
  /** Sum of the buckets whose start is in `[fromMs, toMs)`. */
  sumBuckets(key: string, fromMs: number, toMs: number): Promise<number>;

  /**
   * Takes one token from every bucket, or from none when any is empty, atomically (a refused request
   * costs nothing). Reports the refusing bucket, or else the one with the fewest tokens left.
   */
  takeTokens(buckets: readonly TokenBucketSpec[], nowMs: number): Promise<TokenBucketState>;

  ping(): Promise<void>;

  /**
   * Whether the store answers, as far as it knows without asking (the in-process one always does). While it
   * does not, every operation fails at once with the `unavailable` error code instead of waiting.
   */
  available(): boolean;
  /** Calls the listener on each change of `available()` (not for the state it is in now). */
  onAvailabilityChange(listener: AvailabilityListener): void;
  /**
   * Changes each time the store (re)connects. State written under one connection may be gone under the
   * next (a Redis restarted without persistence), so holders of such state check it when this changes.
   */
  readonly connection: number;

  /** Releases connections; safe to call twice. */
  close(): Promise<void>;
}

/** Extra time a token bucket is kept after it would be full again (a full bucket is the same as none). */
export const TOKEN_BUCKET_SLACK_MS = 1_000;

export const checkTokenArgs = (perSecond: number, burst: number, nowMs: number): void => {
  if (!(perSecond > 0) || !Number.isFinite(perSecond))
    throw new RangeError(`perSecond must be > 0: ${perSecond}`);
  if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be >= 1: ${burst}`);
  if (!Number.isFinite(nowMs)) throw new RangeError(`nowMs must be finite: ${nowMs}`);
};

/** The decision both implementations report, from the tokens left after the take. */
export const tokenBucketState = (
  allowed: boolean,
  tokens: number,
  perSecond: number,
  burst: number,
): TokenBucketState => ({
  allowed,
  limit: burst,
  remaining: Math.floor(tokens),
  resetS: Math.ceil((burst - tokens) / perSecond),
  retryAfterS: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / perSecond)),
});

/** How long to keep a bucket holding `tokens`: until it is full again, plus slack. */
export const tokenBucketTtlMs = (tokens: number, perSecond: number, burst: number): number =>
  Math.ceil(((burst - tokens) / perSecond) * 1000) + TOKEN_BUCKET_SLACK_MS;

export const checkTtl = (ttlMs: number): void => {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`ttlMs must be a positive integer: ${ttlMs}`);
};

export const checkMaxLen = (maxLen: number): void => {
  if (!Number.isInteger(maxLen) || maxLen < 1)
    throw new RangeError(`maxLen must be a positive integer: ${maxLen}`);
};

/** Throws the RangeError a malformed write would (checked before any write of a batch is made). */
export const checkWrite = (w: KvWrite): void => {
  if (w.op === 'lpushTrim') checkMaxLen(w.maxLen);
  if ('ttlMs' in w && w.ttlMs !== undefined) checkTtl(w.ttlMs);
};

/** Index of the smallest value (the bucket closest to refusing). */
export const tightest = (tokens: readonly number[]): number =>
  tokens.reduce((best, t, i) => (t < tokens[best] ? i : best), 0);

/** One bucket's take: `takeTokens` with a single bucket. */
export const takeToken = (
  store: Pick<KvStore, 'takeTokens'>,
  bucket: string,
  perSecond: number,
  burst: number,
  nowMs: number,
): Promise<TokenBucketState> => store.takeTokens([{ name: bucket, perSecond, burst }], nowMs);

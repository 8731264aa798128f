// Distributed KV: Redis through ioredis; scripts and MULTI make the compound operations atomic.
import { type ChainableCommander, Redis } from 'ioredis';
import {
  checkMaxLen,
  checkTokenArgs,
  checkTtl,
  checkWrite,
  type KvStore,
  type KvWrite,
  TOKEN_BUCKET_SLACK_MS,
  type TokenBucketSpec,
  type TokenBucketState,
  type TtlOption,
  tightest,
  tokenBucketState,
} from './port.ts';
import { INCR_BUCKET_LUA, SUM_BUCKETS_LUA, TAKE_TOKENS_LUA } from './redis-scripts.ts';
import { defineWriteScripts, queueWrite, type WritePipeline } from './redis-writes.ts';

/** A command fails after this many reconnect attempts instead of waiting forever for Redis. */
export const DEFAULT_MAX_RETRIES_PER_REQUEST = 2;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export interface RedisKvOptions {
  /** Prepended to every key, so tenants, environments and test runs do not collide. */
  keyPrefix?: string;
  maxRetriesPerRequest?: number;
  connectTimeoutMs?: number;
}

type Scripted = Redis & {
  kvTakeTokens(numberOfKeys: number, ...args: (string | number)[]): Promise<[number, ...string[]]>;
  kvIncrBucket(key: string, bucketStartMs: number, by: number, ttlMs: number): Promise<string>;
  kvSumBuckets(key: string, fromMs: number, toMs: number): Promise<string>;
};

/** Runs a MULTI block and returns its replies, throwing the first command error. */
const exec = async (multi: ChainableCommander): Promise<unknown[]> => {
  const replies = await multi.exec();
  if (!replies) throw new Error('redis transaction aborted');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
};

export class RedisKv implements KvStore {
  readonly kind = 'redis' as const;
  private readonly client: Scripted;
  private closed = false;

  constructor(url: string, options: RedisKvOptions = {}) {
    const client = new Redis(url, {
      keyPrefix: options.keyPrefix,
      maxRetriesPerRequest: options.maxRetriesPerRequest ?? DEFAULT_MAX_RETRIES_PER_REQUEST,
      connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      // Concurrent calls in one tick go out as one pipeline: many feature lookups cost one round trip.
      enableAutoPipelining: true,
    });
    // Connection errors surface as rejected commands; without a listener ioredis would log each retry.
    client.on('error', () => {});
    client.defineCommand('kvTakeTokens', { lua: TAKE_TOKENS_LUA });
    client.defineCommand('kvIncrBucket', { numberOfKeys: 1, lua: INCR_BUCKET_LUA });
    client.defineCommand('kvSumBuckets', { numberOfKeys: 1, lua: SUM_BUCKETS_LUA, readOnly: true });
    defineWriteScripts(client);
    this.client = client as Scripted;
  }

  async get(key: string) {
    return this.client.get(key);
  }

  async mget(keys: readonly string[]) {
    return keys.length === 0 ? [] : this.client.mget(...keys);
  }

  async set(key: string, value: string, options: TtlOption = {}) {
    if (options.ttlMs === undefined) await this.client.set(key, value);
    else {
      checkTtl(options.ttlMs);
      await this.client.set(key, value, 'PX', options.ttlMs);
    }
  }

  async delete(keys: string | readonly string[]) {
    const list = typeof keys === 'string' ? [keys] : keys;
    return list.length === 0 ? 0 : this.client.unlink(...list);
  }

  async expire(key: string, ttlMs: number) {
    checkTtl(ttlMs);
    return (await this.client.pexpire(key, ttlMs)) === 1;
  }

  async hget(key: string, field: string) {
    return this.client.hget(key, field);
  }

  async hset(key: string, fields: Readonly<Record<string, string>>, options: TtlOption = {}) {
    if (options.ttlMs !== undefined) checkTtl(options.ttlMs);
    if (Object.keys(fields).length === 0) return;
    const multi = this.client.multi().hset(key, fields);
    if (options.ttlMs !== undefined) multi.pexpire(key, options.ttlMs);
    await exec(multi);
  }

  async hgetall(key: string) {
    return this.client.hgetall(key);
  }

  async hgetallMany(keys: readonly string[]) {
    if (keys.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    return (await exec(pipeline)) as Record<string, string>[];
  }

  async hincrby(key: string, field: string, by: number) {
    return Number(await this.client.hincrbyfloat(key, field, by));
  }

  async writeMany(writes: readonly KvWrite[]) {
    for (const w of writes) checkWrite(w);
    const out: (Error | null)[] = writes.map(() => null);
    const pipeline = this.client.pipeline() as WritePipeline;
    const sent: number[] = [];
    writes.forEach((w, i) => {
      if (queueWrite(pipeline, w)) sent.push(i);
    });
    if (sent.length === 0) return out;
    const replies = await pipeline.exec();
    if (!replies) throw new Error('redis pipeline aborted');
    replies.forEach(([error], k) => {
      if (error) out[sent[k]] = error;
    });
    return out;
  }

  async lpushTrim(key: string, values: readonly string[], maxLen: number, options: TtlOption = {}) {
    checkMaxLen(maxLen);
    if (options.ttlMs !== undefined) checkTtl(options.ttlMs);
    if (values.length === 0) return this.client.llen(key);
    const multi = this.client
      .multi()
      .lpush(key, ...values)
      .ltrim(key, 0, maxLen - 1);
    if (options.ttlMs !== undefined) multi.pexpire(key, options.ttlMs);
    const [length] = (await exec(multi)) as number[];
    return Math.min(length, maxLen);
  }

  async lrange(key: string, start = 0, stop = -1) {
    return this.client.lrange(key, start, stop);
  }

  async lrangeMany(keys: readonly string[], start = 0, stop = -1) {
    if (keys.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.lrange(key, start, stop);
    return (await exec(pipeline)) as string[][];
  }

  async incrBucket(key: string, bucketStartMs: number, by: number, ttlMs: number) {
    checkTtl(ttlMs);
    return Number(await this.client.kvIncrBucket(key, bucketStartMs, by, ttlMs));
  }

  async sumBuckets(key: string, fromMs: number, toMs: number) {
    return Number(await this.client.kvSumBuckets(key, fromMs, toMs));
  }

  async takeTokens(buckets: readonly TokenBucketSpec[], nowMs: number): Promise<TokenBucketState> {
    for (const b of buckets) checkTokenArgs(b.perSecond, b.burst, nowMs);
    const [refused, ...left] = await this.client.kvTakeTokens(
      buckets.length,
      ...buckets.map((b) => b.name),
      nowMs,
      TOKEN_BUCKET_SLACK_MS,
      ...buckets.flatMap((b) => [b.perSecond, b.burst]),
    );
    const tokens = left.map(Number);
    const i = refused > 0 ? refused - 1 : tightest(tokens);
    return tokenBucketState(refused === 0, tokens[i], buckets[i].perSecond, buckets[i].burst);
  }

  async ping() {
    await this.client.ping();
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

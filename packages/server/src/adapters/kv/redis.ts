// Distributed KV: Redis through ioredis; scripts and MULTI make the compound operations atomic.
import { type ChainableCommander, Redis } from 'ioredis';
import { SpanKind, withSpan } from '../../kernel/tracing.ts';
import {
  type AvailabilityListener,
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
import { RedisCircuit } from './redis-circuit.ts';
import { INCR_BUCKET_LUA, SUM_BUCKETS_LUA, TAKE_TOKENS_LUA } from './redis-scripts.ts';
import { defineWriteScripts, queueWrite, type WritePipeline } from './redis-writes.ts';

/**
 * A command in flight when the connection drops fails at once (it is not resent after a reconnect): callers
 * fall back or answer 503 rather than wait seconds for Redis.
 */
export const DEFAULT_MAX_RETRIES_PER_REQUEST = 0;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** A command Redis has not answered by then fails, and opens the circuit (a stalled server). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
/** The longest wait between reconnect attempts while Redis is down. */
export const MAX_RECONNECT_DELAY_MS = 1_000;

export interface RedisKvOptions {
  /** Prepended to every key, so tenants, environments and test runs do not collide. */
  keyPrefix?: string;
  maxRetriesPerRequest?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
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
  private readonly circuit: RedisCircuit;
  private closed = false;

  constructor(url: string, options: RedisKvOptions = {}) {
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const client = new Redis(url, {
      keyPrefix: options.keyPrefix,
      maxRetriesPerRequest: options.maxRetriesPerRequest ?? DEFAULT_MAX_RETRIES_PER_REQUEST,
      connectTimeout: connectTimeoutMs,
      commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      // While disconnected, commands fail at once instead of waiting in a queue for the reconnect.
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
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
    this.circuit = new RedisCircuit(client, connectTimeoutMs);
  }

  get connection() {
    return this.circuit.connection;
  }

  available() {
    return this.circuit.available();
  }

  onAvailabilityChange(listener: AvailabilityListener) {
    this.circuit.onChange(listener);
  }

  /** The client, once the circuit lets commands through; its failures come back as `unavailable`. */
  private run<T>(op: string, command: (client: Scripted) => Promise<T>): Promise<T> {
    // A CLIENT span per command (hand-made: an ioredis instrumentation patches every call).
    return withSpan(
      op,
      { 'db.system.name': 'redis', 'db.operation.name': op },
      () => this.circuit.run(() => command(this.client)),
      { kind: SpanKind.CLIENT },
    );
  }

  async get(key: string) {
    return this.run('GET', (c) => c.get(key));
  }

  async mget(keys: readonly string[]) {
    return keys.length === 0 ? [] : this.run('MGET', (c) => c.mget(...keys));
  }

  async set(key: string, value: string, options: TtlOption = {}) {
    const ttlMs = options.ttlMs;
    if (ttlMs === undefined) await this.run('SET', (c) => c.set(key, value));
    else {
      checkTtl(ttlMs);
      await this.run('SET', (c) => c.set(key, value, 'PX', ttlMs));
    }
  }

  async delete(keys: string | readonly string[]) {
    const list = typeof keys === 'string' ? [keys] : keys;
    return list.length === 0 ? 0 : this.run('UNLINK', (c) => c.unlink(...list));
  }

  async expire(key: string, ttlMs: number) {
    checkTtl(ttlMs);
    return (await this.run('PEXPIRE', (c) => c.pexpire(key, ttlMs))) === 1;
  }

  async hget(key: string, field: string) {
    return this.run('HGET', (c) => c.hget(key, field));
  }

  async hset(key: string, fields: Readonly<Record<string, string>>, options: TtlOption = {}) {
    if (options.ttlMs !== undefined) checkTtl(options.ttlMs);
    if (Object.keys(fields).length === 0) return;
    await this.run('MULTI HSET', (c) => {
      const multi = c.multi().hset(key, fields);
      if (options.ttlMs !== undefined) multi.pexpire(key, options.ttlMs);
      return exec(multi);
    });
  }

  async hgetall(key: string) {
    return this.run('HGETALL', (c) => c.hgetall(key));
  }

  async hgetallMany(keys: readonly string[]) {
    if (keys.length === 0) return [];
    return this.run('PIPELINE HGETALL', (c) => {
      const pipeline = c.pipeline();
      for (const key of keys) pipeline.hgetall(key);
      return exec(pipeline) as Promise<Record<string, string>[]>;
    });
  }

  async hincrby(key: string, field: string, by: number) {
    return Number(await this.run('HINCRBYFLOAT', (c) => c.hincrbyfloat(key, field, by)));
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
    const replies = await this.run('PIPELINE', () => pipeline.exec());
    if (!replies) throw this.circuit.failed(new Error('redis pipeline aborted'));
    replies.forEach(([error], k) => {
      if (!error) return;
      // A lost connection fails the whole call (`unavailable`); only Redis's own answers go in the slots.
      const failure = this.circuit.failed(error);
      if (failure !== error) throw failure;
      out[sent[k]] = error;
    });
    return out;
  }

  async lpushTrim(key: string, values: readonly string[], maxLen: number, options: TtlOption = {}) {
    checkMaxLen(maxLen);
    if (options.ttlMs !== undefined) checkTtl(options.ttlMs);
    if (values.length === 0) return this.run('LLEN', (c) => c.llen(key));
    const [length] = (await this.run('MULTI HSET', (c) => {
      const multi = c
        .multi()
        .lpush(key, ...values)
        .ltrim(key, 0, maxLen - 1);
      if (options.ttlMs !== undefined) multi.pexpire(key, options.ttlMs);
      return exec(multi);
    })) as number[];
    return Math.min(length, maxLen);
  }

  async lrange(key: string, start = 0, stop = -1) {
    return this.run('LRANGE', (c) => c.lrange(key, start, stop));
  }

  async lrangeMany(keys: readonly string[], start = 0, stop = -1) {
    if (keys.length === 0) return [];
    return this.run('PIPELINE HGETALL', (c) => {
      const pipeline = c.pipeline();
      for (const key of keys) pipeline.lrange(key, start, stop);
      return exec(pipeline) as Promise<string[][]>;
    });
  }

  async incrBucket(key: string, bucketStartMs: number, by: number, ttlMs: number) {
    checkTtl(ttlMs);
    return Number(await this.run('KVINCRBUCKET', (c) => c.kvIncrBucket(key, bucketStartMs, by, ttlMs)));
  }

  async sumBuckets(key: string, fromMs: number, toMs: number) {
    return Number(await this.run('KVSUMBUCKETS', (c) => c.kvSumBuckets(key, fromMs, toMs)));
  }

  async takeTokens(buckets: readonly TokenBucketSpec[], nowMs: number): Promise<TokenBucketState> {
    for (const b of buckets) checkTokenArgs(b.perSecond, b.burst, nowMs);
    const [refused, ...left] = await this.run('EVALSHA take_tokens', (c) =>
      c.kvTakeTokens(
        buckets.length,
        ...buckets.map((b) => b.name),
        nowMs,
        TOKEN_BUCKET_SLACK_MS,
        ...buckets.flatMap((b) => [b.perSecond, b.burst]),
      ),
    );
    const tokens = left.map(Number);
    const i = refused > 0 ? refused - 1 : tightest(tokens);
    return tokenBucketState(refused === 0, tokens[i], buckets[i].perSecond, buckets[i].burst);
  }

  async ping() {
    await this.run('PING', (c) => c.ping());
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    this.circuit.close();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

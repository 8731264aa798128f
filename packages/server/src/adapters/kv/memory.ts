// In-process KV: Maps with TTL, swept lazily so expired keys do not accumulate; optional snapshot file.
import { existsSync } from 'node:fs';
import { type Clock, systemClock } from '../../kernel/index.ts';
import {
  checkMaxLen,
  checkTokenArgs,
  checkTtl,
  type KvStore,
  type TokenBucketSpec,
  type TokenBucketState,
  type TtlOption,
  tightest,
  tokenBucketState,
  tokenBucketTtlMs,
} from './port.ts';
import { type Entry, readSnapshot, writeSnapshot } from './snapshot.ts';

/** At most one full sweep for expired keys per interval, run by a write. */
export const DEFAULT_SWEEP_INTERVAL_MS = 30_000;

export interface MemoryKvDeps {
  clock?: Clock;
}

export interface MemoryKvOptions {
  /** Restored on open when it exists (a corrupt file throws), written on close. */
  snapshotFile?: string;
  sweepIntervalMs?: number;
}

type Kind = Entry['t'];
type EntryOf<K extends Kind> = Extract<Entry, { t: K }>;

const wrongType = (key: string, want: Kind, have: Kind) =>
  new Error(`WRONGTYPE key '${key}' holds a ${have}, not a ${want}`);

/** Redis LRANGE index rules: inclusive, negative from the tail, clamped. */
const range = <T>(items: T[], start: number, stop: number): T[] => {
  const len = items.length;
  const s = Math.max(0, start < 0 ? len + start : start);
  const e = Math.min(len - 1, stop < 0 ? len + stop : stop);
  return s > e ? [] : items.slice(s, e + 1);
};

export class MemoryKv implements KvStore {
  readonly kind = 'memory' as const;
  private data = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly sweepIntervalMs: number;
  private lastSweep: number;
  private closed = false;

  constructor(
    deps: MemoryKvDeps = {},
    private readonly options: MemoryKvOptions = {},
  ) {
    this.clock = deps.clock ?? systemClock;
    this.sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    this.lastSweep = this.clock.now();
    if (options.snapshotFile && existsSync(options.snapshotFile)) this.restoreFrom(options.snapshotFile);
  }

  /** Keys held, expired ones not yet swept included. */
  get size(): number {
    return this.data.size;
  }

  private expiry(ttlMs: number | undefined): number | undefined {
    if (ttlMs === undefined) return undefined;
    checkTtl(ttlMs);
    return this.clock.now() + ttlMs;
  }

  private live(key: string): Entry | undefined {
    const e = this.data.get(key);
    if (e?.exp !== undefined && e.exp <= this.clock.now()) {
      this.data.delete(key);
      return undefined;
    }
    return e;
  }

  private read<K extends Kind>(key: string, t: K): EntryOf<K> | undefined {
    const e = this.live(key);
    if (e && e.t !== t) throw wrongType(key, t, e.t);
    return e as EntryOf<K> | undefined;
  }

  /** Drops every expired key, at most once per sweep interval; writes call it so memory stays bounded. */
  private sweep(): void {
    const now = this.clock.now();
    if (now - this.lastSweep < this.sweepIntervalMs) return;
    this.lastSweep = now;
    for (const [k, e] of this.data) if (e.exp !== undefined && e.exp <= now) this.data.delete(k);
  }

  /** The entry to write into, created empty if missing. */
  private write<K extends Kind>(key: string, t: K, create: () => EntryOf<K>): EntryOf<K> {
    this.sweep();
    let e = this.read(key, t);
    if (!e) {
      e = create();
      this.data.set(key, e);
    }
    return e;
  }

  async get(key: string) {
    return this.read(key, 'string')?.v ?? null;
  }

  async mget(keys: readonly string[]) {
    // Like Redis MGET, a key of another kind reads as missing rather than failing the batch.
    return keys.map((k) => {
      const e = this.live(k);
      return e?.t === 'string' ? e.v : null;
    });
  }

  async set(key: string, value: string, options: TtlOption = {}) {
    const exp = this.expiry(options.ttlMs);
    this.sweep();
    this.data.set(key, { t: 'string', v: value, exp });
  }

  async delete(keys: string | readonly string[]) {
    let n = 0;
    for (const k of typeof keys === 'string' ? [keys] : keys) if (this.live(k) && this.data.delete(k)) n++;
    return n;
  }

  async expire(key: string, ttlMs: number) {
    const exp = this.expiry(ttlMs);
    const e = this.live(key);
    if (e) e.exp = exp;
    return e !== undefined;
  }

  async hget(key: string, field: string) {
    return this.read(key, 'hash')?.v.get(field) ?? null;
  }

  async hset(key: string, fields: Readonly<Record<string, string>>, options: TtlOption = {}) {
    const exp = this.expiry(options.ttlMs);
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    const e = this.write(key, 'hash', () => ({ t: 'hash', v: new Map() }));
    for (const [f, v] of entries) e.v.set(f, v);
    if (exp !== undefined) e.exp = exp;
  }

  async hgetall(key: string) {
    return Object.fromEntries(this.read(key, 'hash')?.v ?? []);
  }

  async hgetallMany(keys: readonly string[]) {
    return keys.map((k) => Object.fromEntries(this.read(k, 'hash')?.v ?? []));
  }

  async hincrby(key: string, field: string, by: number) {
    const e = this.write(key, 'hash', () => ({ t: 'hash', v: new Map() }));
    const value = Number(e.v.get(field) ?? 0) + by;
    if (!Number.isFinite(value)) throw new Error(`hash field '${field}' of '${key}' is not a number`);
    e.v.set(field, String(value));
    return value;
  }

  async lpushTrim(key: string, values: readonly string[], maxLen: number, options: TtlOption = {}) {
    checkMaxLen(maxLen);
    const exp = this.expiry(options.ttlMs);
    if (values.length === 0) return this.read(key, 'list')?.v.length ?? 0;
    const e = this.write(key, 'list', () => ({ t: 'list', v: [] }));
    e.v = [...values].reverse().concat(e.v).slice(0, maxLen);
    if (exp !== undefined) e.exp = exp;
    return e.v.length;
  }

  async lrange(key: string, start = 0, stop = -1) {
    return range(this.read(key, 'list')?.v ?? [], start, stop);
  }

  async incrBucket(key: string, bucketStartMs: number, by: number, ttlMs: number) {
    const exp = this.expiry(ttlMs);
    const e = this.write(key, 'buckets', () => ({ t: 'buckets', v: new Map() }));
    e.exp = exp;
    const current = e.v.get(bucketStartMs);
    e.v.set(bucketStartMs, (current ?? 0) + by);
    if (current === undefined) {
      // Only a new bucket can make others stale, so pruning costs one pass per bucket, not per write.
      const newest = Math.max(...e.v.keys());
      for (const start of e.v.keys()) if (start + ttlMs <= newest) e.v.delete(start);
    }
    return e.v.get(bucketStartMs) ?? 0;
  }

  async sumBuckets(key: string, fromMs: number, toMs: number) {
    let sum = 0;
    for (const [start, n] of this.read(key, 'buckets')?.v ?? [])
      if (start >= fromMs && start < toMs) sum += n;
    return sum;
  }

  async takeToken(
    bucket: string,
    perSecond: number,
    burst: number,
    nowMs: number,
  ): Promise<TokenBucketState> {
    return this.takeTokens([{ name: bucket, perSecond, burst }], nowMs);
  }

  async takeTokens(buckets: readonly TokenBucketSpec[], nowMs: number): Promise<TokenBucketState> {
    for (const b of buckets) checkTokenArgs(b.perSecond, b.burst, nowMs);
    const entries = buckets.map((b) => {
      const e = this.write(b.name, 'token', () => ({ t: 'token', tokens: b.burst, at: nowMs }));
      e.tokens = Math.min(b.burst, e.tokens + (Math.max(0, nowMs - e.at) / 1000) * b.perSecond);
      e.at = Math.max(e.at, nowMs);
      return e;
    });
    const refused = entries.findIndex((e) => e.tokens < 1);
    if (refused < 0) for (const e of entries) e.tokens -= 1;
    entries.forEach((e, i) => {
      e.exp = this.clock.now() + tokenBucketTtlMs(e.tokens, buckets[i].perSecond, buckets[i].burst);
    });
    const i = refused >= 0 ? refused : tightest(entries.map((e) => e.tokens));
    return tokenBucketState(refused < 0, entries[i].tokens, buckets[i].perSecond, buckets[i].burst);
  }

  async ping() {}

  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.options.snapshotFile) await this.persistTo(this.options.snapshotFile);
  }

  /** Writes every live key to `path` atomically (a temporary file, then a rename). */
  persistTo(path: string): Promise<void> {
    const now = this.clock.now();
    return writeSnapshot(
      path,
      [...this.data].filter(([, e]) => e.exp === undefined || e.exp > now),
    );
  }

  /** Replaces the contents with the snapshot at `path`; throws if it is missing or corrupt. */
  restoreFrom(path: string): void {
    const now = this.clock.now();
    this.data = new Map(readSnapshot(path).filter(([, e]) => e.exp === undefined || e.exp > now));
  }
}

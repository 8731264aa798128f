// In-process KV: Maps with TTL, swept lazily so expired keys do not accumulate; optional snapshot file.
import { existsSync } from 'node:fs';
import { type Clock, systemClock } from '../../kernel/index.ts';
import {
  addToBucket,
  applyWrite,
  type EntryOf,
  type EntryWriter,
  incrFields,
  type Kind,
  pushTrim,
  range,
  takeFrom,
  wrongType,
} from './memory-ops.ts';
import {
  type AvailabilityListener,
  checkMaxLen,
  checkTokenArgs,
  checkTtl,
  checkWrite,
  type KvStore,
  type KvWrite,
  type TokenBucketSpec,
  type TokenBucketState,
  type TtlOption,
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

export class MemoryKv implements KvStore {
  readonly kind = 'memory' as const;
  readonly connection = 1;
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

  private live(key: string, now = this.clock.now()) {
    const e = this.data.get(key);
    if (e?.exp !== undefined && e.exp <= now) {
      this.data.delete(key);
      return undefined;
    }
    return e;
  }

  private read<K extends Kind>(key: string, t: K, now?: number): EntryOf<K> | undefined {
    const e = this.live(key, now);
    if (e && e.t !== t) throw wrongType(key, t, e.t);
    return e as EntryOf<K> | undefined;
  }

  /** Drops every expired key, at most once per sweep interval; writes call it so memory stays bounded. */
  private sweep(now = this.clock.now()): void {
    if (now - this.lastSweep < this.sweepIntervalMs) return;
    this.lastSweep = now;
    for (const [k, e] of this.data) if (e.exp !== undefined && e.exp <= now) this.data.delete(k);
  }

  /** The entry to write into, created empty if missing (a batch sweeps once and passes its time). */
  private write<K extends Kind>(key: string, t: K, create: () => EntryOf<K>, now?: number): EntryOf<K> {
    if (now === undefined) this.sweep();
    let e = this.read(key, t, now);
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
    return incrFields(key, e, new Map([[field, by]]));
  }

  async writeMany(writes: readonly KvWrite[]) {
    for (const w of writes) checkWrite(w);
    this.sweep();
    // One time for the whole batch: its writes happen at once, as in a Redis pipeline.
    const now = this.clock.now();
    const store: EntryWriter = {
      write: (key, t, create) => this.write(key, t, create, now),
      put: (key, e) => void this.data.set(key, e),
    };
    const expiry = (ttlMs: number) => now + ttlMs;
    return writes.map((w): Error | null => {
      try {
        applyWrite(store, w, expiry);
        return null;
      } catch (error) {
        return error as Error;
      }
    });
  }

  async lpushTrim(key: string, values: readonly string[], maxLen: number, options: TtlOption = {}) {
    checkMaxLen(maxLen);
    const exp = this.expiry(options.ttlMs);
    if (values.length === 0) return this.read(key, 'list')?.v.length ?? 0;
    const e = this.write(key, 'list', () => ({ t: 'list', v: [] }));
    pushTrim(e, values, maxLen);
    if (exp !== undefined) e.exp = exp;
    return e.v.length;
  }

  async lrange(key: string, start = 0, stop = -1) {
    return range(this.read(key, 'list')?.v ?? [], start, stop);
  }

  async lrangeMany(keys: readonly string[], start = 0, stop = -1) {
    const now = this.clock.now();
    return keys.map((k) => range(this.read(k, 'list', now)?.v ?? [], start, stop));
  }

  async incrBucket(key: string, bucketStartMs: number, by: number, ttlMs: number) {
    const exp = this.expiry(ttlMs);
    const e = this.write(key, 'buckets', () => ({ t: 'buckets', v: new Map() }));
    e.exp = exp;
    return addToBucket(e, bucketStartMs, by, ttlMs);
  }

  async sumBuckets(key: string, fromMs: number, toMs: number) {
    let sum = 0;
    for (const [start, n] of this.read(key, 'buckets')?.v ?? [])
      if (start >= fromMs && start < toMs) sum += n;
    return sum;
  }

  async takeTokens(buckets: readonly TokenBucketSpec[], nowMs: number): Promise<TokenBucketState> {
    for (const b of buckets) checkTokenArgs(b.perSecond, b.burst, nowMs);
    // Expiry runs on the store's clock, read once for the whole take (a read per bucket per request before);
    // the refill on the caller's `nowMs`.
    const storeNow = this.clock.now();
    this.sweep(storeNow);
    const entries = buckets.map((b) => {
      const e = this.write(b.name, 'token', () => ({ t: 'token', tokens: b.burst, at: nowMs }), storeNow);
      e.tokens = Math.min(b.burst, e.tokens + (Math.max(0, nowMs - e.at) / 1000) * b.perSecond);
      e.at = Math.max(e.at, nowMs);
      return e;
    });
    return takeFrom(entries, buckets, storeNow);
  }

  async ping() {}

  available() {
    return true;
  }

  /** Never called: the in-process store is always available. */
  onAvailabilityChange(_listener: AvailabilityListener) {}

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

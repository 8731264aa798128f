// The in-process store's operations on one entry, shared by its single operations and by `writeMany`.
import {
  type KvWrite,
  type TokenBucketSpec,
  type TokenBucketState,
  tightest,
  tokenBucketState,
  tokenBucketTtlMs,
} from './port.ts';
import type { Entry } from './snapshot.ts';

export type Kind = Entry['t'];
export type EntryOf<K extends Kind> = Extract<Entry, { t: K }>;

/** How a write reaches entries: the live entry of a kind (created empty when missing), or a replacement. */
export interface EntryWriter {
  write<K extends Kind>(key: string, t: K, create: () => EntryOf<K>): EntryOf<K>;
  put(key: string, e: Entry): void;
}

export const wrongType = (key: string, want: Kind, have: Kind) =>
  new Error(`WRONGTYPE key '${key}' holds a ${have}, not a ${want}`);

/** Redis LRANGE index rules: inclusive, negative from the tail, clamped. */
export const range = <T>(items: T[], start: number, stop: number): T[] => {
  const len = items.length;
  const s = Math.max(0, start < 0 ? len + start : start);
  const e = Math.min(len - 1, stop < 0 ? len + stop : stop);
  return s > e ? [] : items.slice(s, e + 1);
};

/** Takes a token from every refilled bucket or from none; each expires (from `storeNowMs`) once full again. */
export const takeFrom = (
  entries: EntryOf<'token'>[],
  buckets: readonly TokenBucketSpec[],
  storeNowMs: number,
): TokenBucketState => {
  const refused = entries.findIndex((e) => e.tokens < 1);
  if (refused < 0) for (const e of entries) e.tokens -= 1;
  entries.forEach((e, i) => {
    e.exp = storeNowMs + tokenBucketTtlMs(e.tokens, buckets[i].perSecond, buckets[i].burst);
  });
  const i = refused >= 0 ? refused : tightest(entries.map((e) => e.tokens));
  return tokenBucketState(refused < 0, entries[i].tokens, buckets[i].perSecond, buckets[i].burst);
};

const newHash = (): EntryOf<'hash'> => ({ t: 'hash', v: new Map() });
const newList = (): EntryOf<'list'> => ({ t: 'list', v: [] });
const newBuckets = (): EntryOf<'buckets'> => ({ t: 'buckets', v: new Map() });

/** Adds to each field, all or none: a field that is not a number fails the write before any change. */
export const incrFields = (key: string, e: EntryOf<'hash'>, fields: ReadonlyMap<string, number>): number => {
  const values: number[] = [];
  fields.forEach((by, field) => {
    const value = Number(e.v.get(field) ?? 0) + by;
    if (!Number.isFinite(value)) throw new Error(`hash field '${field}' of '${key}' is not a number`);
    values.push(value);
  });
  let i = 0;
  fields.forEach((_, field) => void e.v.set(field, String(values[i++])));
  return values.length > 0 ? values[values.length - 1] : 0;
};

/** Pushes to the head (the last value ends first) and keeps the newest `maxLen`. */
export const pushTrim = (e: EntryOf<'list'>, values: readonly string[], maxLen: number): void => {
  const head: string[] = [];
  for (let i = values.length - 1; i >= 0 && head.length < maxLen; i--) head.push(values[i]);
  e.v = head.length >= maxLen ? head : head.concat(e.v.slice(0, maxLen - head.length));
};

/** Adds to one bucket and drops buckets a TTL older than the newest; returns the bucket's total. */
export const addToBucket = (e: EntryOf<'buckets'>, start: number, by: number, ttlMs: number): number => {
  const current = e.v.get(start);
  e.v.set(start, (current ?? 0) + by);
  if (current === undefined) {
    // Only a new bucket can make others stale, so pruning costs one pass per bucket, not per write.
    let newest = Number.NEGATIVE_INFINITY;
    for (const s of e.v.keys()) if (s > newest) newest = s;
    for (const s of e.v.keys()) if (s + ttlMs <= newest) e.v.delete(s);
  }
  return e.v.get(start) ?? 0;
};

/** Applies one write of `writeMany`; `expiry` turns a TTL into the absolute time it ends. */
export const applyWrite = (store: EntryWriter, w: KvWrite, expiry: (ttlMs: number) => number): void => {
  switch (w.op) {
    case 'set':
      store.put(w.key, { t: 'string', v: w.value, exp: w.ttlMs === undefined ? undefined : expiry(w.ttlMs) });
      return;
    case 'hset': {
      const fields = Object.entries(w.fields);
      if (fields.length === 0) return;
      const e = store.write(w.key, 'hash', newHash);
      for (const [f, v] of fields) e.v.set(f, v);
      if (w.ttlMs !== undefined) e.exp = expiry(w.ttlMs);
      return;
    }
    case 'hincrby': {
      if (w.fields.size === 0) return;
      const e = store.write(w.key, 'hash', newHash);
      incrFields(w.key, e, w.fields);
      if (w.ttlMs !== undefined) e.exp = expiry(w.ttlMs);
      return;
    }
    case 'hmax': {
      if (w.fields.size === 0) return;
      const e = store.write(w.key, 'hash', newHash);
      w.fields.forEach((n, f) => {
        if (!(Number(e.v.get(f)) >= n)) e.v.set(f, String(n));
      });
      return;
    }
    case 'lpushTrim': {
      if (w.values.length === 0) return;
      const e = store.write(w.key, 'list', newList);
      pushTrim(e, w.values, w.maxLen);
      if (w.ttlMs !== undefined) e.exp = expiry(w.ttlMs);
      return;
    }
    case 'incrBucket': {
      const e = store.write(w.key, 'buckets', newBuckets);
      e.exp = expiry(w.ttlMs);
      addToBucket(e, w.bucketStartMs, w.by, w.ttlMs);
      return;
    }
  }
};

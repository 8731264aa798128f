// The contract every KV implementation passes: each driver's test file runs it against a real store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type KvStore, takeToken } from '../../../src/adapters/kv/port.ts';
import { runBatchContract } from './contract-batch.ts';

export interface KvContractTarget {
  name: string;
  /** A client on an empty namespace. */
  open(): KvStore;
  /** A second client on the same data as the one `open` returned (it may be the same object). */
  openPeer(): KvStore;
  /** Removes whatever the run left behind, after both clients are closed. */
  cleanup?(): Promise<void>;
}

const SHORT_TTL_MS = 30;
/** Comfortably past SHORT_TTL_MS; what is asserted is only that the key is gone afterwards. */
const PAST_TTL_MS = 150;
const LONG_TTL_MS = 600_000;
/** 1 token per 8 s: exact in binary, and buckets live long enough that wall-clock expiry never interferes. */
const RATE = 0.125;
const T0 = 1_700_000_000_000;

export const runKvContract = (target: KvContractTarget): void => {
  describe(`KV contract: ${target.name}`, () => {
    let kv: KvStore;
    let peer: KvStore;
    let n = 0;
    const key = (name: string) => `${name}:${++n}`;

    before(async () => {
      kv = target.open();
      peer = target.openPeer();
      await kv.ping();
      await peer.ping();
    });
    after(async () => {
      await kv?.close();
      await peer?.close();
      await kv?.close();
      await target.cleanup?.();
    });

    runBatchContract({
      kv: () => kv,
      peer: () => peer,
      key,
      shortTtlMs: SHORT_TTL_MS,
      pastTtlMs: PAST_TTL_MS,
      t0: T0,
    });

    it('gets, sets, overwrites and deletes strings', async () => {
      const [a, b] = [key('s'), key('s')];
      assert.equal(await kv.get(a), null);
      await kv.set(a, '1');
      await kv.set(b, '{"x":2}');
      assert.equal(await kv.get(a), '1');
      assert.deepEqual(await kv.mget([a, key('missing'), b]), ['1', null, '{"x":2}']);
      assert.deepEqual(await kv.mget([]), []);
      await kv.set(a, 'one');
      assert.equal(await peer.get(a), 'one');
      assert.equal(await kv.delete([a, key('missing')]), 1);
      assert.equal(await kv.delete(b), 1);
      assert.equal(await kv.delete([]), 0);
      assert.deepEqual(await kv.mget([a, b]), [null, null]);
    });

    it('expires strings after their TTL, and a set without TTL clears it', async () => {
      const [short, kept, cleared] = [key('ttl'), key('ttl'), key('ttl')];
      await kv.set(short, 'x', { ttlMs: SHORT_TTL_MS });
      await kv.set(kept, 'y', { ttlMs: LONG_TTL_MS });
      await kv.set(cleared, 'z', { ttlMs: SHORT_TTL_MS });
      await kv.set(cleared, 'z2');
      await sleep(PAST_TTL_MS);
      assert.deepEqual(await kv.mget([short, kept, cleared]), [null, 'y', 'z2']);
    });

    it('sets a TTL on an existing key with expire', async () => {
      const [s, h] = [key('exp'), key('exp')];
      assert.equal(await kv.expire(key('missing'), LONG_TTL_MS), false);
      await kv.set(s, 'x');
      await kv.hset(h, { f: '1' });
      assert.equal(await kv.expire(s, SHORT_TTL_MS), true);
      assert.equal(await kv.expire(h, SHORT_TTL_MS), true);
      await sleep(PAST_TTL_MS);
      assert.equal(await kv.get(s), null);
      assert.deepEqual(await kv.hgetall(h), {});
    });

    it('reads and merges hashes, one or many at a time', async () => {
      const [h1, h2] = [key('h'), key('h')];
      assert.equal(await kv.hget(h1, 'f'), null);
      assert.deepEqual(await kv.hgetall(h1), {});
      await kv.hset(h1, { a: '1', b: '2' });
      await kv.hset(h1, { b: 'two', c: '3' });
      await kv.hset(h1, {});
      await kv.hset(h2, { z: '26' });
      assert.equal(await kv.hget(h1, 'b'), 'two');
      assert.deepEqual(await kv.hgetall(h1), { a: '1', b: 'two', c: '3' });
      assert.deepEqual(await peer.hgetallMany([h1, key('missing'), h2]), [
        { a: '1', b: 'two', c: '3' },
        {},
        { z: '26' },
      ]);
      assert.deepEqual(await kv.hgetallMany([]), []);
    });

    it('expires a hash by hset TTL; a later hset without TTL keeps the expiry', async () => {
      const h = key('h');
      await kv.hset(h, { a: '1' }, { ttlMs: SHORT_TTL_MS });
      await kv.hset(h, { b: '2' });
      await sleep(PAST_TTL_MS);
      assert.deepEqual(await kv.hgetall(h), {});
    });

    it('increments hash fields by integers and fractions', async () => {
      const h = key('hinc');
      assert.equal(await kv.hincrby(h, 'n', 2), 2);
      assert.equal(await kv.hincrby(h, 'n', 5), 7);
      assert.equal(await kv.hincrby(h, 'n', -10), -3);
      assert.equal(await kv.hget(h, 'n'), '-3');
      assert.equal(await kv.hincrby(h, 'x', 1.5), 1.5);
      assert.equal(await peer.hincrby(h, 'x', 2.25), 3.75);
      assert.deepEqual(await kv.hgetall(h), { n: '-3', x: '3.75' });
    });

    it('keeps the newest maxLen list items, newest first', async () => {
      const l = key('l');
      assert.deepEqual(await kv.lrange(l), []);
      assert.equal(await kv.lpushTrim(l, ['a', 'b', 'c'], 5), 3);
      assert.deepEqual(await kv.lrange(l), ['c', 'b', 'a']);
      assert.equal(await kv.lpushTrim(l, ['d', 'e', 'f'], 4), 4);
      assert.equal(await kv.lpushTrim(l, [], 4), 4);
      assert.deepEqual(await peer.lrange(l), ['f', 'e', 'd', 'c']);
      assert.deepEqual(await kv.lrange(l, 0, 1), ['f', 'e']);
      assert.deepEqual(await kv.lrange(l, -2), ['d', 'c']);
      assert.deepEqual(await kv.lrange(l, 1, 100), ['e', 'd', 'c']);
      assert.deepEqual(await kv.lrange(l, 5, 9), []);
      await assert.rejects(kv.lpushTrim(l, ['x'], 0), RangeError);
    });

    it('expires a list by lpushTrim TTL', async () => {
      const l = key('l');
      await kv.lpushTrim(l, ['a'], 3, { ttlMs: SHORT_TTL_MS });
      await sleep(PAST_TTL_MS);
      assert.deepEqual(await kv.lrange(l), []);
    });

    it('counts into time buckets and sums a half-open range of bucket starts', async () => {
      const b = key('b');
      assert.equal(await kv.sumBuckets(b, 0, T0), 0);
      assert.equal(await kv.incrBucket(b, T0, 1, LONG_TTL_MS), 1);
      assert.equal(await kv.incrBucket(b, T0, 1, LONG_TTL_MS), 2);
      assert.equal(await peer.incrBucket(b, T0 + 60_000, 3, LONG_TTL_MS), 3);
      assert.equal(await kv.incrBucket(b, T0 - 60_000, 0.5, LONG_TTL_MS), 0.5);
      assert.equal(await kv.sumBuckets(b, T0 - 60_000, T0 + 120_000), 5.5);
      assert.equal(await kv.sumBuckets(b, T0, T0 + 60_000), 2);
      assert.equal(await kv.sumBuckets(b, T0 + 60_000, T0 + 60_001), 3);
      assert.equal(await kv.sumBuckets(b, T0 + 60_001, T0 + 120_000), 0);
    });

    it('drops buckets a TTL older than the newest, accepts late writes within it', async () => {
      const b = key('b');
      const ttl = 3_000;
      await kv.incrBucket(b, T0, 1, ttl);
      await kv.incrBucket(b, T0 + 1_000, 1, ttl);
      await kv.incrBucket(b, T0 + 3_000, 1, ttl);
      assert.equal(
        await kv.sumBuckets(b, 0, T0 + 10_000),
        2,
        'the bucket at T0 is 3 s older than the newest',
      );
      assert.equal(await kv.incrBucket(b, T0, 5, ttl), 0, 'a write into a dropped bucket is dropped');
      assert.equal(await kv.incrBucket(b, T0 + 2_000, 1, ttl), 1, 'a late write within the TTL lands');
      assert.equal(await kv.sumBuckets(b, 0, T0 + 10_000), 3);
    });

    it('expires a bucket key its TTL after the last write', async () => {
      const b = key('b');
      await kv.incrBucket(b, T0, 1, SHORT_TTL_MS);
      await sleep(PAST_TTL_MS);
      assert.equal(await kv.sumBuckets(b, 0, T0 + 1), 0);
    });

    it('refuses a key used as another kind', async () => {
      const s = key('s');
      await kv.set(s, 'x');
      await assert.rejects(kv.hget(s, 'f'));
      await assert.rejects(kv.lpushTrim(s, ['a'], 3));
      await assert.rejects(kv.incrBucket(s, T0, 1, LONG_TTL_MS));
      assert.equal(await kv.get(s), 'x');
    });

    it('admits a burst, refuses, then refills at the rate up to the burst', async () => {
      const t = key('tb');
      const take = (at: number, store = kv) => takeToken(store, t, RATE, 3, at);
      const state = (allowed: boolean, remaining: number, resetS: number, retryAfterS: number) => ({
        allowed,
        limit: 3,
        remaining,
        resetS,
        retryAfterS,
      });
      assert.deepEqual(await take(T0), state(true, 2, 8, 0));
      assert.deepEqual(await take(T0), state(true, 1, 16, 0));
      assert.deepEqual(await take(T0, peer), state(true, 0, 24, 0));
      assert.deepEqual(await take(T0), state(false, 0, 24, 8));
      assert.deepEqual(await take(T0 + 4_000), state(false, 0, 20, 4), 'half a token after 4 s');
      assert.deepEqual(await take(T0 + 8_000), state(true, 0, 24, 0));
      assert.deepEqual(await take(T0 + 600_000), state(true, 2, 8, 0), 'refill stops at the burst');
      assert.deepEqual(await take(T0 + 1_000), state(true, 1, 16, 0), 'a clock behind refills nothing');
      assert.deepEqual(
        await takeToken(kv, key('tb'), RATE, 3, T0),
        state(true, 2, 8, 0),
        'buckets are separate',
      );
      await assert.rejects(takeToken(kv, t, 0, 3, T0), RangeError);
      await assert.rejects(takeToken(kv, t, RATE, 0, T0), RangeError);
    });

    it('takes from several buckets all-or-none and reports the tightest', async () => {
      const tenant = key('tb-tenant');
      const keyA = key('tb-a');
      const keyB = key('tb-b');
      const both = (k: string, store = kv) =>
        store.takeTokens(
          [
            { name: tenant, perSecond: RATE, burst: 4 },
            { name: k, perSecond: RATE, burst: 3 },
          ],
          T0,
        );
      assert.deepEqual(
        [await both(keyA), await both(keyA), await both(keyA, peer)].map((s) => [
          s.allowed,
          s.limit,
          s.remaining,
        ]),
        [
          [true, 3, 2],
          [true, 3, 1],
          [true, 3, 0],
        ],
      );
      const refusedByKey = await both(keyA);
      assert.deepEqual([refusedByKey.allowed, refusedByKey.limit], [false, 3], 'the key bucket refuses');
      const other = await both(keyB);
      assert.deepEqual(
        [other.allowed, other.limit, other.remaining],
        [true, 4, 0],
        'the refusal cost the tenant nothing',
      );
      const refusedByTenant = await both(keyB, peer);
      assert.deepEqual(
        [refusedByTenant.allowed, refusedByTenant.limit],
        [false, 4],
        'now the tenant bucket refuses',
      );
    });

    it('never admits more than the burst to concurrent takers on two clients', async () => {
      const t = key('tb');
      const burst = 10;
      const calls = Array.from({ length: 200 }, (_, i) => takeToken(i % 2 ? peer : kv, t, RATE, burst, T0));
      const results = await Promise.all(calls);
      const admitted = results.filter((r) => r.allowed).map((r) => r.remaining);
      assert.equal(admitted.length, burst);
      // Each admission saw the one before it: the remaining counts are burst-1 … 0, each once.
      assert.deepEqual(
        admitted.sort((x, y) => y - x),
        Array.from({ length: burst }, (_, i) => burst - 1 - i),
      );
    });
  });
};

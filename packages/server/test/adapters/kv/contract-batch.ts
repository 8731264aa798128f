// The KV contract's batched operations (`writeMany`, `lrangeMany`), run inside `runKvContract`.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KvStore, KvWrite } from '../../../src/adapters/kv/port.ts';

export interface BatchContext {
  kv(): KvStore;
  peer(): KvStore;
  key(name: string): string;
  shortTtlMs: number;
  pastTtlMs: number;
  t0: number;
}

export const runBatchContract = (c: BatchContext): void => {
  const LONG_TTL_MS = 600_000;

  it('writes many keys of every kind in one call, in order', async () => {
    const [s, h, n, m, l, b] = ['s', 'h', 'n', 'm', 'l', 'b'].map((k) => c.key(`wm-${k}`));
    await c.kv().hset(m, { a: '5', b: '10', c: '9', d: 'x' });
    const writes: KvWrite[] = [
      { op: 'set', key: s, value: 'v1' },
      { op: 'set', key: s, value: 'v2' },
      { op: 'hset', key: h, fields: { a: '1', b: '2' } },
      { op: 'hincrby', key: n, fields: new Map([['x', 2]]) },
      {
        op: 'hincrby',
        key: n,
        fields: new Map([
          ['x', 5],
          ['y', 1.5],
        ]),
      },
      {
        op: 'hmax',
        key: m,
        fields: new Map([
          ['a', 7],
          ['b', 9],
          ['c', 10],
          ['d', 1],
          ['e', 3],
        ]),
      },
      { op: 'lpushTrim', key: l, values: ['a', 'b'], maxLen: 3 },
      { op: 'lpushTrim', key: l, values: ['c', 'd', 'e', 'f'], maxLen: 3 },
      { op: 'incrBucket', key: b, bucketStartMs: c.t0, by: 2, ttlMs: LONG_TTL_MS },
      { op: 'incrBucket', key: b, bucketStartMs: c.t0, by: 0.5, ttlMs: LONG_TTL_MS },
    ];
    assert.deepEqual(
      await c.kv().writeMany(writes),
      writes.map(() => null),
    );
    const peer = c.peer();
    assert.equal(await peer.get(s), 'v2');
    assert.deepEqual(await peer.hgetall(h), { a: '1', b: '2' });
    assert.deepEqual(await peer.hgetall(n), { x: '7', y: '1.5' });
    assert.deepEqual(
      await peer.hgetall(m),
      { a: '7', b: '10', c: '10', d: '1', e: '3' },
      'raised numerically, never lowered; a non-number replaced',
    );
    assert.deepEqual(await peer.lrange(l), ['f', 'e', 'd']);
    assert.equal(await peer.sumBuckets(b, c.t0, c.t0 + 1), 2.5);
    assert.deepEqual(await c.kv().writeMany([]), []);
  });

  it('expires what writeMany writes with a TTL; no TTL keeps the expiry', async () => {
    const keys = ['s', 'h', 'n', 'l', 'b', 'kept'].map((k) => c.key(`wm-ttl-${k}`));
    const [s, h, n, l, b, kept] = keys;
    const ttlMs = c.shortTtlMs;
    await c.kv().writeMany([
      { op: 'set', key: s, value: 'x', ttlMs },
      { op: 'hset', key: h, fields: { a: '1' }, ttlMs },
      { op: 'hset', key: h, fields: { b: '2' } },
      { op: 'hincrby', key: n, fields: new Map([['x', 1]]), ttlMs },
      { op: 'hincrby', key: n, fields: new Map([['x', 1]]) },
      { op: 'lpushTrim', key: l, values: ['a'], maxLen: 2, ttlMs },
      { op: 'incrBucket', key: b, bucketStartMs: c.t0, by: 1, ttlMs },
      { op: 'hincrby', key: kept, fields: new Map([['x', 1]]), ttlMs: LONG_TTL_MS },
    ]);
    await sleep(c.pastTtlMs);
    const kv = c.kv();
    assert.equal(await kv.get(s), null);
    assert.deepEqual(await kv.hgetallMany([h, n, kept]), [{}, {}, { x: '1' }]);
    assert.deepEqual(await kv.lrange(l), []);
    assert.equal(await kv.sumBuckets(b, 0, c.t0 + 1), 0);
  });

  it('reports a failed write in its slot and still applies the others', async () => {
    const [s, ok] = [c.key('wm-s'), c.key('wm-ok')];
    await c.kv().set(s, 'text');
    const results = await c.kv().writeMany([
      { op: 'hincrby', key: s, fields: new Map([['x', 1]]) },
      { op: 'set', key: ok, value: 'yes' },
      { op: 'hmax', key: s, fields: new Map([['x', 1]]) },
      { op: 'lpushTrim', key: s, values: ['a'], maxLen: 2 },
      { op: 'incrBucket', key: s, bucketStartMs: c.t0, by: 1, ttlMs: LONG_TTL_MS },
      { op: 'hset', key: s, fields: { f: 'v' } },
    ]);
    assert.deepEqual(
      results.map((r) => r instanceof Error),
      [true, false, true, true, true, true],
    );
    assert.deepEqual(await c.kv().mget([s, ok]), ['text', 'yes']);
  });

  it('rejects a malformed write before writing anything; empty writes change nothing', async () => {
    const [a, h, l] = [c.key('wm-bad'), c.key('wm-empty'), c.key('wm-empty')];
    await assert.rejects(
      c.kv().writeMany([
        { op: 'set', key: a, value: 'x' },
        { op: 'lpushTrim', key: a, values: ['x'], maxLen: 0 },
      ]),
      RangeError,
    );
    await assert.rejects(c.kv().writeMany([{ op: 'set', key: a, value: 'x', ttlMs: -1 }]), RangeError);
    assert.equal(await c.kv().get(a), null);
    assert.deepEqual(
      await c.kv().writeMany([
        { op: 'hset', key: h, fields: {}, ttlMs: LONG_TTL_MS },
        { op: 'hincrby', key: h, fields: new Map() },
        { op: 'hmax', key: h, fields: new Map() },
        { op: 'lpushTrim', key: l, values: [], maxLen: 2 },
      ]),
      [null, null, null, null],
    );
    assert.deepEqual(await c.kv().hgetall(h), {});
    assert.deepEqual(await c.kv().lrange(l), []);
  });

  it('reads many lists at once', async () => {
    const [l1, l2] = [c.key('lm'), c.key('lm')];
    await c.kv().lpushTrim(l1, ['a', 'b', 'c'], 5);
    await c.kv().lpushTrim(l2, ['z'], 5);
    assert.deepEqual(await c.peer().lrangeMany([l1, c.key('missing'), l2]), [['c', 'b', 'a'], [], ['z']]);
    assert.deepEqual(await c.kv().lrangeMany([l1, l2], 0, 0), [['c'], ['z']]);
    assert.deepEqual(await c.kv().lrangeMany([]), []);
  });
};

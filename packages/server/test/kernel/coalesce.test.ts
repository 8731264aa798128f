import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCoalescer } from '../../src/kernel/index.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('lookups of one turn share one fetch of distinct keys; later turns fetch again', async () => {
  const calls: string[][] = [];
  const sizes: number[] = [];
  const c = createCoalescer(
    async (keys) => {
      calls.push([...keys]);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.toUpperCase()]));
    },
    { maxBatch: 10, onBatch: (n) => sizes.push(n) },
  );
  const first = await Promise.all(['a', 'b', 'a', 'missing'].map((k) => c.load(k)));
  assert.deepEqual(first, ['A', 'B', 'A', undefined]);
  assert.deepEqual(calls, [['a', 'b', 'missing']]);
  await tick();
  assert.equal(await c.load('c'), 'C');
  assert.deepEqual(calls, [['a', 'b', 'missing'], ['c']]);
  assert.deepEqual(sizes, [3, 1]);
});

test('more keys than maxBatch are split into several fetches', async () => {
  const calls: number[] = [];
  const c = createCoalescer(
    async (keys) => {
      calls.push(keys.length);
      return new Map(keys.map((k) => [k, Number(k)]));
    },
    { maxBatch: 4 },
  );
  const keys = Array.from({ length: 10 }, (_, i) => String(i));
  assert.deepEqual(await Promise.all(keys.map((k) => c.load(k))), keys.map(Number));
  assert.deepEqual(calls, [4, 4, 2]);
});

test('a failed fetch fails every lookup of that fetch and no other', async () => {
  const c = createCoalescer(
    async (keys) => {
      if (keys.includes('bad')) throw new Error('database down');
      return new Map(keys.map((k) => [k, k]));
    },
    { maxBatch: 2 },
  );
  const results = await Promise.allSettled(['bad', 'x', 'y'].map((k) => c.load(k)));
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected', 'fulfilled'],
  );
  assert.equal((results[0] as PromiseRejectedResult).reason.message, 'database down');
  assert.equal(await c.load('z'), 'z');
});

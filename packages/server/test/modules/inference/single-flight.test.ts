// The response cache's single flight, with computations the test settles by hand: followers share a run,
// and one whose leader fails computes for itself instead of taking on the leader's failure.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QuiverError } from '../../../src/kernel/index.ts';
import type { Tensors } from '../../../src/modules/engine/index.ts';
import { createResponseCache } from '../../../src/modules/inference/cache.ts';

const deferred = () => {
  let resolve!: (t: Tensors) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<Tensors>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
const answer = (v: number): Tensors => ({ y: { datatype: 'FP32', shape: [1, 1], data: Float32Array.of(v) } });

describe('response cache single flight', () => {
  test('identical calls while one runs share its answer', async () => {
    const cache = createResponseCache({ clock: { now: () => 0 } });
    const run = deferred();
    let runs = 0;
    const compute = () => {
      runs++;
      return run.promise;
    };
    const calls = [cache.get('k', compute), cache.get('k', compute), cache.get('k', compute)];
    run.resolve(answer(7));
    const results = await Promise.all(calls);
    assert.equal(runs, 1);
    assert.deepEqual(
      results.map((r) => [r.hit, r.outputs.y.data[0]]),
      [
        [false, 7],
        [true, 7],
        [true, 7],
      ],
    );
  });

  test('a follower computes for itself when the leader fails, and the failure is not kept', async () => {
    const cache = createResponseCache({ clock: { now: () => 0 } });
    const first = deferred();
    const leader = cache.get('k', () => first.promise);
    let followerRuns = 0;
    const follower = cache.get('k', () => {
      followerRuns++;
      return Promise.resolve(answer(3));
    });
    first.reject(new QuiverError('deadline_exceeded', 'the leader ran out of time'));
    await assert.rejects(leader, /ran out of time/);
    const got = await follower;
    assert.equal(followerRuns, 1);
    assert.deepEqual([got.hit, got.outputs.y.data[0]], [false, 3]);
    const again = await cache.get('k', () => Promise.reject(new Error('not called')));
    assert.deepEqual([again.hit, again.outputs.y.data[0]], [true, 3]);
  });
});

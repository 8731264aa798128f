// Bounded top-k selection against a full sort: TopK's best k in order, with ties.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../src/kernel/random.ts';
import { TopK } from '../../src/kernel/top-k.ts';

const scoresOf = (n: number, seed: number): Float64Array => {
  const random = prng(seed);
  // Few distinct values, so many documents tie.
  return Float64Array.from({ length: n }, () => Math.round(random() * 20) / 4);
};

test('TopK keeps the best k, best first, ties by the lower number', () => {
  const scores = scoresOf(2000, 7);
  const worse = (a: number, b: number) => scores[a] < scores[b] || (scores[a] === scores[b] && a > b);
  for (const k of [0, 1, 5, 100, 2000, 2500]) {
    const top = new TopK(k, worse);
    for (let i = 0; i < scores.length; i++) top.offer(i);
    const sorted = [...scores.keys()].sort((a, b) => scores[b] - scores[a] || a - b).slice(0, Math.max(k, 0));
    assert.deepEqual(top.drain(), sorted, `k = ${k}`);
  }
});

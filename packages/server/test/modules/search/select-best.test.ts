// selectBest against a full sort: the best k by score then id, through long runs of tied scores, with and
// without a filter, and every score it read left at 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kthBest, selectBest } from '../../../src/modules/search/select-best.ts';

const random = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

test('selectBest is the head of a full sort (score descending, then id), counts the accepted, clears scores', () => {
  const rnd = random(11);
  for (let round = 0; round < 200; round++) {
    const docs = 1 + Math.floor(rnd() * 300);
    // Few distinct scores, so most documents tie with others; ids in an order unrelated to the numbers.
    const levels = 1 + Math.floor(rnd() * 6);
    const ids = Array.from({ length: docs }, () => `id${Math.floor(rnd() * 1e6)}`);
    const unique = ids.map((id, no) => `${id}-${no}`);
    const idBefore = (a: number, b: number) => unique[a] < unique[b];
    const scores = new Float64Array(docs);
    const matchedNos: number[] = [];
    for (let no = 0; no < docs; no++)
      if (rnd() < 0.7) {
        scores[no] = 1 + Math.floor(rnd() * levels) * 0.25;
        matchedNos.push(no);
      }
    // In any order, as the index lists them (first touched first).
    matchedNos.sort(() => rnd() - 0.5);
    const matched = Int32Array.from(matchedNos);
    const accept = rnd() < 0.5 ? (no: number) => no % 3 !== 0 : undefined;
    const expected = matchedNos
      .filter((no) => !accept || accept(no))
      .map((no) => ({ no, score: scores[no] }))
      .sort((a, b) => b.score - a.score || (idBefore(a.no, b.no) ? -1 : 1));
    const k = Math.floor(rnd() * (matchedNos.length + 5));
    const got = selectBest(matched, matched.length, scores, k, idBefore, accept);
    assert.deepEqual(
      got.nos,
      expected.slice(0, k).map((e) => e.no),
      `round ${round}, k ${k}`,
    );
    assert.deepEqual(
      got.scores,
      expected.slice(0, k).map((e) => e.score),
    );
    assert.equal(got.total, expected.length);
    assert.ok(scores.every((s) => s === 0));
  }
});

test('kthBest is the k-th score of a full sort over the matched prefix, through long runs of ties', () => {
  const next = random(11);
  // Few distinct values, so many documents tie (quickselect's partition must still split them).
  const scores = Float64Array.from({ length: 5000 }, () => Math.round(next() * 20) / 4);
  const matched = Int32Array.from([...scores.keys()].filter((i) => i % 3 !== 0));
  const count = matched.length - 7; // entries past `count` are not matches
  const sorted = [...matched.subarray(0, count)].map((d) => scores[d]).sort((a, b) => b - a);
  const before = scores.slice();
  for (const k of [1, 2, 50, 500, count])
    assert.equal(kthBest(matched, count, scores, k), sorted[k - 1], `k = ${k}`);
  assert.deepEqual(scores, before, 'the scores are read, not reordered');
});

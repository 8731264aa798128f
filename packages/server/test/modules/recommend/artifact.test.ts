// The recommender graphs run in a real onnxruntime session and answer what is computed by hand here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  factorsGraph,
  neighboursGraph,
  readCandidates,
  scoresGraph,
} from '../../../src/modules/recommend/artifact.ts';
import { runRecommenderGraph } from '../../support/onnx/recommender.ts';

const run = runRecommenderGraph;

const ids = ['a', 'b', 'c', 'd'];

test('neighbour table: scores are the weighted sum of the context rows; unknown ids count for nothing', async () => {
  // a → b 0.5, c 0.25; b → a 0.5, d 1; c → (none); d → b 1
  const bytes = neighboursGraph({
    ids,
    m: 2,
    neighbours: Int32Array.from([1, 2, 0, 3, -1, -1, 1, -1]),
    weights: Float32Array.from([0.5, 0.25, 0.5, 1, 0, 0, 1, 0]),
  });
  const body = await run(bytes, [
    { id: 'a', weight: 2 },
    { id: 'd', weight: 1 },
    { id: 'zzz', weight: 5 },
  ]);
  assert.deepEqual(body.outputs[0].shape, [1, 5]);
  // b = 2·0.5 + 1·1 = 2; c = 2·0.25 = 0.5; a, d, padding 0 (no evidence: dropped)
  assert.deepEqual(readCandidates(body, 'neighbours'), [
    { id: 'b', score: 2 },
    { id: 'c', score: 0.5 },
  ]);
  const none = await run(bytes, []);
  assert.deepEqual(readCandidates(none, 'neighbours'), []);
});

test('item factors: user = (Σ w·Q_j)·P, scores = user·Qᵀ, best first; negative scores stay candidates', async () => {
  const factors = Float32Array.from([1, 0, 0, 1, 1, 1, -1, 0]); // a (1,0) b (0,1) c (1,1) d (-1,0)
  const projection = Float32Array.from([2, 0, 0, 1]); // scale the first factor by 2
  const bytes = factorsGraph({ ids, factors, dim: 2, projection, topK: 3 });
  const body = await run(bytes, [
    { id: 'a', weight: 1 },
    { id: 'b', weight: 0.5 },
  ]);
  // raw user (1, 0.5) → projected (2, 0.5): a 2, b 0.5, c 2.5, d -2 → top 3: c, a, b
  assert.deepEqual(readCandidates(body, 'factors'), [
    { id: 'c', score: 2.5 },
    { id: 'a', score: 2 },
    { id: 'b', score: 0.5 },
  ]);
  const plain = await run(factorsGraph({ ids, factors, dim: 2 }), [{ id: 'd', weight: 1 }]);
  // user (-1, 0): d 1, b 0, a -1, c -1; the padding row (score 0) is dropped
  const got = readCandidates(plain, 'factors');
  assert.deepEqual(got.slice(0, 2), [
    { id: 'd', score: 1 },
    { id: 'b', score: 0 },
  ]);
  assert.deepEqual(
    got
      .slice(2)
      .map((c) => [c.score, c.id])
      .sort(),
    [
      [-1, 'a'],
      [-1, 'c'],
    ],
  );
});

test('fixed scores ignore the context and keep only items with evidence', async () => {
  const bytes = scoresGraph({ ids, scores: Float32Array.from([0.1, 3, 0, 2]) });
  for (const context of [[], [{ id: 'a', weight: 1 }]]) {
    const body = await run(bytes, context);
    assert.deepEqual(readCandidates(body, 'scores'), [
      { id: 'b', score: 3 },
      { id: 'd', score: 2 },
      { id: 'a', score: Math.fround(0.1) },
    ]);
  }
});

test('bad tables are refused at build time', () => {
  assert.throws(() => scoresGraph({ ids: ['a', 'a'], scores: new Float32Array(2) }), /duplicate/);
  assert.throws(() => scoresGraph({ ids: ['', 'a'], scores: new Float32Array(2) }), /padding/);
  assert.throws(
    () =>
      neighboursGraph({ ids, m: 1, neighbours: Int32Array.from([9, 0, 0, 0]), weights: new Float32Array(4) }),
    /out of range/,
  );
});

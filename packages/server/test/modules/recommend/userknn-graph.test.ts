// The userknn graph (contract version 2) in a real onnxruntime session: a case worked out by hand, and the
// same answers as the training module's TypeScript arithmetic (what the offline evaluation scores).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCandidates } from '../../../src/modules/recommend/artifact.ts';
import { userKnnGraph } from '../../../src/modules/recommend/userknn-graph.ts';
import { interactionsOf } from '../../../src/modules/training/interactions.ts';
import { DEFAULT_USER_KNN, scoreUserKnn, trainUserKnn } from '../../../src/modules/training/userknn.ts';
import { runRecommenderGraph } from '../../support/onnx/recommender.ts';
import { basket } from '../training/testing.ts';

const run = runRecommenderGraph;

const ids = ['a', 'b', 'c', 'd'];
// Customers: 0 had a (0.5) and b (0.5); 1 had a (1); 2 had c (1).
// Items they lend: 0 → c 1, d 0.5; 1 → b 2; 2 → d 4.
const spec = {
  ids,
  users: 3,
  k: 2,
  itemUsers: Int32Array.from([0, 1, 0, -1, 2, -1, -1, -1]),
  itemUserWeights: Float32Array.from([0.5, 1, 0.5, 0, 1, 0, 0, 0]),
  mu: 2,
  userItems: Int32Array.from([2, 3, 1, -1, 3, -1]),
  userItemWeights: Float32Array.from([1, 0.5, 2, 0, 4, 0]),
  mi: 2,
};

test('userknn graph: the K most similar customers lend their items by similarity', async () => {
  // Context a (2), b (1): sims 0 = 2·0.5 + 1·0.5 = 1.5, 1 = 2·1 = 2, 2 = 0 → top 2: customers 1, 0.
  // Scores: b = 2·2 = 4, c = 1.5·1 = 1.5, d = 1.5·0.5 = 0.75 (customer 2's d 4 is not lent: not a neighbour).
  const body = await run(userKnnGraph(spec), [
    { id: 'a', weight: 2 },
    { id: 'b', weight: 1 },
    { id: 'zzz', weight: 9 },
  ]);
  assert.deepEqual(readCandidates(body, 'userknn'), [
    { id: 'b', score: 4 },
    { id: 'c', score: 1.5 },
    { id: 'd', score: 0.75 },
  ]);
  // K = 1 keeps customer 1 alone; sharpen 2 squares the similarities (b = 2²·2).
  const one = await run(userKnnGraph({ ...spec, k: 1, sharpen: 2 }), [
    { id: 'a', weight: 2 },
    { id: 'b', weight: 1 },
  ]);
  assert.deepEqual(readCandidates(one, 'userknn'), [{ id: 'b', score: 8 }]);
  assert.deepEqual(readCandidates(await run(userKnnGraph(spec), []), 'userknn'), []);
  assert.throws(
    () => userKnnGraph({ ...spec, userItems: Int32Array.from([2, 3, 1, -1, 9, -1]) }),
    /out of range/,
  );
});

test('userknn graph answers what trainUserKnn scores in TypeScript', async () => {
  const day = 86_400_000;
  const at = (d: number) => new Date(Date.UTC(2024, 0, 1) + d * day).toISOString();
  const events = [
    ...basket('u1', 's1', ['A', 'B', 'C'], at(0)),
    ...basket('u2', 's2', ['A', 'B', 'D'], at(3)),
    ...basket('u3', 's3', ['B', 'C', 'E'], at(5)),
    ...basket('u4', 's4', ['A', 'E', 'F'], at(8)),
    ...basket('u5', 's5', ['C', 'D', 'F', 'G'], at(9)),
    ...basket('u1', 's6', ['G'], at(10)),
  ];
  const x = interactionsOf(events);
  const tables = trainUserKnn(x, {
    ...DEFAULT_USER_KNN,
    neighbours: 3,
    halfLifeDays: 7,
    exponent: 0.8,
    sharpen: 1.5,
    maxItemsPerUser: 200,
    maxUsersPerItem: 100,
  });
  const bytes = userKnnGraph({
    ids: x.items,
    users: tables.users,
    k: tables.k,
    sharpen: tables.sharpen,
    itemUsers: tables.itemUsers.neighbours,
    itemUserWeights: tables.itemUsers.weights,
    mu: tables.itemUsers.m,
    userItems: tables.userItems.neighbours,
    userItemWeights: tables.userItems.weights,
    mi: tables.userItems.m,
  });
  for (const context of [['A'], ['A', 'C'], ['B', 'E', 'G']]) {
    const weights = context.map((_, i) => 1 / (i + 1));
    const ts = new Float32Array(x.items.length);
    scoreUserKnn(
      tables,
      context.map((id) => x.items.indexOf(id)),
      weights,
      ts,
    );
    const expected = [...ts]
      .map((score, i) => ({ id: x.items[i], score }))
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score);
    const got = readCandidates(
      await run(
        bytes,
        context.map((id, i) => ({ id, weight: weights[i] })),
      ),
      'userknn',
    );
    assert.deepEqual(
      got.map((c) => c.id),
      expected.map((c) => c.id),
      `context ${context}`,
    );
    for (const [i, c] of got.entries())
      assert.ok(Math.abs(c.score - expected[i].score) < 1e-5 * expected[i].score);
  }
});

// trainUserKnn's two tables against numbers worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interactionsOf } from '../../../src/modules/training/interactions.ts';
import { DEFAULT_USER_KNN, scoreUserKnn, trainUserKnn } from '../../../src/modules/training/userknn.ts';
import { basket, buy } from './testing.ts';

test('userknn tables: similarity terms b/|u|^p per item, recency-weighted items per customer, top K per request', () => {
  const day = 86_400_000;
  const at = (d: number) => new Date(Date.UTC(2024, 0, 1) + d * day).toISOString();
  // u1 bought A, B on day 0; u2 viewed C and bought A on day 7 (the end).
  const x = interactionsOf([
    ...basket('u1', 's1', ['A', 'B'], at(0)),
    { id: 'v1', type: 'view', userId: 'u2', sessionId: 's2', itemId: 'C', timestamp: at(7) },
    ...basket('u2', 's2', ['A'], at(7)),
  ]);
  const t = trainUserKnn(x, {
    ...DEFAULT_USER_KNN,
    neighbours: 1,
    halfLifeDays: 7,
    exponent: 1,
    sharpen: 1,
    maxItemsPerUser: 200,
    maxUsersPerItem: 100,
  });
  const [A, B, C] = ['A', 'B', 'C'].map((id) => x.items.indexOf(id));
  const row = (tab: typeof t.itemUsers, i: number) => {
    const out: [number, number][] = [];
    for (let r = i * tab.m; r < (i + 1) * tab.m && tab.neighbours[r] >= 0; r++)
      out.push([tab.neighbours[r], tab.weights[r]]);
    return out;
  };
  // |u1| = 1 + 1 = 2, |u2| = 0.1 + 1 = 1.1: A ← u1 1/2, u2 1/1.1; B ← u1 1/2; C ← u2 0.1/1.1.
  assert.deepEqual(row(t.itemUsers, A), [
    [0, 0.5],
    [1, Math.fround(1 / 1.1)],
  ]);
  assert.deepEqual(row(t.itemUsers, B), [[0, 0.5]]);
  assert.deepEqual(row(t.itemUsers, C), [[1, Math.fround(0.1 / 1.1)]]);
  // u1's items are 7 days old (half-life 7: × 0.5), newest first (same time: the later event first).
  assert.deepEqual(row(t.userItems, 0), [
    [B, 0.5],
    [A, 0.5],
  ]);
  assert.deepEqual(row(t.userItems, 1), [
    [A, 1],
    [C, Math.fround(0.1)],
  ]);
  // Context B alone: u1 is the only neighbour (sim 0.5) and lends A 0.5·0.5, B 0.5·0.5; C gets nothing.
  const out = new Float32Array(3);
  scoreUserKnn(t, [B], [1], out);
  assert.deepEqual([out[A], out[B], out[C]], [0.25, 0.25, 0]);
  // Context C: K = 1 keeps u2 (sim 0.1/1.1): A = sim·1.
  scoreUserKnn(t, [C], [1], out);
  assert.ok(Math.abs(out[A] - 0.1 / 1.1) < 1e-7 && out[B] === 0);
  // The per-item cap keeps the strongest customers: A with one slot keeps u2 (1/1.1 > 1/2).
  const capped = trainUserKnn(x, {
    ...DEFAULT_USER_KNN,
    ...{ neighbours: 1, halfLifeDays: 7, exponent: 1, sharpen: 1 },
    maxItemsPerUser: 200,
    maxUsersPerItem: 1,
  });
  assert.deepEqual(row(capped.itemUsers, A), [[1, Math.fround(1 / 1.1)]]);
  // Session-kNN: the neighbours are baskets (2 here), not customers.
  assert.equal(trainUserKnn(x, { ...DEFAULT_USER_KNN, scope: 'basket' }).users, x.baskets);
});

test("userknn ageFrom: a neighbour's item ages from their first event on it (first) or their latest (last)", () => {
  // u1 bought A on day 0 and again on day 14 (the end), B on day 7: half-life 7 days.
  const x = interactionsOf([buy('u1', 's1', 'A', 0), buy('u1', 's2', 'B', 7), buy('u1', 's3', 'A', 14)]);
  const [A, B] = ['A', 'B'].map((id) => x.items.indexOf(id));
  const lent = (ageFrom: 'first' | 'last') => {
    const t = trainUserKnn(x, { ...DEFAULT_USER_KNN, halfLifeDays: 7, ageFrom });
    const out = new Map<number, number>();
    for (let r = 0; r < t.userItems.m && t.userItems.neighbours[r] >= 0; r++)
      out.set(t.userItems.neighbours[r], t.userItems.weights[r]);
    return out;
  };
  // first: A was taken up 14 days before the end (× 0.25), B 7 days (× 0.5): B now outranks the staple A.
  assert.deepEqual([lent('first').get(A), lent('first').get(B)], [0.25, 0.5]);
  // last: A was rebought at the end (× 1).
  assert.deepEqual([lent('last').get(A), lent('last').get(B)], [1, 0.5]);
  assert.equal(DEFAULT_USER_KNN.ageFrom, 'first');
});

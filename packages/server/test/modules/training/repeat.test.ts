// "Buy it again" evaluation on a case worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interactionsOf, splitAt } from '../../../src/modules/training/interactions.ts';
import { evaluateRepeats, MOST_FREQUENT } from '../../../src/modules/training/repeat.ts';
import { basket } from './testing.ts';

const day = 86_400_000;
const at = (d: number) => new Date(Date.UTC(2024, 0, 1) + d * day).toISOString();

test('repeat evaluation: relevant = test purchases bought before; candidates = past items; baseline = most frequent', () => {
  const x = interactionsOf([
    // u1 bought A in three invoices long ago, B once just before the split, C once in between.
    ...basket('u1', 'i1', ['A'], at(0)),
    ...basket('u1', 'i2', ['A', 'C'], at(1)),
    ...basket('u1', 'i3', ['A'], at(2)),
    ...basket('u1', 'i4', ['B'], at(19)),
    // Everyone else buys B just before the split: B trends.
    ...basket('u3', 'i5', ['B'], at(19)),
    ...basket('u4', 'i6', ['B'], at(19)),
    // u2 buys before and after, but nothing again.
    ...basket('u2', 'i7', ['D'], at(5)),
    // After the split (day 20): u1 buys B and E again/new; u2 buys E.
    ...basket('u1', 'i8', ['B', 'E'], at(20)),
    ...basket('u2', 'i9', ['E'], at(21)),
  ]);
  const { train, test: after } = splitAt(x, Date.parse(at(20)));
  const base = evaluateRepeats(train, after, MOST_FREQUENT);
  // u1's only relevant repeat is B; by frequency A (3) > B (1) = C (1, ties by index: C came first) → B third:
  // NDCG = (1/log2(4)) / 1 = 0.5.
  assert.deepEqual([...base.users], [x.users.indexOf('u1')]);
  assert.equal(base.relevantPairs, 1);
  assert.equal(base.noRepeat, 1, 'u2 bought before and after, nothing again');
  assert.ok(Math.abs(base.ndcg[0] - 0.5) < 1e-12);
  assert.equal(base.hr[0], 1);
  // With a 1-day decay of the customer's own baskets, B (1 day old) outranks A (18–20 days): NDCG 1.
  const recent = evaluateRepeats(train, after, { ...MOST_FREQUENT, halfLifeDays: 1 });
  assert.equal(recent.ndcg[0], 1);
  // With the trend (B bought by everyone on day 19, A and C not since day 2), B first too.
  const trend = evaluateRepeats(train, after, { ...MOST_FREQUENT, trendWeight: 1 });
  assert.equal(trend.ndcg[0], 1);
});

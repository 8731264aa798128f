// Click judgments: outcomes attributed to their search by searchId, graded by their best event, divided by
// the propensity of the position shown (η = 1, floor 0.1) and averaged over the query's searches.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createClickJudgmentsBuilder,
  DEFAULT_CLICK_JUDGMENTS,
  propensity,
} from '../../../src/modules/training/click-judgments.ts';

const search = (searchId: string, query: string, items: string[]) => ({
  type: 'search',
  query,
  properties: { searchId, items },
});
const outcome = (type: string, searchId: string, itemId: string, position?: number) => ({
  type,
  itemId,
  properties: { searchId, ...(position ? { position } : {}) },
});

describe('click judgments', () => {
  test('propensity is 1 / position down to the floor', () => {
    assert.deepEqual(DEFAULT_CLICK_JUDGMENTS, { eta: 1, propensityFloor: 0.1 });
    assert.equal(propensity(1), 1);
    assert.equal(propensity(4), 0.25);
    assert.equal(propensity(10), 0.1);
    assert.equal(propensity(40), 0.1, 'floored');
    assert.equal(propensity(4, { eta: 0.5, propensityFloor: 0.1 }), 0.5);
  });

  test('gains are grade / propensity of the shown position, averaged over the searches of a query', () => {
    const b = createClickJudgmentsBuilder();
    // Outcomes may arrive before their search.
    assert.equal(b.add(outcome('click', 's1', 'b')), true);
    assert.equal(b.add(search('s1', 'Oak  Lamp', ['a', 'b', 'c'])), true);
    assert.equal(b.add(outcome('purchase', 's1', 'b')), true, 'the best outcome counts: purchase 3');
    b.add(search('s2', 'oak lamp', ['c', 'a', 'b']));
    b.add(outcome('click', 's2', 'a'));
    b.add(outcome('add_to_cart', 's2', 'a'));
    b.add(search('s3', 'oak lamp', ['a']));
    // No outcome: s3 still counts as a search of the query.
    const { queries, counts } = b.build();
    assert.equal(queries.length, 1);
    assert.equal(queries[0].query, 'oak lamp');
    assert.equal(queries[0].searches, 3);
    // b: purchase (3) at position 2 → 3 / 0.5 = 6; a: add_to_cart (2) at position 2 → 4; over 3 searches.
    assert.deepEqual([...queries[0].gains].sort(), [
      ['a', 4 / 3],
      ['b', 6 / 3],
    ]);
    assert.deepEqual(counts, { searches: 3, impressions: 7, outcomes: 4, unattributed: 0 });
  });

  test('an outcome without its search or a known position is not used; others are ignored', () => {
    const b = createClickJudgmentsBuilder();
    b.add(search('s1', 'chair', ['x']));
    b.add(outcome('click', 's1', 'y')); // not shown, no position told
    b.add(outcome('click', 's1', 'z', 12)); // told: position 12 → 1 / 0.1
    b.add(outcome('purchase', 'gone', 'x')); // no search event
    assert.equal(b.add({ type: 'view', itemId: 'x', properties: { searchId: 's1' } }), false);
    assert.equal(b.add({ type: 'click', itemId: 'x' }), false, 'no searchId');
    assert.equal(b.add({ type: 'search', properties: { searchId: 's9' } }), false, 'no query');
    const { queries, counts } = b.build();
    assert.deepEqual([...queries[0].gains], [['z', 10]]);
    assert.equal(counts.unattributed, 2);
  });

  test('queries without any outcome are left out', () => {
    const b = createClickJudgmentsBuilder();
    b.add(search('s1', 'desk', ['x', 'y']));
    assert.deepEqual(b.build().queries, []);
  });
});

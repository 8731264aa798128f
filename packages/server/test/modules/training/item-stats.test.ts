// Item-level ranker columns from events: popularity on a log scale of the most-clicked item, conversion shrunk
// towards the overall rate, appended to wide rows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CONVERSION_PRIOR,
  createItemStatsBuilder,
  withItemStats,
} from '../../../src/modules/training/item-stats.ts';

describe('item stats', () => {
  const build = () => {
    const b = createItemStatsBuilder();
    for (let i = 0; i < 9; i++) b.add({ type: 'click', itemId: 'a' });
    for (let i = 0; i < 3; i++) b.add({ type: 'purchase', itemId: 'a' });
    b.add({ type: 'click', itemId: 'b' });
    b.add({ type: 'purchase', itemId: 'b' });
    b.add({ type: 'view', itemId: 'c' }); // not counted
    b.add({ type: 'click' }); // no item
    return b.build();
  };

  test('popularity: log(1 + clicks) over the most-clicked item', () => {
    const s = build();
    assert.equal(s.items, 2);
    assert.ok(Math.abs(s.columns('a')[0] - 1) < 1e-12);
    assert.ok(Math.abs(s.columns('b')[0] - Math.log(2) / Math.log(10)) < 1e-12);
    assert.equal(s.columns('c')[0], 0);
  });

  test('conversion: purchases / clicks shrunk towards the overall rate', () => {
    const s = build();
    const overall = 4 / 10;
    assert.ok(Math.abs(s.columns('c')[1] - overall) < 1e-12, 'no events: the overall rate');
    assert.ok(
      Math.abs(s.columns('b')[1] - (1 + CONVERSION_PRIOR * overall) / (1 + CONVERSION_PRIOR)) < 1e-12,
    );
    assert.ok(s.columns('b')[1] < 0.5, 'one click and one purchase is not 100 %');
    assert.ok(
      Math.abs(s.columns('a')[1] - (3 + CONVERSION_PRIOR * overall) / (9 + CONVERSION_PRIOR)) < 1e-12,
    );
    assert.deepEqual(createItemStatsBuilder().build().columns('x'), [0, 0], 'no events at all');
  });

  test('withItemStats appends the two columns to each row', () => {
    const s = build();
    const wide = Float32Array.from([1, 2, 3, 4]);
    const out = withItemStats(wide, ['a', 'c'], 2, s);
    assert.deepEqual([...out], [1, 2, 1, Math.fround((3 + 4) / 19), 3, 4, 0, Math.fround(0.4)]);
  });

  test("leave-query-out: a query's own events are left out of its rows' columns", () => {
    const b = createItemStatsBuilder();
    for (let i = 0; i < 4; i++) b.add({ type: 'click', itemId: 'a' }, 'lamp');
    b.add({ type: 'purchase', itemId: 'a' }, 'lamp');
    b.add({ type: 'click', itemId: 'a' }, 'desk lamp');
    b.add({ type: 'click', itemId: 'b' }, 'desk lamp');
    const s = b.build();
    const rate = 1 / 6;
    // For 'lamp', item a has only the one click of 'desk lamp'; for a new query, all five.
    const [popularity, conversion] = s.columns('a', 'lamp');
    assert.ok(Math.abs(popularity - Math.log(2) / Math.log(6)) < 1e-12, `${popularity}`);
    assert.ok(Math.abs(conversion - (10 * rate) / 11) < 1e-12, `${conversion}`);
    assert.deepEqual(s.columns('a', 'sofa'), s.columns('a'));
    assert.ok(Math.abs(s.columns('a')[0] - 1) < 1e-12);
    assert.deepEqual(s.columns('b', 'desk lamp'), [0, rate]);
    const rows = withItemStats(Float32Array.from([7]), ['a'], 1, s, 'lamp');
    assert.deepEqual([...rows], [7, Math.fround(popularity), Math.fround(conversion)]);
  });
});

// The pure ranking step: exclusions, filters, boosts with re-sorting, diversity caps and the limit, and the
// interleaving of lists, against answers worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Item } from '@quiver/contracts';
import { type Candidate, interleave, rank } from '../../../src/modules/recommend/rank.ts';

const item = (id: string, brand: string, category: string): Item => ({
  id,
  title: id,
  brand,
  categories: [category],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  version: 1,
});
const items = new Map(
  [
    item('a', 'X', 'c1'),
    item('b', 'X', 'c1'),
    item('c', 'Y', 'c2'),
    item('d', 'Y', 'c1/sub'),
    item('e', 'Z', 'c2'),
  ].map((i) => [i.id, i]),
);
const list = (...ids: string[]): Candidate[] => ids.map((id, i) => ({ id, score: 10 - i }));
const plan = { boosts: [], limit: 10 };
const ids = (r: { item: Item }[]) => r.map((x) => x.item.id);

test('drops excluded and unknown ids, keeps filter matches in order, stops at the limit', () => {
  const all = list('a', 'gone', 'b', 'c', 'd', 'e');
  assert.deepEqual(ids(rank(all, items, plan, new Set(['b']))), ['a', 'c', 'd', 'e']);
  assert.deepEqual(ids(rank(all, items, { ...plan, filter: { brand: ['Y'] } }, new Set())), ['c', 'd']);
  assert.deepEqual(ids(rank(all, items, { ...plan, category: 'c1' }, new Set())), ['a', 'b', 'd']);
  assert.deepEqual(ids(rank(all, items, { ...plan, limit: 2 }, new Set())), ['a', 'b']);
});

test('boosts multiply matching scores and re-sort; ties keep the model order', () => {
  const r = rank(
    list('a', 'b', 'c', 'd', 'e'),
    items,
    { ...plan, boosts: [{ filter: { brand: ['Z'] }, factor: 2 }] },
    new Set(),
  );
  // e: 6·2 = 12 leads; then a 10, b 9, c 8, d 7
  assert.deepEqual(ids(r), ['e', 'a', 'b', 'c', 'd']);
  assert.equal(r[0].score, 12);
  const buried = rank(
    list('a', 'b', 'c'),
    items,
    { ...plan, boosts: [{ filter: { brand: ['X'] }, factor: 0.1 }] },
    new Set(),
  );
  assert.deepEqual(ids(buried), ['c', 'a', 'b']);
});

test('diversity caps count brands or primary categories; items without the field are not capped', () => {
  const byBrand = rank(
    list('a', 'b', 'c', 'd', 'e'),
    items,
    { ...plan, diversity: { field: 'brand', maxPerValue: 1 } },
    new Set(),
  );
  assert.deepEqual(ids(byBrand), ['a', 'c', 'e']);
  const byCategory = rank(
    list('a', 'b', 'd', 'c', 'e'),
    items,
    { ...plan, diversity: { field: 'category', maxPerValue: 1 } },
    new Set(),
  );
  // c1 once, c1/sub is its own path, c2 once
  assert.deepEqual(ids(byCategory), ['a', 'd', 'c']);
});

/** Each merged candidate as [id, list, score]. */
const merged = (lists: Candidate[][], skip?: Set<string>) =>
  [...interleave(lists, skip)].map((c) => [c.id, c.part, c.score]);

test('interleave alternates lists, keeps first occurrences, tags lists and scores by merged rank', () => {
  assert.deepEqual(merged([list('x', 'y'), list('a', 'x', 'b', 'c')]), [
    ['x', 0, 1],
    ['a', 1, 1 / 2],
    ['y', 0, 1 / 3],
    ['b', 1, 1 / 4],
    ['c', 1, 1 / 5],
  ]);
});

test('interleave gives skipped ids (the query items) no rank, so they do not shift a list', () => {
  assert.deepEqual(merged([list('q', 'x', 'y'), list('a', 'b')], new Set(['q'])), [
    ['x', 0, 1],
    ['a', 1, 1 / 2],
    ['y', 0, 1 / 3],
    ['b', 1, 1 / 4],
  ]);
});

// Projected content: items with events keep their ALS factors; an item without events gets its content
// projected onto the factor space, so its neighbours are the warm items whose text it shares.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_ALS,
  fit,
  interactionsOf,
  scoreContext,
  textVectors,
  trainAls,
} from '../../../src/modules/training/index.ts';

const DAY = 86_400_000;
const at = (day: number) => new Date(Date.UTC(2024, 0, 1) + day * DAY).toISOString();
const buy = (userId: string, itemId: string, day: number) => ({
  type: 'purchase',
  userId,
  sessionId: `${userId}-${day}`,
  itemId,
  timestamp: at(day),
});

// Mugs are bought with mugs, lamps with lamps; `mug-new` and `lamp-new` have no events.
const EVENTS = [
  ...['u1', 'u2', 'u3'].flatMap((u, k) => [buy(u, 'mug-1', k), buy(u, 'mug-2', k)]),
  ...['u4', 'u5', 'u6'].flatMap((u, k) => [buy(u, 'lamp-1', k), buy(u, 'lamp-2', k)]),
];
const CATALOG = [
  { id: 'mug-1', title: 'White ceramic mug', categories: ['kitchen/mugs'] },
  { id: 'mug-2', title: 'Blue ceramic mug', categories: ['kitchen/mugs'] },
  { id: 'lamp-1', title: 'Brass desk lamp', categories: ['home/lighting'] },
  { id: 'lamp-2', title: 'Steel floor lamp', categories: ['home/lighting'] },
  { id: 'mug-new', title: 'Green ceramic mug', categories: ['kitchen/mugs'] },
  { id: 'lamp-new', title: 'Copper desk lamp', categories: ['home/lighting'] },
];

test('warm items keep their ALS rows; a cold item scores the warm items that share its content first', () => {
  const x = interactionsOf(EVENTS);
  const vectors = textVectors(CATALOG, 64);
  const { model, ids } = fit('content', x, {}, vectors);
  assert.equal(model.graph, 'factors');
  if (model.graph !== 'factors') return;
  assert.deepEqual(ids, [...x.items, 'mug-new', 'lamp-new']);
  const als = trainAls(x, DEFAULT_ALS);
  assert.deepEqual(model.items.subarray(0, als.items.length), als.items);
  const scores = new Float32Array(ids.length);
  const warm = (from: string) => {
    scoreContext(model, [ids.indexOf(from)], [1], scores);
    return x.items
      .map((id, i) => [id, scores[i]] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([id]) => id);
  };
  assert.deepEqual(warm('mug-new').slice(0, 2).sort(), ['mug-1', 'mug-2']);
  assert.deepEqual(warm('lamp-new').slice(0, 2).sort(), ['lamp-1', 'lamp-2']);
  // `text` is the content vectors alone.
  const text = fit('content', x, { method: 'text' }, vectors);
  assert.deepEqual(text.ids, vectors.ids);
});

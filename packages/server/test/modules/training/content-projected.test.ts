// Projected content: items with events keep their ALS factors; an item without events gets its content
// projected onto the factor space, so its neighbours are the warm items whose text it shares.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_ALS,
  evaluate,
  fit,
  interactionsOf,
  scoreContext,
  splitAt,
  textVectors,
  trainAls,
} from '../../../src/modules/training/index.ts';
import { EVALUATION, onItems } from '../../../src/modules/training/trainers.ts';

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

test('coldWeight scales the taste factors of items without events, not their prior columns', () => {
  const x = interactionsOf(EVENTS);
  const vectors = textVectors(CATALOG, 64);
  const full = fit('content', x, {}, vectors).model;
  const third = fit('content', x, { coldWeight: 1 / 3 }, vectors).model;
  assert.ok(full.graph === 'factors' && third.graph === 'factors');
  const { f } = full;
  const warmRows = x.items.length * f;
  assert.deepEqual(third.items.subarray(0, warmRows), full.items.subarray(0, warmRows));
  for (let k = warmRows; k < full.items.length; k++) {
    const column = k % f;
    const expected = column >= f - 2 ? full.items[k] : full.items[k] / 3;
    assert.ok(Math.abs(third.items[k] - expected) < 1e-6, `entry ${k}: ${third.items[k]} ≠ ${expected}`);
  }
});

test('evaluation scores what serving scores: re-indexed onto the train items, the fold-in projection stays', () => {
  // mug-new and lamp-new are the last rows; the re-indexed model drops them and keeps P.
  const x = interactionsOf(EVENTS);
  const fitted = fit('content', x, {}, textVectors(CATALOG, 64));
  const evaluated = onItems(fitted, x);
  assert.ok(evaluated.graph === 'factors' && fitted.model.graph === 'factors');
  assert.deepEqual(evaluated.projection, fitted.model.projection);
  const served = new Float32Array(fitted.ids.length);
  const offline = new Float32Array(x.items.length);
  scoreContext(fitted.model, [0], [1], served);
  scoreContext(evaluated, [0], [1], offline);
  assert.deepEqual(offline, served.subarray(0, x.items.length));
  // So the content model's metrics are ALS's when no cold item is relevant (same factors, same P).
  const { train, test: held } = splitAt(x, Date.UTC(2024, 0, 3));
  const als = fit('als', train, {}, undefined);
  const content = onItems(fit('content', train, {}, textVectors(CATALOG, 64)), train);
  assert.deepEqual(evaluate(train, held, content, EVALUATION), evaluate(train, held, als.model, EVALUATION));
});

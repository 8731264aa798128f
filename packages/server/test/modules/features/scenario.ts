// Test scenario: a small shop (catalog items with categories, custom feature views) and seeded events spread
// over 40 days, published out of order with late arrivals; plus the check of every feature against the oracle.
import assert from 'node:assert/strict';
import type { FeatureView, FeatureViewInput } from '@quiver/contracts';
import { expectedValue, type Row } from './brute-force.ts';
import { DAY, type FeaturesApp, HOUR, NOW, random, shuffle, type TestEvent } from './testing.ts';

export const CATEGORIES: Record<string, string[]> = {
  i1: ['home/lighting'],
  i2: ['home/lighting', 'sale'],
  i3: ['garden'],
  i4: [],
  i5: ['toys'],
  i6: ['toys', 'sale'],
  i7: ['garden'],
  'i-old': ['archive'],
};
export const USERS = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u-stale', 'u-none'];
export const ITEMS = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i-old', 'i-none'];

export const CUSTOM_VIEWS: Record<string, FeatureViewInput> = {
  user_activity: {
    entity: 'user',
    source: { kind: 'events', eventTypes: ['view', 'add_to_cart', 'purchase'] },
    aggregations: [
      { name: 'spend', kind: 'sum', field: 'value', eventTypes: ['purchase'], windows: ['24h', '7d'] },
      { name: 'units', kind: 'sum', field: 'quantity', eventTypes: ['purchase'], windows: ['30d'] },
      { name: 'items_seen', kind: 'distinctCount', field: 'itemId', windows: ['1h', '7d'] },
      { name: 'carts', kind: 'count', eventTypes: ['add_to_cart'], windows: ['1h', '24h'] },
      { name: 'sessions', kind: 'lastN', field: 'sessionId', n: 3 },
      { name: 'last_purchase', kind: 'lastSeen', eventTypes: ['purchase'] },
    ],
    ttlSeconds: 6 * 3600,
  },
  user_item_views: {
    entity: 'user_item',
    source: { kind: 'events', eventTypes: ['view'] },
    aggregations: [{ name: 'views', kind: 'count', windows: ['24h', '30d'] }],
    ttlSeconds: 0,
  },
  item_facts: {
    entity: 'item',
    source: { kind: 'catalog', fields: ['title', 'price.amount', 'categories', 'attributes.colour'] },
    ttlSeconds: 0,
  },
};

const AGES: [number, number][] = [
  [0, HOUR],
  [HOUR, DAY],
  [DAY, 7 * DAY],
  [7 * DAY, 30 * DAY],
  [30 * DAY, 40 * DAY],
];

/** `count` events (plus stale-user and old-item ones), shuffled, then late arrivals last. */
export const generateEvents = (seed: number, count = 400): TestEvent[] => {
  const next = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  const used = new Set<number>();
  const at = ([lo, hi]: [number, number]) => {
    let ts = NOW - lo - Math.floor(next() * (hi - lo));
    while (used.has(ts)) ts--;
    used.add(ts);
    return new Date(ts).toISOString();
  };
  const make = (i: number, userId: string, itemId: string, age: [number, number], tag = 'e'): TestEvent => {
    const type = pick([
      'view',
      'view',
      'view',
      'view',
      'view',
      'click',
      'add_to_cart',
      'add_to_cart',
      'purchase',
      'purchase',
    ]);
    const e: TestEvent = { id: `${tag}${seed}-${i}`, type, userId, itemId, timestamp: at(age) };
    if (type === 'purchase' || next() < 0.8) e.sessionId = `${userId}-s${Math.floor(next() * 3)}`;
    if (type === 'purchase')
      Object.assign(e, { value: 1 + Math.floor(next() * 100), quantity: 1 + Math.floor(next() * 5) });
    return e;
  };
  const events: TestEvent[] = [];
  for (let i = 0; i < count; i++)
    events.push(make(i, pick(USERS.slice(0, 6)), pick(ITEMS.slice(0, 8)), pick(AGES.slice(0, 4))));
  for (let i = 0; i < 10; i++)
    events.push(make(count + i, 'u-stale', pick(ITEMS.slice(0, 8)), [10 * HOUR, 20 * HOUR]));
  for (let i = 0; i < 10; i++)
    events.push(make(count + 10 + i, pick(USERS.slice(0, 6)), 'i-old', [35 * DAY, 40 * DAY]));
  shuffle(events, next);
  // Late arrivals: published last, stamped days or weeks ago.
  for (let i = 0; i < 20; i++)
    events.push(make(i, pick(USERS.slice(0, 6)), pick(ITEMS.slice(0, 8)), pick(AGES.slice(2)), 'late'));
  return events;
};

/** Puts the catalog items and custom views; returns each item's `updatedAt` and the tenant's views. */
export const prepareShop = async (fa: FeaturesApp, headers: Record<string, string>) => {
  const updatedAt: Record<string, string> = {};
  for (const [id, categories] of Object.entries(CATEGORIES)) {
    const body = {
      title: `Item ${id}`,
      categories,
      price: { amount: id.length * 10, currency: 'GBP' },
      ...(id === 'i4' ? {} : { attributes: { colour: `c-${id}` } }),
    };
    const res = await fa
      .current()
      .app.inject({ method: 'PUT', url: `/v1/items/${id}`, headers, payload: body });
    assert.equal(res.statusCode, 201, res.body);
    updatedAt[id] = res.json().updatedAt;
  }
  for (const [name, spec] of Object.entries(CUSTOM_VIEWS)) {
    const res = await fa
      .current()
      .app.inject({ method: 'PUT', url: `/v1/feature-views/${name}`, headers, payload: spec });
    assert.equal(res.statusCode, 201, res.body);
  }
  const list = await fa.current().app.inject({ method: 'GET', url: '/v1/feature-views', headers });
  return { updatedAt, views: list.json().views as FeatureView[] };
};

const rowsFor = (view: FeatureView): { entities: Record<string, string[]>; rows: Row[] } => {
  if (view.entity === 'user')
    return { entities: { userId: USERS }, rows: USERS.map((userId) => ({ userId })) };
  if (view.entity === 'item')
    return { entities: { itemId: ITEMS }, rows: ITEMS.map((itemId) => ({ itemId })) };
  const rows = USERS.flatMap((userId) => ['i1', 'i2', 'i3', 'i-none'].map((itemId) => ({ userId, itemId })));
  return { entities: { userId: rows.map((r) => r.userId), itemId: rows.map((r) => r.itemId) }, rows };
};

/** Reads every feature of every view online and compares each cell with the oracle. */
export const checkOnline = async (
  fa: FeaturesApp,
  headers: Record<string, string>,
  shop: Awaited<ReturnType<typeof prepareShop>>,
  events: readonly TestEvent[],
) => {
  for (const view of shop.views) {
    const { entities, rows } = rowsFor(view);
    const features = view.features.map((f) => `${view.name}:${f}`);
    const res = await fa.post('/v1/features/online', headers, { features, entities });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const columns = Object.keys(entities);
    assert.deepEqual(res.body.metadata.featureNames, [...columns, ...features]);
    features.forEach((ref, k) => {
      const col = res.body.results[columns.length + k];
      rows.forEach((row, r) => {
        const got = { value: col.values[r], status: col.statuses[r], ts: col.eventTimestamps[r] };
        const want =
          view.source.kind === 'catalog'
            ? catalogExpected(view.features[k], row.itemId!, shop.updatedAt)
            : expectedValue(events, view, view.features[k], row, NOW, CATEGORIES);
        assert.deepEqual(got, want, `${ref} for ${JSON.stringify(row)}`);
      });
    });
  }
};

const catalogExpected = (field: string, itemId: string, updatedAt: Record<string, string>) => {
  const value =
    itemId in CATEGORIES
      ? {
          title: `Item ${itemId}`,
          'price.amount': itemId.length * 10,
          categories: CATEGORIES[itemId],
          'attributes.colour': itemId === 'i4' ? undefined : `c-${itemId}`,
        }[field]
      : undefined;
  return value === undefined
    ? { value: null, status: 'NOT_FOUND', ts: null }
    : { value, status: 'PRESENT', ts: updatedAt[itemId] };
};

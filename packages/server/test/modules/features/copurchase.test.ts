// Co-purchases of a session longer than its basket, on every setup: each new item pairs with the newest
// BASKET_MAX_ITEMS distinct items of its session, the same whether the session arrives in one consumer batch
// or across many, and as a plain simulation of the basket computes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASKET_MAX_ITEMS } from '../../../src/modules/features/planner.ts';
import { type FeaturesApp, NOW, SETUPS, startFeaturesApp, type TestEvent } from './testing.ts';

const VIEW = {
  entity: 'item',
  source: { kind: 'events', eventTypes: ['purchase'] },
  aggregations: [{ name: 'items', kind: 'copurchase', topK: 100 }],
  ttlSeconds: 0,
};

/** One session: 60 distinct items, one bought again while in the basket, one again after it left. */
const ITEMS = [...Array.from({ length: 60 }, (_, i) => `p${i + 1}`), 'p40', 'p1'];
const EVENTS: TestEvent[] = ITEMS.map((itemId, i) => ({
  id: `buy-${i}`,
  type: 'purchase',
  userId: 'u-long',
  itemId,
  sessionId: 's-long',
  timestamp: new Date(NOW - (ITEMS.length - i) * 1000).toISOString(),
}));

/** The oracle: the basket as a list of the newest distinct items, in publication order. */
const expected = (): Map<string, Record<string, number>> => {
  const counts = new Map<string, Map<string, number>>();
  const bump = (a: string, b: string) => {
    const m = counts.get(a) ?? new Map<string, number>();
    counts.set(a, m.set(b, (m.get(b) ?? 0) + 1));
  };
  const basket: string[] = [];
  for (const item of ITEMS) {
    if (basket.includes(item)) continue;
    for (const other of basket) {
      bump(item, other);
      bump(other, item);
    }
    basket.push(item);
    if (basket.length > BASKET_MAX_ITEMS) basket.shift();
  }
  return new Map([...counts].map(([item, m]) => [item, Object.fromEntries(m)]));
};

for (const setup of SETUPS) {
  describe(`co-purchases of a long session (${setup.name})`, () => {
    let fa: FeaturesApp;
    const tenants: { id: string; headers: Record<string, string> }[] = [];
    before(async () => {
      fa = await startFeaturesApp(setup);
      for (const label of ['basket-one', 'basket-many']) {
        const tenant = await fa.tenant(label);
        const res = await fa.send('PUT', '/v1/feature-views/basket_pairs', tenant.headers, VIEW);
        assert.equal(res.status, 201, JSON.stringify(res.body));
        tenants.push(tenant);
      }
      const [one, many] = tenants;
      await fa.publishApplied(one.id, EVENTS);
      // Applied before the next part is published: every part is a batch of its own.
      for (let i = 0; i < EVENTS.length; i += 7) {
        const part = EVENTS.slice(i, i + 7);
        await fa.publishApplied(many.id, part);
      }
    });
    after(() => fa.close());

    test('each item pairs with the newest items of its session, however the session was batched', async () => {
      const items = [...new Set(ITEMS)];
      const want = expected();
      assert.equal(Object.keys(want.get('p1')!).length, 59, 'p1 pairs again after leaving the basket');
      assert.ok(!('p53' in want.get('p2')!), 'p2 left the basket when p52 came');
      for (const tenant of tenants) {
        const res = await fa.post('/v1/features/online', tenant.headers, {
          features: ['basket_pairs:items'],
          entities: { itemId: items },
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        items.forEach((item, r) => {
          assert.deepEqual(res.body.results[1].values[r], want.get(item), `${tenant.id}: ${item}`);
        });
      }
    });
  });
}

// Tenant isolation on every setup: the same entity ids in two tenants keep separate features, and one
// tenant cannot see or read another's views, online or historical.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FeatureView } from '@quiver/contracts';
import { expectedValue } from './brute-force.ts';
import { type FeaturesApp, NOW, SETUPS, startFeaturesApp, type TestEvent } from './testing.ts';

const eventsOf = (tag: string, n: number): TestEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${tag}-${i}`,
    type: i % 3 === 0 ? 'purchase' : 'view',
    userId: `u${i % 2}`,
    itemId: `i${i % 4}`,
    sessionId: `s${i % 3}`,
    timestamp: new Date(NOW - i * 60_000).toISOString(),
  }));

for (const setup of SETUPS) {
  describe(`feature isolation between tenants (${setup.name})`, () => {
    let fa: FeaturesApp;
    let a: { id: string; headers: Record<string, string> };
    let b: { id: string; headers: Record<string, string> };
    const ofA = eventsOf('same-id', 30);
    const ofB = eventsOf('same-id', 7); // the same event ids, too
    before(async () => {
      fa = await startFeaturesApp(setup);
      a = await fa.tenant('iso-a');
      b = await fa.tenant('iso-b');
      await fa.publish(a.id, ofA);
      await fa.publish(b.id, ofB);
      await fa.waitApplied(
        a.id,
        ofA.map((e) => e.id),
      );
      await fa.waitApplied(
        b.id,
        ofB.map((e) => e.id),
      );
    });
    after(() => fa.close());

    test('each tenant reads only features built from its own events', async () => {
      const views = (await fa.send('GET', '/v1/feature-views', a.headers)).body.views as FeatureView[];
      const popularity = views.find((v) => v.name === 'item_popularity')!;
      for (const [tenant, events] of [
        [a, ofA],
        [b, ofB],
      ] as const) {
        const online = await fa.post('/v1/features/online', tenant.headers, {
          features: ['item_popularity:views_1h', 'item_popularity:purchases_24h'],
          entities: { itemId: ['i0', 'i1', 'i2'] },
        });
        const historical = await fa.post('/v1/features/historical', tenant.headers, {
          features: ['item_popularity:views_1h', 'item_popularity:purchases_24h'],
          entityRows: ['i0', 'i1', 'i2'].map((itemId) => ({
            itemId,
            timestamp: new Date(NOW).toISOString(),
          })),
        });
        for (const [k, feature] of ['views_1h', 'purchases_24h'].entries()) {
          const want = ['i0', 'i1', 'i2'].map(
            (itemId) => expectedValue(events, popularity, feature, { itemId }, NOW, {}).value,
          );
          assert.deepEqual(online.body.results[1 + k].values, want, `online ${feature} of ${tenant.id}`);
          assert.deepEqual(
            historical.body.results[2 + k].values,
            want,
            `historical ${feature} of ${tenant.id}`,
          );
        }
      }
    });

    test("one tenant's views are invisible to another", async () => {
      const view = {
        entity: 'user',
        source: { kind: 'events', eventTypes: ['view'] },
        aggregations: [{ name: 'n', kind: 'count', windows: ['24h'] }],
        ttlSeconds: 0,
      };
      assert.equal((await fa.send('PUT', '/v1/feature-views/private_view', a.headers, view)).status, 201);
      assert.equal((await fa.send('GET', '/v1/feature-views/private_view', b.headers)).status, 404);
      const list = await fa.send('GET', '/v1/feature-views', b.headers);
      assert.ok(!list.body.views.some((v: { name: string }) => v.name === 'private_view'));
      const read = await fa.post('/v1/features/online', b.headers, {
        features: ['private_view:n_24h'],
        entities: { userId: ['u0'] },
      });
      assert.equal(read.status, 400);
      assert.equal(read.body.errors[0].path, '/features/0');
    });
  });
}

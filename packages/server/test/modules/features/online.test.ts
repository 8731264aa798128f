// Online features through HTTP on every setup: each value against a brute-force oracle (out-of-order and late
// events included), statuses, redelivery without double counting, and ingestion through POST /v1/events.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkOnline, generateEvents, prepareShop } from './scenario.ts';
import { type FeaturesApp, NOW, SETUPS, startFeaturesApp, type TestEvent } from './testing.ts';

for (const setup of SETUPS) {
  describe(`online features (${setup.name})`, () => {
    let fa: FeaturesApp;
    let tenant: { id: string; headers: Record<string, string> };
    let shop: Awaited<ReturnType<typeof prepareShop>>;
    const events = generateEvents(7);
    before(async () => {
      fa = await startFeaturesApp(setup);
      tenant = await fa.tenant('feat');
      shop = await prepareShop(fa, tenant.headers);
      await fa.publishApplied(tenant.id, events);
    });
    after(() => fa.close());

    test('every feature of every view matches the brute-force computation', async () => {
      await checkOnline(fa, tenant.headers, shop, events);
    });

    test('NOT_FOUND for unknown entities, OUTSIDE_TTL past a view TTL, with the event timestamp', async () => {
      const res = await fa.post('/v1/features/online', tenant.headers, {
        features: ['item_popularity:views_30d', 'item_popularity:last_seen'],
        entities: { itemId: ['i1', 'i-old', 'i-none'] },
      });
      assert.equal(res.status, 200);
      const [ids, views] = res.body.results;
      assert.deepEqual(ids.values, ['i1', 'i-old', 'i-none']);
      assert.deepEqual(views.statuses, ['PRESENT', 'OUTSIDE_TTL', 'NOT_FOUND']);
      assert.equal(views.values[1], null);
      assert.equal(views.values[2], null);
      assert.ok(Date.parse(views.eventTimestamps[1]) < NOW - 30 * 86_400_000);
      assert.equal(views.eventTimestamps[2], null);
      const users = await fa.post('/v1/features/online', tenant.headers, {
        features: ['user_activity:carts_24h', 'user_recent_items:items'],
        entities: { userId: ['u-stale'] },
      });
      assert.deepEqual(
        users.body.results.slice(1).map((r: { statuses: string[] }) => r.statuses[0]),
        ['OUTSIDE_TTL', 'PRESENT'],
      );
    });

    test('redelivered and repeated events do not count twice', async () => {
      const app = fa.current();
      await fa.publish(tenant.id, events.slice(0, 120), '#again'); // same event ids, new messages
      await app.stream.seek(app.features.consumerName, 1); // the whole log delivered again
      const sentinel: TestEvent = {
        id: `sentinel-${setup.name}`,
        type: 'view',
        userId: 'u-sentinel',
        itemId: 'i-sentinel',
        timestamp: new Date(NOW - 1000).toISOString(),
      };
      await fa.publish(tenant.id, [sentinel]);
      await fa.waitApplied(tenant.id, [sentinel.id]);
      await checkOnline(fa, tenant.headers, shop, events);
    });

    test('metrics: consumer lag, freshness, lookup latency, duplicates seen', async () => {
      const res = await fa.current().app.inject({ method: 'GET', url: '/metrics', headers: fa.operator });
      const value = (line: string) => Number(res.body.match(new RegExp(`^${line} (\\S+)$`, 'm'))?.[1]);
      const consumer = fa.current().features.consumerName;
      assert.ok(value(`quiver_feature_consumer_lag\\{consumer="${consumer}"\\}`) >= 0);
      assert.ok(value('quiver_feature_freshness_seconds_count') >= events.length);
      assert.ok(value('quiver_feature_lookup_seconds_count\\{kind="online"\\}') > 0);
      assert.ok(value('quiver_feature_events_total\\{outcome="duplicate"\\}') >= 120 + events.length);
    });

    test('events sent through POST /v1/events become features', async () => {
      const sent = [3, 1, 2].map((k) => ({
        id: `http-${k}`,
        type: 'view',
        userId: 'u-http',
        itemId: `i${k}`,
        timestamp: new Date(NOW - k * 60_000).toISOString(),
      }));
      const res = await fa.post('/v1/events', tenant.headers, { events: sent });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      await fa.waitApplied(
        tenant.id,
        sent.map((e) => e.id),
      );
      const got = await fa.post('/v1/features/online', tenant.headers, {
        features: ['user_recent_items:items'],
        entities: { userId: ['u-http'] },
      });
      assert.deepEqual(got.body.results[1].values, [['i1', 'i2', 'i3']]);
    });
  });
}

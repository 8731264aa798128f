// Point-in-time features through HTTP on every setup: each value, for entity rows at many instants, against
// the brute-force oracle over the same events (duplicates in the log counted once).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FeatureView } from '@quiver/contracts';
import { expectedValue, type Row } from './brute-force.ts';
import { CATEGORIES, generateEvents, ITEMS, prepareShop, USERS } from './scenario.ts';
import { DAY, type FeaturesApp, HOUR, NOW, random, SETUPS, startFeaturesApp } from './testing.ts';

const INSTANTS = [NOW - 38 * DAY, NOW - 12 * DAY, NOW - 3 * DAY, NOW - 5 * HOUR, NOW - HOUR / 2, NOW];

/** Rows for a view: every entity at fixed instants and at a few seeded random ones. */
const rowsFor = (view: FeatureView): (Row & { timestamp: string })[] => {
  const next = random(view.name.length);
  const entities: Row[] =
    view.entity === 'user'
      ? USERS.map((userId) => ({ userId }))
      : view.entity === 'item'
        ? ITEMS.map((itemId) => ({ itemId }))
        : USERS.flatMap((userId) => ['i1', 'i2', 'i-none'].map((itemId) => ({ userId, itemId })));
  const instants = [...INSTANTS, ...Array.from({ length: 4 }, () => NOW - Math.floor(next() * 40 * DAY))];
  return entities.flatMap((e) => instants.map((ts) => ({ ...e, timestamp: new Date(ts).toISOString() })));
};

for (const setup of SETUPS) {
  describe(`historical features (${setup.name})`, () => {
    let fa: FeaturesApp;
    let tenant: { id: string; headers: Record<string, string> };
    let views: FeatureView[];
    const events = generateEvents(11, 300);
    before(async () => {
      fa = await startFeaturesApp(setup);
      tenant = await fa.tenant('hist');
      views = (await prepareShop(fa, tenant.headers)).views.filter((v) => v.source.kind === 'events');
      await fa.publish(tenant.id, events);
      await fa.publish(tenant.id, events.slice(0, 50), '#dup'); // the same events again, as new messages
    });
    after(() => fa.close());

    test('every feature, as of each row, matches the brute-force computation', async () => {
      for (const view of views) {
        const entityRows = rowsFor(view);
        const features = view.features.map((f) => `${view.name}:${f}`);
        const res = await fa.post('/v1/features/historical', tenant.headers, { features, entityRows });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const columns =
          view.entity === 'user' ? ['userId'] : view.entity === 'item' ? ['itemId'] : ['userId', 'itemId'];
        assert.deepEqual(res.body.metadata.featureNames, [...columns, 'timestamp', ...features]);
        features.forEach((ref, k) => {
          const col = res.body.results[columns.length + 1 + k];
          entityRows.forEach((row, r) => {
            const got = { value: col.values[r], status: col.statuses[r], ts: col.eventTimestamps[r] };
            const want = expectedValue(
              events,
              view,
              view.features[k],
              row,
              Date.parse(row.timestamp),
              CATEGORIES,
            );
            assert.deepEqual(got, want, `${ref} for ${JSON.stringify(row)}`);
          });
        });
      }
    });

    test('a feature service names the features; rows must carry the entity columns', async () => {
      const put = await fa.send('PUT', '/v1/feature-services/ranking', tenant.headers, {
        features: ['user_activity:spend_7d', 'user_recent_items:items'],
      });
      assert.equal(put.status, 201, JSON.stringify(put.body));
      const row = { userId: 'u1', timestamp: new Date(NOW - DAY).toISOString() };
      const res = await fa.post('/v1/features/historical', tenant.headers, {
        featureService: 'ranking',
        entityRows: [row],
      });
      assert.equal(res.status, 200);
      const spend = expectedValue(
        events,
        views.find((v) => v.name === 'user_activity')!,
        'spend_7d',
        row,
        NOW - DAY,
        CATEGORIES,
      );
      assert.equal(res.body.results[2].values[0], spend.value);
      const missing = await fa.post('/v1/features/historical', tenant.headers, {
        features: ['item_popularity:views_1h'],
        entityRows: [row],
      });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.errors[0].path, '/entityRows/0/itemId');
    });
  });
}

// Feature view and service definitions through HTTP on SQLite and PostgreSQL: built-ins, create/replace with
// versions, what a view must satisfy, feature services, request validation and scopes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type FeaturesApp, SETUPS, startFeaturesApp } from './testing.ts';

const spec = {
  entity: 'user',
  source: { kind: 'events', eventTypes: ['view', 'purchase'] },
  aggregations: [{ name: 'views', kind: 'count', eventTypes: ['view'], windows: ['1h', '24h'] }],
  ttlSeconds: 3600,
};

for (const setup of SETUPS.slice(0, 2)) {
  describe(`feature definitions (${setup.name})`, () => {
    let fa: FeaturesApp;
    let admin: Record<string, string>;
    let tenantId: string;
    before(async () => {
      fa = await startFeaturesApp(setup);
      ({ id: tenantId, headers: admin } = await fa.tenant('defs'));
    });
    after(() => fa.close());

    test('every tenant has the built-in views, with their features', async () => {
      const res = await fa.send('GET', '/v1/feature-views', admin);
      assert.equal(res.status, 200);
      const byName = Object.fromEntries(res.body.views.map((v: { name: string }) => [v.name, v]));
      for (const name of [
        'item_popularity',
        'user_recent_items',
        'user_purchased_items',
        'user_category_affinity',
        'item_copurchase',
      ])
        assert.equal(byName[name]?.builtIn, true, name);
      assert.deepEqual(byName.item_popularity.features.slice(0, 4), [
        'views_1h',
        'views_24h',
        'views_7d',
        'views_30d',
      ]);
      assert.deepEqual(byName.user_recent_items.features, ['items', 'last_seen']);
      const one = await fa.send('GET', '/v1/feature-views/item_copurchase', admin);
      assert.equal(one.body.entity, 'item');
    });

    test('PUT creates (201), leaves an equal definition alone (200), versions a change', async () => {
      const created = await fa.send('PUT', '/v1/feature-views/user_views', admin, spec);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.features, ['views_1h', 'views_24h']);
      assert.equal(created.body.version, 1);
      assert.equal(created.body.builtIn, false);
      const same = await fa.send('PUT', '/v1/feature-views/user_views', admin, spec);
      assert.equal(same.status, 200);
      assert.equal(same.body.version, 1);
      const changed = await fa.send('PUT', '/v1/feature-views/user_views', admin, {
        ...spec,
        ttlSeconds: 60,
      });
      assert.equal(changed.body.version, 2);
      const got = await fa.send('GET', '/v1/feature-views/user_views', admin);
      assert.equal(got.body.ttlSeconds, 60);
      assert.equal((await fa.send('GET', '/v1/feature-views/nope', admin)).status, 404);
      assert.equal((await fa.send('PUT', '/v1/feature-views/item_popularity', admin, spec)).status, 409);
    });

    test('a definition that does not fit together is refused with the fields at fault', async () => {
      const cases: [object, string][] = [
        [{ ...spec, aggregations: [{ name: 'x', kind: 'copurchase', topK: 5 }] }, '/aggregations/0/kind'],
        [{ ...spec, aggregations: [{ name: 'x', kind: 'count' }] }, '/aggregations/0/windows'],
        [
          { ...spec, aggregations: [{ name: 'x', kind: 'sum', field: 'itemId', windows: ['1h'] }] },
          '/aggregations/0/field',
        ],
        [
          { ...spec, aggregations: [{ name: 'x', kind: 'count', eventTypes: ['click'], windows: ['1h'] }] },
          '/aggregations/0/eventTypes',
        ],
        [{ ...spec, aggregations: [{ name: 'x', kind: 'lastSeen', n: 3 }] }, '/aggregations/0/n'],
        [{ ...spec, aggregations: [] }, '/aggregations'],
        [{ ...spec, entity: 'item', source: { kind: 'catalog', fields: ['title'] } }, '/aggregations'],
        [{ ...spec, source: { kind: 'catalog', fields: ['title'] }, aggregations: [] }, '/entity'],
        [{ ...spec, extra: 1 }, '/extra'],
      ];
      for (const [body, path] of cases) {
        const res = await fa.send('PUT', '/v1/feature-views/bad_view', admin, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.ok(
          res.body.errors.some((e: { path: string }) => e.path === path),
          `${path} in ${JSON.stringify(res.body.errors)}`,
        );
      }
      assert.equal((await fa.send('PUT', '/v1/feature-views/Bad-Name', admin, spec)).status, 400);
    });

    test('feature services name known features and can be read back', async () => {
      const bad = await fa.send('PUT', '/v1/feature-services/svc', admin, {
        features: ['user_views:views_7d'],
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, '/features/0');
      const body = { features: ['user_views:views_1h', 'item_popularity:views_24h'] };
      assert.equal((await fa.send('PUT', '/v1/feature-services/svc', admin, body)).status, 201);
      assert.equal((await fa.send('PUT', '/v1/feature-services/svc', admin, body)).status, 200);
      const list = await fa.send('GET', '/v1/feature-services', admin);
      assert.deepEqual(
        list.body.services.map((s: { name: string }) => s.name),
        ['svc'],
      );
      assert.deepEqual(
        (await fa.send('GET', '/v1/feature-services/svc', admin)).body.features,
        body.features,
      );
      assert.equal((await fa.send('GET', '/v1/feature-services/none', admin)).status, 404);
      const read = await fa.post('/v1/features/online', admin, {
        featureService: 'svc',
        entities: { userId: ['u1', 'u2'], itemId: ['i1', 'i2'] },
      });
      assert.equal(read.status, 200);
      assert.deepEqual(read.body.metadata.featureNames, ['userId', 'itemId', ...body.features]);
      assert.deepEqual(read.body.results[2].statuses, ['NOT_FOUND', 'NOT_FOUND']);
    });

    test('online requests are validated: selection, known features, entity columns', async () => {
      const entities = { userId: ['u1'] };
      const cases: [object, string][] = [
        [{ entities }, '/features'],
        [{ features: ['user_views:views_1h'], featureService: 'svc', entities }, '/features'],
        [{ features: ['user_views:views_1h', 'user_views:nope'], entities }, '/features/1'],
        [{ features: ['item_popularity:views_1h'], entities }, '/entities/itemId'],
        [{ features: ['user_views:views_1h'], entities: { userId: ['a'], itemId: ['x', 'y'] } }, '/entities'],
      ];
      for (const [body, path] of cases) {
        const res = await fa.post('/v1/features/online', admin, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.errors[0].path, path, JSON.stringify(res.body));
      }
    });

    test('reading needs `infer`, defining needs `admin`', async () => {
      const infer = await fa.key(tenantId, ['infer']);
      const writer = await fa.key(tenantId, ['events:write']);
      const read = { features: ['user_views:views_1h'], entities: { userId: ['u1'] } };
      assert.equal((await fa.post('/v1/features/online', infer, read)).status, 200);
      assert.equal((await fa.send('GET', '/v1/feature-views', infer)).status, 200);
      assert.equal((await fa.send('PUT', '/v1/feature-views/v2', infer, spec)).status, 403);
      assert.equal((await fa.post('/v1/features/online', writer, read)).status, 403);
      assert.equal((await fa.send('GET', '/v1/features/status', admin)).status, 403);
      assert.equal((await fa.send('GET', '/v1/features/status', fa.operator)).status, 200);
    });
  });
}

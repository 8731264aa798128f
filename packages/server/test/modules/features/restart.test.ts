// Restarts on every setup: a new app on the same database (and stream, and Redis) keeps its features or
// rebuilds them from the log (the in-process store, a flushed Redis), never answering silently empty.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkOnline, generateEvents, prepareShop } from './scenario.ts';
import { dropRedisKeys, type FeaturesApp, SETUPS, startFeaturesApp } from './testing.ts';

/** Reads until the store serves: 503 `unavailable` while it rebuilds, then it must be complete. */
const whenServing = async (fa: FeaturesApp, headers: Record<string, string>) => {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fa.post('/v1/features/online', headers, {
      features: ['user_recent_items:items'],
      entities: { userId: ['u1'] },
    });
    if (res.status === 200) return;
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.code, 'unavailable');
    if (Date.now() > deadline) throw new Error('the feature store never finished rebuilding');
    await new Promise((r) => setTimeout(r, 20));
  }
};

for (const setup of SETUPS) {
  describe(`features across restarts (${setup.name})`, () => {
    let fa: FeaturesApp;
    let tenant: { id: string; headers: Record<string, string> };
    let shop: Awaited<ReturnType<typeof prepareShop>>;
    const events = generateEvents(23, 300);
    const later = generateEvents(29, 100);
    before(async () => {
      fa = await startFeaturesApp(setup);
      tenant = await fa.tenant('restart');
      shop = await prepareShop(fa, tenant.headers);
      await fa.publishApplied(tenant.id, events);
    });
    after(() => fa.close());

    test('a restarted app serves the same features, then keeps consuming', async () => {
      await checkOnline(fa, tenant.headers, shop, events);
      await fa.restart();
      await whenServing(fa, tenant.headers);
      await checkOnline(fa, tenant.headers, shop, events);
      await fa.publishApplied(tenant.id, later);
      await checkOnline(fa, tenant.headers, shop, [...events, ...later]);
    });

    test('a store that lost its state is rebuilt from the log', async () => {
      const { redisUrl, redisKeyPrefix } = fa.config;
      await fa.current().app.close();
      if (redisUrl) await dropRedisKeys(redisKeyPrefix); // the in-process store loses it by closing
      await fa.restart();
      await whenServing(fa, tenant.headers);
      await checkOnline(fa, tenant.headers, shop, [...events, ...later]);
      const status = await fa.send('GET', '/v1/features/status', fa.operator);
      assert.equal(status.status, 200);
      assert.equal(status.body.rebuildingUntil, null);
    });
  });
}

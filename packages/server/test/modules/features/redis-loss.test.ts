// Redis restarted empty under a running app (it keeps nothing on disk): the loss is noticed, the features
// are rebuilt from the event log, reads answer 503 meanwhile and never an undercount with 200. The test
// owns its Redis process (killed and restarted here), never the machine's shared one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type PrivateRedis, startPrivateRedis } from '../../support/redis-server.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { checkOnline, generateEvents, ITEMS, prepareShop } from './scenario.ts';
import { type Answer, type FeaturesApp, startFeaturesApp } from './testing.ts';

const sqlite = STORAGE_KINDS.find((k) => k.name === 'sqlite')!;
const COUNTS = ['views_1h', 'views_24h', 'views_7d', 'views_30d', 'purchases_30d', 'buyers_30d'].map(
  (f) => `item_popularity:${f}`,
);

/** Every count of the answer, per feature and item (null when NOT_FOUND). */
const countsOf = (res: Answer): (number | null)[][] =>
  res.body.results.slice(1).map((column: { values: (number | null)[] }) => column.values);

describe('Redis restarted empty under a running app (private redis-server)', () => {
  let redis: PrivateRedis;
  let fa: FeaturesApp;
  let tenant: { id: string; headers: Record<string, string> };
  let shop: Awaited<ReturnType<typeof prepareShop>>;
  const events = generateEvents(31, 300);
  const later = generateEvents(37, 100);

  before(async () => {
    redis = await startPrivateRedis();
    fa = await startFeaturesApp({
      name: 'private Redis',
      kind: sqlite,
      overrides: () => ({ redisUrl: redis.url, redisKeyPrefix: 'quiver-loss:' }),
    });
    tenant = await fa.tenant('loss');
    shop = await prepareShop(fa, tenant.headers);
    await fa.publishApplied(tenant.id, events);
  });
  after(async () => {
    await fa?.close();
    await redis?.close();
  });

  const readCounts = async (): Promise<Answer & { retryAfter?: string }> => {
    const res = await fa.current().app.inject({
      method: 'POST',
      url: '/v1/features/online',
      headers: tenant.headers,
      payload: { features: COUNTS, entities: { itemId: ITEMS } },
    });
    return { status: res.statusCode, body: res.json(), retryAfter: res.headers['retry-after'] as string };
  };

  /** Reads until 200: each other answer a 503 `unavailable`; a 200 never below `floor`. Returns the 503s. */
  const readUntilServed = async (floor: (number | null)[][]): Promise<number> => {
    let unavailable = 0;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await readCounts();
      if (res.status === 200) {
        // Never fewer than before the loss: an undercount with 200 is the bug.
        const counts = countsOf(res);
        for (const [f, column] of counts.entries())
          for (const [i, n] of column.entries()) {
            const was = floor[f][i];
            if (was !== null) assert.ok(n !== null && n >= was, `${COUNTS[f]} of ${ITEMS[i]}: ${n} < ${was}`);
          }
        return unavailable;
      }
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.equal(res.body.code, 'unavailable');
      assert.ok(Number(res.retryAfter) >= 1, 'a 503 says when to retry');
      unavailable++;
      if (Date.now() > deadline) throw new Error('features never served again');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  test('the loss is noticed and rebuilt from the log: 503 meanwhile, then the full counts', async () => {
    await checkOnline(fa, tenant.headers, shop, events);
    const before = countsOf(await readCounts());
    assert.ok(
      before.flat().some((n) => n !== null && n > 0),
      'the baseline has counts',
    );

    await redis.stop();
    await redis.start();
    await fa.publish(tenant.id, later);
    assert.ok((await readUntilServed(before)) > 0, 'reads answered 503 while Redis was gone or rebuilt');

    await fa.waitApplied(
      tenant.id,
      later.map((e) => e.id),
    );
    await checkOnline(fa, tenant.headers, shop, [...events, ...later]);
    const status = await fa.send('GET', '/v1/features/status', fa.operator);
    assert.equal(status.status, 200);
    assert.equal(status.body.rebuildingUntil, null);
    assert.equal(status.body.lag, 0);
    const metrics = await fa.current().metrics.registry.metrics();
    assert.match(metrics, /^quiver_feature_rebuilds_total\{[^}]*\} [1-9]/m, 'the rebuild is counted');
  });

  test('with no new events, the first reads after Redis returns empty notice the loss', async () => {
    const before = countsOf(await readCounts());
    await redis.stop();
    await redis.start();
    assert.ok((await readUntilServed(before)) > 0, 'reads answered 503 until rebuilt');
    await checkOnline(fa, tenant.headers, shop, [...events, ...later]);
  });
});

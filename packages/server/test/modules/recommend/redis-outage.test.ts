// for-user with Redis down (distributed mode, a private redis-server): the user's history cannot be read, so
// trending answers (degraded, with a notice) instead of an error; once Redis is back, for-user is personal
// again. Also runs the recent-items and session paths on Redis rather than the in-process store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BatchItem, RecommendationResponse } from '@quiver/contracts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { type PrivateRedis, startPrivateRedis } from '../../support/redis-server.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { publishRecommender } from './testing.ts';

const sqlite = STORAGE_KINDS.find((k) => k.name === 'sqlite')!;
const IDS = ['a', 'b', 'c'];
const ITEMS: BatchItem[] = IDS.map((id) => ({ id, title: `Item ${id}` }));

describe('recommendations with Redis down (private redis-server)', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let key: Record<string, string>;
  const recommend = async (body: object): Promise<RecommendationResponse> => {
    const res = await t.request({ method: 'POST', url: '/v1/recommendations', headers: key, payload: body });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const until = async (what: string, ok: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  before(async () => {
    redis = await startPrivateRedis();
    t = await startTestApp(
      sqlite,
      { redisUrl: redis.url, redisKeyPrefix: 'quiver-recs-outage:' },
      undefined,
      {
        vectors: null,
      },
    );
    key = await t.tenant('shop');
    const res = await t.request({
      method: 'POST',
      url: '/v1/items/batch',
      headers: key,
      payload: { items: ITEMS },
    });
    assert.equal(res.statusCode, 200, res.body);
    // a and c are alike, b is not; b is the most popular.
    const factors = Float32Array.from([1, 0, 0, 1, 0.9, 0.1]);
    await publishRecommender(t, 'shop', 'als', { graph: 'factors', spec: { ids: IDS, dim: 2, factors } });
    await publishRecommender(t, 'shop', 'popularity', {
      graph: 'scores',
      spec: { ids: IDS, scores: Float32Array.from([1, 5, 2]) },
    });
  });
  after(async () => {
    await t?.close();
    await redis?.close();
  });

  test('for-user answers trending while Redis is down, and is personal again once it is back', async () => {
    const view = async (id: string) => {
      const res = await t.request({
        method: 'POST',
        url: '/v1/events',
        headers: key,
        payload: {
          events: [{ id, type: 'view', userId: 'u1', itemId: 'a', timestamp: new Date().toISOString() }],
        },
      });
      assert.equal(res.statusCode, 202, res.body);
    };
    await view('e1');
    let personal: RecommendationResponse | undefined;
    await until('for-user on Redis', async () => {
      personal = await recommend({ scenario: 'for-user', userId: 'u1' });
      return personal.endpoint === 'recs-for-user';
    });
    assert.deepEqual(
      personal!.items.map((i) => i.id),
      ['c', 'b'],
    );

    await redis.stop();
    const down = await recommend({ scenario: 'for-user', userId: 'u1' });
    assert.equal(down.endpoint, 'recs-trending');
    assert.equal(down.degraded, true);
    assert.ok(
      down.notices.some((n) => n.includes('unavailable')),
      JSON.stringify(down.notices),
    );
    assert.deepEqual(
      down.items.map((i) => i.id),
      ['b', 'c', 'a'],
    );

    await redis.start();
    // Redis restarted empty: the feature store rebuilds from the event log.
    await until('for-user after Redis is back', async () => {
      const r = await recommend({ scenario: 'for-user', userId: 'u1' });
      return r.endpoint === 'recs-for-user' && !r.degraded;
    });
  });
});

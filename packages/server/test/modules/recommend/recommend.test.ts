// POST /v1/recommendations end to end: small recommenders built with the artifact builders, published as
// registry versions behind `recs-*` endpoints and run in onnxruntime worker threads; events and items go
// through the API. Filters, exclusions, diversity, boosts, real-time for-user, carts, trending by category,
// cold users and items, reasons, rollback, tenant isolation and bad input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BatchItem, RecommendationResponse } from '@quiver/contracts';
import { type Filter, matches } from '../../../src/modules/search/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { neighbourTable, publishRecommender } from './testing.ts';

type H = Record<string, string>;

const item = (id: string, title: string, brand: string, category: string, price: number, available = true) =>
  ({
    id,
    title,
    brand,
    categories: [category],
    price: { amount: price, currency: 'EUR' },
    available,
  }) as BatchItem;

const CATALOG: BatchItem[] = [
  item('mug-1', 'White ceramic mug', 'Acme', 'kitchen/mugs', 10),
  item('mug-2', 'Large coffee mug', 'Acme', 'kitchen/mugs', 12),
  item('mug-3', 'Travel mug', 'Brewco', 'kitchen/mugs', 11, false),
  item('tea-1', 'Green tea leaves', 'Leafy', 'kitchen/tea', 5),
  item('tea-2', 'Black tea', 'Leafy', 'kitchen/tea', 6),
  item('tea-3', 'Herbal tea', 'Brewco', 'kitchen/tea', 7),
  item('spoon', 'Tea spoon', 'Acme', 'kitchen/cutlery', 3),
  item('kettle', 'Electric kettle', 'Brewco', 'kitchen/appliances', 40),
  item('lamp', 'Desk lamp', 'Lumo', 'home/lighting', 30),
  item('sofa', 'Grey sofa', 'Comfy', 'home/furniture', 500),
  item('chair', 'Oak chair', 'Comfy', 'home/furniture', 120),
  item('rug', 'Wool rug', 'Comfy', 'home/textiles', 80),
];
const IDS = CATALOG.map((c) => c.id);
/** 2-d item factors: the first axis is "kitchen", the second "home". */
const FACTORS = [
  [1, 0],
  [0.98, 0.2],
  [0.95, 0.31],
  [0.9, 0.44],
  [0.85, 0.53],
  [0.8, 0.6],
  [0.7, 0.71],
  [0.6, 0.8],
  [0.2, 0.98],
  [0, 1],
  [0.1, 0.99],
  [0.3, 0.95],
];
const factors = { ids: IDS, dim: 2, factors: Float32Array.from(FACTORS.flat()) };
const COOCCURRENCE = neighbourTable(IDS, {
  'mug-1': [
    ['tea-1', 0.9],
    ['spoon', 0.5],
    ['mug-2', 0.3],
  ],
  'tea-1': [
    ['mug-1', 0.9],
    ['kettle', 0.6],
  ],
  spoon: [['mug-1', 0.5]],
  lamp: [
    ['sofa', 0.4],
    ['rug', 0.2],
  ],
  sofa: [
    ['chair', 0.8],
    ['lamp', 0.4],
  ],
  kettle: [['tea-1', 0.6]],
});
const POPULARITY: Record<string, number> = {
  sofa: 10,
  lamp: 8,
  'mug-1': 7,
  chair: 5,
  'tea-1': 4,
  rug: 3,
  kettle: 2,
  spoon: 1,
};
const popularity = (scores: Record<string, number>) => ({
  ids: IDS,
  scores: Float32Array.from(IDS.map((id) => scores[id] ?? 0)),
});

const ids = (r: RecommendationResponse) => r.items.map((i) => i.id);

const eventually = async <T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`${what}: last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

for (const kind of STORAGE_KINDS) {
  describe(`recommendations (${kind.name})`, () => {
    let t: TestApp;
    let shop: H;
    let other: H;
    let empty: H;
    const post = (body: object, h: H = shop) =>
      t.request({ method: 'POST', url: '/v1/recommendations', headers: h, payload: body });
    const ok = async (body: object, h: H = shop): Promise<RecommendationResponse> => {
      const res = await post(body, h);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const putItems = async (items: BatchItem[], h: H = shop) => {
      const res = await t.request({ method: 'POST', url: '/v1/items/batch', headers: h, payload: { items } });
      assert.equal(res.statusCode, 200, res.body);
    };
    let n = 0;
    const sendEvents = async (events: object[], h: H = shop) => {
      const res = await t.request({
        method: 'POST',
        url: '/v1/events',
        headers: h,
        payload: {
          events: events.map((e) => ({ id: `ev-${n++}`, timestamp: new Date().toISOString(), ...e })),
        },
      });
      assert.equal(res.statusCode, 202, res.body);
      assert.equal(res.json().accepted, events.length, res.body);
    };
    /** The endpoint's click results once one click is attributed to it. */
    const oneClickOn = (endpoint: string) =>
      eventually(
        async () =>
          (
            await t.request({
              method: 'GET',
              url: `/v1/endpoints/${endpoint}/results?metric=click`,
              headers: shop,
            })
          ).json(),
        (x) => x.variants?.[0]?.conversions === 1,
        `a click attributed to ${endpoint}`,
      );
    const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();

    before(async () => {
      t = await startTestApp(kind);
      shop = await t.tenant('shop');
      other = await t.tenant('other');
      empty = await t.tenant('empty', ['recommend']);
      await putItems(CATALOG);
      await publishRecommender(t, 'shop', 'content', { graph: 'factors', spec: factors });
      await publishRecommender(t, 'shop', 'als', { graph: 'factors', spec: factors });
      await publishRecommender(t, 'shop', 'cooccurrence', { graph: 'neighbours', spec: COOCCURRENCE });
      await publishRecommender(t, 'shop', 'popularity', { graph: 'scores', spec: popularity(POPULARITY) });
      await putItems(
        [
          item('x1', 'Red bicycle', 'Velo', 'sport/bikes', 300),
          item('x2', 'Helmet', 'Velo', 'sport/bikes', 50),
        ],
        other,
      );
      await publishRecommender(t, 'other', 'cooccurrence', {
        graph: 'neighbours',
        spec: neighbourTable(['x1', 'x2'], { x1: [['x2', 1]], x2: [['x1', 1]] }),
      });
      await publishRecommender(t, 'other', 'popularity', {
        graph: 'scores',
        spec: { ids: ['x1', 'x2'], scores: Float32Array.from([2, 1]) },
      });
    });
    after(() => t.close());

    test('similar-items serves through its endpoint and respects filters, exclusions and diversity caps', async () => {
      const plain = await ok({ scenario: 'similar-items', itemId: 'mug-1', limit: 20 });
      assert.equal(plain.endpoint, 'recs-similar-items');
      assert.equal(plain.model, 'recs-content');
      assert.equal(plain.version, '1');
      assert.match(plain.recommendationId, /^rt1~recs-similar-items~/);
      assert.deepEqual(ids(plain).slice(0, 4), ['mug-2', 'mug-3', 'tea-1', 'tea-2']);
      assert.ok(!ids(plain).includes('mug-1'), 'the query item is not recommended');
      assert.equal(plain.items[0].title, 'Large coffee mug');

      const filters: Filter = { and: [{ category: 'kitchen' }, { available: true }] };
      const capped = await ok({
        scenario: 'similar-items',
        itemId: 'mug-1',
        filters,
        exclude: ['tea-1'],
        diversity: { field: 'brand', maxPerValue: 1 },
        limit: 5,
      });
      assert.deepEqual(ids(capped), ['mug-2', 'tea-2', 'tea-3']);
      const brands = capped.items.map((i) => i.brand);
      assert.equal(new Set(brands).size, brands.length);
      for (const i of capped.items) assert.ok(matches(i, filters));

      const byCategory = await ok({
        scenario: 'similar-items',
        itemId: 'mug-1',
        diversity: { field: 'category', maxPerValue: 2 },
        limit: 6,
      });
      const counts = new Map<string, number>();
      for (const i of byCategory.items) counts.set(i.categories![0], (counts.get(i.categories![0]) ?? 0) + 1);
      assert.ok(
        [...counts.values()].every((c) => c <= 2),
        JSON.stringify([...counts]),
      );
      assert.equal(byCategory.items.length, 6);
    });

    test('bought-together for a cart, with reasons naming the cart item each result is bought with', async () => {
      const r = await ok({ scenario: 'bought-together', itemIds: ['mug-1', 'lamp'], explain: true });
      assert.equal(r.endpoint, 'recs-bought-together');
      // tea-1 0.9 (mug-1), spoon 0.5 (mug-1), sofa 0.4 (lamp), mug-2 0.3 (mug-1), rug 0.2 (lamp)
      assert.deepEqual(ids(r), ['tea-1', 'spoon', 'sofa', 'mug-2', 'rug']);
      assert.ok(Math.abs(r.items[0].score - 0.9) < 1e-6);
      const reason = (id: string) => r.items.find((i) => i.id === id)?.reasons?.[0];
      assert.deepEqual(reason('tea-1'), {
        kind: 'bought-with',
        itemId: 'mug-1',
        text: 'bought with White ceramic mug',
      });
      assert.equal(reason('sofa')?.itemId, 'lamp');
      assert.equal(reason('rug')?.itemId, 'lamp');
      // A click echoing the recommendationId is attributed to the variant that served it.
      await sendEvents([
        { type: 'click', userId: 'u9', itemId: 'tea-1', recommendationId: r.recommendationId },
      ]);
      const results = await oneClickOn('recs-bought-together');
      assert.equal(results.variants[0].variant, 'recs-cooccurrence@champion');
      const unknown = await ok({ scenario: 'bought-together', itemId: 'nothing-like-it' });
      assert.deepEqual(unknown.items, []);
    });

    test('trending overall, within a category, and with boosts', async () => {
      const all = await ok({ scenario: 'trending', limit: 3 });
      assert.deepEqual(ids(all), ['sofa', 'lamp', 'mug-1']);
      const kitchen = await ok({ scenario: 'trending', category: 'kitchen', explain: true });
      assert.deepEqual(ids(kitchen), ['mug-1', 'tea-1', 'kettle', 'spoon']);
      assert.deepEqual(kitchen.items[0].reasons, [
        { kind: 'trending', category: 'kitchen', text: 'trending in kitchen' },
      ]);
      const boosted = await ok({
        scenario: 'trending',
        boosts: [{ filter: { brand: 'Acme' }, factor: 10 }],
        limit: 3,
      });
      // mug-1 7·10, sofa 10, spoon 1·10 (ties keep the model's order)
      assert.deepEqual(ids(boosted), ['mug-1', 'sofa', 'spoon']);
      assert.equal(boosted.items[0].score, 70);
    });

    test('for-user follows a purchase posted through the API, and leaves out what the user bought', async (ctx) => {
      await sendEvents([
        { type: 'view', userId: 'u1', itemId: 'lamp', timestamp: ago(120) },
        { type: 'view', userId: 'u1', itemId: 'sofa', timestamp: ago(60) },
      ]);
      const before = await eventually(
        () => ok({ scenario: 'for-user', userId: 'u1', explain: true }),
        (r) => r.endpoint === 'recs-for-user' && r.items[0]?.id === 'chair',
        'home items for a user who viewed home items',
      );
      assert.equal(before.model, 'recs-als');
      assert.ok(!ids(before).includes('sofa') && !ids(before).includes('lamp'), 'viewed items are left out');
      assert.equal(before.items[0].reasons?.[0]?.kind, 'because-you-viewed');
      assert.equal(before.items[0].reasons?.[0]?.itemId, 'sofa');

      const sent = Date.now();
      await sendEvents([{ type: 'purchase', userId: 'u1', itemId: 'mug-1', sessionId: 's-u1' }]);
      const afterPurchase = await eventually(
        () => ok({ scenario: 'for-user', userId: 'u1' }),
        (r) => r.items[0]?.id !== 'chair',
        'for-user changes after a purchase',
      );
      ctx.diagnostic(`for-user changed ${Date.now() - sent} ms after the purchase was posted`);
      assert.ok(!ids(afterPurchase).includes('mug-1'), 'the bought item is left out');
      // More kitchen now: kettle 0.6·1.144 + 0.8·1.556 leads.
      assert.equal(afterPurchase.items[0].id, 'kettle');
    });

    test('a cold user gets trending, mixed with what goes with the session’s items', async () => {
      const cold = await ok({ scenario: 'for-user', userId: 'newcomer', explain: true });
      assert.equal(cold.endpoint, 'recs-trending');
      assert.deepEqual(ids(cold).slice(0, 3), ['sofa', 'lamp', 'mug-1']);
      assert.equal(cold.items[0].reasons?.[0]?.kind, 'trending');
      assert.ok(cold.notices.some((x) => x.includes('no history')));

      await sendEvents([{ type: 'view', userId: 'anon-7', sessionId: 'sess-7', itemId: 'kettle' }]);
      const mixed = await eventually(
        () => ok({ scenario: 'for-user', userId: 'nobody', sessionId: 'sess-7', explain: true }),
        (r) => r.items[0]?.id === 'tea-1',
        "the session's items as context",
      );
      // bought with kettle: tea-1; interleaved with trending (kettle itself left out)
      assert.deepEqual(ids(mixed).slice(0, 4), ['tea-1', 'sofa', 'lamp', 'mug-1']);
      assert.equal(mixed.endpoint, 'recs-bought-together');
      assert.deepEqual(mixed.items[0].reasons?.[0], {
        kind: 'bought-with',
        itemId: 'kettle',
        text: 'bought with Electric kettle',
      });
      assert.equal(mixed.items[1].reasons?.[0]?.kind, 'trending');
      // Each item carries the token of the list it came from: a click on a trending item counts for trending.
      assert.equal(mixed.recommendationId, mixed.items[0].recommendationId);
      assert.match(mixed.items[0].recommendationId ?? '', /^rt1~recs-bought-together~/);
      const hot = mixed.items[1];
      assert.match(hot.recommendationId ?? '', /^rt1~recs-trending~/);
      await sendEvents([
        { type: 'click', userId: 'nobody', itemId: hot.id, recommendationId: hot.recommendationId },
      ]);
      const results = await oneClickOn('recs-trending');
      assert.equal(results.variants[0].variant, 'recs-popularity@champion');
    });

    test('a new item the similar-items model does not know gets content neighbours from the vectors index', async () => {
      await putItems([item('mug-9', 'Blue ceramic mug', 'Acme', 'kitchen/mugs', 9)]);
      await t.vectors.ready('shop');
      const r = await eventually(
        () => ok({ scenario: 'similar-items', itemId: 'mug-9', explain: true, limit: 3 }),
        (x) => x.items.length > 0,
        'neighbours of a new item',
      );
      assert.ok(r.notices.some((x) => x.includes('vectors')));
      assert.ok(!ids(r).includes('mug-9'));
      assert.ok(r.items[0].id.startsWith('mug-'), JSON.stringify(ids(r)));
      assert.deepEqual(r.items[0].reasons?.[0], {
        kind: 'similar-to',
        itemId: 'mug-9',
        text: 'similar to Blue ceramic mug',
      });
    });

    test('a cart mixing known and new items: the new ones add their vectors neighbours to the model’s', async () => {
      await putItems([item('lamp-9', 'Green desk lamp', 'Lumo', 'home/lighting', 25)]);
      await t.vectors.ready('shop');
      const r = await eventually(
        () => ok({ scenario: 'similar-items', itemIds: ['mug-1', 'lamp-9'], explain: true, limit: 4 }),
        (x) => x.items.some((i) => i.id === 'lamp'),
        'the new item’s neighbours in the answer',
      );
      // The model's list (mug-1's neighbours) interleaved with lamp-9's nearest items by text.
      assert.equal(r.model, 'recs-content');
      assert.deepEqual(ids(r).slice(0, 2), ['mug-2', 'lamp']);
      assert.ok(!ids(r).includes('lamp-9') && !ids(r).includes('mug-1'), 'the query items are left out');
      const reason = (id: string) => r.items.find((i) => i.id === id)?.reasons?.[0];
      assert.deepEqual(reason('mug-2'), {
        kind: 'similar-to',
        itemId: 'mug-1',
        text: 'similar to White ceramic mug',
      });
      assert.deepEqual(reason('lamp'), {
        kind: 'similar-to',
        itemId: 'lamp-9',
        text: 'similar to Green desk lamp',
      });
      assert.ok(
        r.notices.some((x) => x.includes('lamp-9')),
        JSON.stringify(r.notices),
      );
      // Known items only: the model's answer alone, as before.
      const known = await ok({ scenario: 'similar-items', itemIds: ['mug-1', 'mug-2'], limit: 3 });
      assert.deepEqual(ids(known), ['mug-3', 'tea-1', 'tea-2']);
      assert.deepEqual(known.notices, []);
    });

    test('a new version serves through the endpoint, and moving the alias back rolls it back', async () => {
      const v2 = await publishRecommender(t, 'shop', 'popularity', {
        graph: 'scores',
        spec: popularity({ spoon: 10, kettle: 9 }),
      });
      assert.equal(v2, 2);
      const now = await eventually(
        () => ok({ scenario: 'trending', limit: 2 }),
        (r) => r.version === '2',
        'the new champion serves',
      );
      assert.deepEqual(ids(now), ['spoon', 'kettle']);
      const moved = await t.request({
        method: 'PUT',
        url: '/v1/models/recs-popularity/aliases/champion',
        headers: shop,
        payload: { version: 1 },
      });
      assert.equal(moved.statusCode, 200, moved.body);
      const back = await eventually(
        () => ok({ scenario: 'trending', limit: 2 }),
        (r) => r.version === '1',
        'the rolled-back champion serves',
      );
      assert.deepEqual(ids(back), ['sofa', 'lamp']);
      const pinned = await t.request({
        method: 'PUT',
        url: '/v1/endpoints/recs-trending',
        headers: shop,
        payload: { routes: [{ model: 'recs-popularity', version: 2, weight: 1 }] },
      });
      assert.equal(pinned.statusCode, 200, pinned.body);
      const routed = await eventually(
        () => ok({ scenario: 'trending', limit: 1 }),
        (r) => r.version === '2',
        'the endpoint route serves version 2',
      );
      assert.deepEqual(ids(routed), ['spoon']);
    });

    test('without a trained recommender: 409 naming the trainer; for-user falls back to trending', async () => {
      const res = await post({ scenario: 'similar-items', itemId: 'mug-1' }, empty);
      assert.equal(res.statusCode, 409, res.body);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.equal(res.json().code, 'recommender_not_trained');
      assert.match(res.json().detail, /POST \/v1\/trainers\/content\/runs/);
      await sendEvents([{ type: 'view', userId: 'b-user', itemId: 'x1' }], other);
      const fallback = await eventually(
        () => ok({ scenario: 'for-user', userId: 'b-user' }, other),
        (r) => r.degraded,
        'for-user without its model',
      );
      assert.equal(fallback.endpoint, 'recs-trending');
      assert.deepEqual(ids(fallback), ['x2']);
    });

    test("tenants are isolated: another tenant neither reaches this tenant's models nor its items", async () => {
      const cart = await ok({ scenario: 'bought-together', itemIds: ['mug-1', 'tea-1'] }, other);
      assert.deepEqual(cart.items, []);
      const hot = await ok({ scenario: 'trending' }, other);
      assert.deepEqual(ids(hot), ['x1', 'x2']);
      const res = await post({ scenario: 'similar-items', itemId: 'mug-1' }, other);
      assert.equal(res.statusCode, 409);
      // u1's history is the shop's: for the other tenant u1 is a stranger.
      const stranger = await ok({ scenario: 'for-user', userId: 'u1' }, other);
      assert.deepEqual(ids(stranger), ['x1', 'x2']);
      const mine = await ok({ scenario: 'bought-together', itemId: 'x1' });
      assert.deepEqual(mine.items, []);
    });

    test("a scoped key's embedded filters and pinned user apply to every recommendation", async () => {
      const minted = await t.request({
        method: 'POST',
        url: '/v1/tenants/shop/keys/scoped',
        headers: shop,
        payload: { scopes: ['recommend'], filters: { brand: 'Acme' }, userId: 'u1' },
      });
      assert.equal(minted.statusCode, 201, minted.body);
      const scoped = { authorization: `Bearer ${minted.json().secret}` };
      const similar = await ok({ scenario: 'similar-items', itemId: 'mug-1', limit: 20 }, scoped);
      assert.ok(similar.items.length > 0);
      assert.ok(
        similar.items.every((i) => i.brand === 'Acme'),
        JSON.stringify(ids(similar)),
      );
      // The request's own filter narrows further; an `or` cannot widen the embedded one.
      const widened = await ok(
        { scenario: 'trending', filters: { or: [{ brand: 'Comfy' }, { brand: 'Acme' }] }, limit: 20 },
        scoped,
      );
      assert.ok(
        widened.items.every((i) => i.brand === 'Acme'),
        JSON.stringify(ids(widened)),
      );
      const mine = await ok({ scenario: 'for-user' }, scoped);
      assert.equal(mine.endpoint, 'recs-for-user', 'the pinned user is the context');
      const someoneElse = await post({ scenario: 'for-user', userId: 'u2' }, scoped);
      assert.equal(someoneElse.statusCode, 403, someoneElse.body);
      assert.equal(someoneElse.json().code, 'forbidden');
    });

    test('bad input is answered with problem+json naming the field', async () => {
      const cases: [object, string][] = [
        [{ scenario: 'similar-items' }, '/itemId'],
        [{ scenario: 'bought-together', itemIds: [] }, '/itemIds'],
        [{ scenario: 'for-user' }, '/userId'],
        [{ scenario: 'trending', limit: 101 }, '/limit'],
        [{ scenario: 'trending', limit: 0 }, '/limit'],
        [{ scenario: 'sideways' }, '/scenario'],
        [{ scenario: 'similar-items', itemId: 'mug-1', category: 'kitchen' }, '/category'],
        [{ scenario: 'trending', filters: { price: { gte: 'cheap' } } }, '/filters/price/gte'],
        [
          { scenario: 'trending', boosts: [{ filter: { colour: 'red' }, factor: 2 }] },
          '/boosts/0/filter/colour',
        ],
        [{ scenario: 'trending', boosts: [{ filter: { brand: 'Acme' }, factor: -1 }] }, '/boosts/0/factor'],
        [{ scenario: 'trending', diversity: { field: 'colour', maxPerValue: 1 } }, '/diversity/field'],
        [{ scenario: 'trending', surprise: true }, '/surprise'],
      ];
      for (const [body, path] of cases) {
        const res = await post(body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)} → ${res.body}`);
        assert.match(String(res.headers['content-type']), /application\/problem\+json/);
        const problem = res.json();
        assert.equal(problem.code, 'validation_failed');
        assert.ok(
          problem.errors?.some((e: { path: string }) => e.path.startsWith(path)),
          `${JSON.stringify(body)}: ${JSON.stringify(problem.errors)}`,
        );
      }
      assert.equal((await post({ scenario: 'trending' }, {})).statusCode, 401);
      const key = await t.request({
        method: 'POST',
        url: '/v1/tenants/shop/keys',
        headers: t.operator,
        payload: { name: 'search only', scopes: ['search'] },
      });
      const searchOnly = { authorization: `Bearer ${key.json().secret}` };
      assert.equal((await post({ scenario: 'trending' }, searchOnly)).statusCode, 403);
    });
  });
}

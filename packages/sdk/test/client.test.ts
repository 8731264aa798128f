// The typed client against a real server: idempotent replay, pagination, problem details, scoped browser keys.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildRanker } from '../../../examples/model-push/ranker.ts';
import { createBrowserClient, type Item, QuiverError } from '../src/index.ts';
import { client, eventually, type LiveServer, startLiveServer, TEST_TIMEOUT_MS } from './support.ts';

describe('sdk client', () => {
  let server: LiveServer;
  let key: string;
  before(async () => {
    server = await startLiveServer();
    key = await server.tenant('sdk-shop');
  });
  after(() => server.close());

  test('idempotent replay: the same key answers the same, writes once; another body is a 409', async () => {
    const quiver = client(server.url, key);
    const items = [{ id: 'mug', title: 'Tea mug' }];
    const first = await quiver.items.batch(items, { idempotencyKey: 'import-1' });
    const again = await quiver.items.batch(items, { idempotencyKey: 'import-1' });
    assert.deepEqual(again, first);
    assert.equal(first.created, 1);
    assert.equal((await quiver.items.get('mug')).version, 1, 'one write');
    const changes = await quiver.changes.list().toArray();
    assert.deepEqual(
      changes.map((c) => [c.itemId, c.version]),
      [['mug', 1]],
    );
    await assert.rejects(
      quiver.items.batch([{ id: 'mug', title: 'Coffee mug' }], { idempotencyKey: 'import-1' }),
      {
        status: 409,
        code: 'idempotency_key_reused',
      },
    );
    // Without a key of the caller's own, each call is its own logical call: the second one updates.
    const a = await quiver.items.batch([{ id: 'cup', title: 'Cup' }]);
    const b = await quiver.items.batch([{ id: 'cup', title: 'Cup' }]);
    assert.deepEqual([a.created, b.updated], [1, 1]);
  });

  test('pagination: 2,500 items walk out in pages of 100, each once, in order', async () => {
    const shop = client(server.url, await server.tenant('big-shop'));
    const ids = Array.from({ length: 2500 }, (_, i) => `sku-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < ids.length; i += 1000) {
      const answer = await shop.items.batch(
        ids.slice(i, i + 1000).map((id) => ({ id, title: `Item ${id}` })),
      );
      assert.equal(answer.failed, 0);
    }
    const seen: Item[] = [];
    for await (const item of shop.items.list({ limit: 100 })) seen.push(item);
    assert.equal(seen.length, 2500);
    assert.deepEqual(seen.map((i) => i.id).sort(), ids);
    assert.equal(new Set(seen.map((i) => i.id)).size, 2500);
    let pages = 0;
    for await (const page of shop.items.list({ limit: 1000 }).pages()) {
      pages++;
      assert.ok(page.items.length <= 1000);
    }
    assert.equal(pages, 3);
    // The change feed pages by position.
    assert.equal((await shop.changes.list({ limit: 700 }).toArray()).length, 2500);
    // Breaking off early fetches no more pages.
    let taken = 0;
    for await (const _ of shop.items.list({ limit: 10 })) if (++taken === 15) break;
    assert.equal(taken, 15);
  });

  test('a validation error is a QuiverError with status, code, field errors and request id', async () => {
    const operator = client(server.url, server.operatorKey);
    const error = await operator.tenants
      .create({ id: 'Not A Valid Id!', name: 'x' }, { requestId: 'req-sdk-test-1' })
      .then(
        () => assert.fail('accepted an invalid tenant id'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof QuiverError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'validation_failed');
    assert.equal(error.requestId, 'req-sdk-test-1');
    assert.ok(
      error.errors.some((f) => f.path === '/id'),
      JSON.stringify(error.errors),
    );
    assert.equal(error.problem?.status, 400);
    assert.equal(error.attempts, 1);
    await assert.rejects(client(server.url, 'qk_wrong').items.get('x'), {
      status: 401,
      code: 'unauthenticated',
    });
  });

  test('typed calls across the API: tenants, keys, items with ETags, events, models list, audit', async () => {
    const operator = client(server.url, server.operatorKey);
    const tenant = await operator.tenants.create({ id: 'typed-shop', name: 'Typed' });
    assert.equal(tenant.id, 'typed-shop');
    assert.deepEqual(tenant.settings, { vectors: false });
    const set = await operator.tenants.setSettings('typed-shop', { vectors: true });
    assert.deepEqual(set.settings, { vectors: true });
    await assert.rejects(operator.tenants.setSettings('typed-shop', {}), { status: 400 });
    assert.ok((await operator.tenants.list({ limit: 1 }).toArray()).some((t) => t.id === 'typed-shop'));
    const created = await operator.keys.create('typed-shop', { name: 'server', scopes: ['admin'] });
    const shop = client(server.url, created.secret);
    assert.deepEqual(
      (await shop.keys.list('typed-shop').toArray()).map((k) => k.name),
      ['server'],
    );
    const put = await shop.items.put('lamp', { title: 'Lamp', price: { amount: 20, currency: 'EUR' } });
    const read = await shop.items.read('lamp');
    assert.equal(read.item?.title, 'Lamp');
    assert.equal((await shop.items.read('lamp', { ifNoneMatch: read.etag! })).item, null, '304');
    const patched = await shop.items.patch('lamp', { title: 'Desk lamp' }, { ifMatch: read.etag! });
    assert.equal(patched.version, put.version + 1);
    await assert.rejects(shop.items.patch('lamp', { title: 'Stale' }, { ifMatch: read.etag! }), {
      status: 412,
      code: 'precondition_failed',
    });
    const ingest = await shop.events.send([
      { id: 'e1', type: 'view', userId: 'u1', itemId: 'lamp', timestamp: new Date().toISOString() },
    ]);
    assert.equal(ingest.accepted, 1);
    const logged = await shop.events.list().toArray();
    assert.deepEqual(
      logged.map((e) => e.event.id),
      ['e1'],
    );
    assert.deepEqual(await shop.models.list().toArray(), []);
    await shop.items.delete('lamp');
    await assert.rejects(shop.items.get('lamp'), { status: 404 });
    const audit = await operator.audit.list({ tenantId: 'typed-shop' }).toArray();
    assert.ok(audit.length >= 2);
  });

  test('browser client: a scoped key searches within its filters; a full key is refused', async () => {
    const shop = client(server.url, key);
    await shop.items.batch([
      { id: 'lamp-brass', title: 'Brass table lamp', categories: ['home/lighting'], available: true },
      { id: 'lamp-old', title: 'Brass floor lamp', categories: ['home/lighting'], available: false },
      { id: 'sofa', title: 'Brass-footed sofa', categories: ['home/furniture'], available: true },
    ]);
    const scoped = await shop.keys.mintScoped('sdk-shop', {
      filters: { and: [{ category: 'home/lighting' }, { available: true }] },
      expiresInS: 600,
    });
    assert.match(scoped.secret, /^qs_/);
    const browser = createBrowserClient({
      baseUrl: server.url,
      scopedKey: scoped.secret,
      timeoutMs: TEST_TIMEOUT_MS,
    });
    const hits = await eventually(async () => {
      const answer = await browser.search.query({ query: 'brass' });
      return answer.total > 0 ? answer.hits : undefined;
    });
    assert.deepEqual(
      hits.map((h) => h.item.id),
      ['lamp-brass'],
    );
    // A scoped key holds nothing else: the browser client has no other method, the server refuses the rest.
    assert.deepEqual(Object.keys(browser).sort(), ['recommendations', 'search']);
    await assert.rejects(client(server.url, scoped.secret).items.get('sofa'), {
      status: 403,
      code: 'forbidden',
    });
    assert.throws(() => createBrowserClient({ baseUrl: server.url, scopedKey: key }), TypeError);
  });
  test('search parity routes: multi-search, facet values, suggestions, status and analytics', async () => {
    const shop = client(server.url, await server.tenant('sdk-search'));
    await shop.items.batch([
      { id: 'lamp', title: 'Brass table lamp', brand: 'Hearth & Co', categories: ['home/lighting'] },
      { id: 'sconce', title: 'Brass wall sconce', brand: 'Hearth & Co', categories: ['home/lighting'] },
      { id: 'sofa', title: 'Velvet sofa', brand: 'Sofa Co', categories: ['home/furniture'] },
    ]);
    const multi = await eventually(async () => {
      const answer = await shop.search.multi({
        searches: [{ query: 'brass' }, { query: '', filters: { category: 'home/furniture' } }],
      });
      return answer.results.every((r) => r.total > 0) ? answer : undefined;
    });
    assert.deepEqual(
      multi.results.map((r) => r.hits.map((h) => h.item.id).sort()),
      [['lamp', 'sconce'], ['sofa']],
    );
    const brands = await shop.search.facetValues({ facet: 'brand', facetQuery: 'hea' });
    assert.deepEqual(
      brands.values.map((v) => [v.value, v.count]),
      [['Hearth & Co', 2]],
    );
    assert.match(brands.values[0].highlighted, /<mark>Hea<\/mark>rth/);
    const typed = await shop.search.suggestions({ q: 'bra', limit: 5 });
    assert.ok(
      typed.suggestions.some((s) => s.text.startsWith('bra')),
      JSON.stringify(typed),
    );
    assert.equal((await shop.search.status()).items, 3);
    const day = new Date().toISOString().slice(0, 10);
    const analytics = await shop.search.analytics({ from: day, to: day });
    assert.deepEqual([analytics.from, analytics.to], [day, day]);
    assert.equal(typeof analytics.totals.clickThroughRate, 'number');
    // Bad input is a problem+json with its code, as on every other route.
    await assert.rejects(shop.search.analytics({ from: '1 May' }), {
      status: 400,
      code: 'validation_failed',
    });
  });

  test('OIP extensions and the demo status: repository load/index/unload, statistics, config', async () => {
    const shop = client(server.url, await server.tenant('sdk-oip'));
    await shop.models.create({ name: 'sdk-ranker', task: 'ranking' });
    await shop.models.push('sdk-ranker', { model: buildRanker([1.5, 0.8, -0.4], 0.1) });
    await shop.inference.repository.load('sdk-ranker');
    assert.deepEqual(await shop.inference.repository.index({ ready: true }), [
      { name: 'sdk-ranker', version: '1', state: 'READY', reason: '' },
    ]);
    const sample = {
      name: 'features',
      datatype: 'FP32' as const,
      shape: [2, 3],
      data: [0.2, 0.9, 0.5, 0.8, 0.1, 0.3],
    };
    await shop.inference.infer('sdk-ranker', { inputs: [sample] });
    const stats = await shop.inference.stats('sdk-ranker', { version: 1 });
    assert.deepEqual(
      stats.model_stats.map((s) => [s.name, s.version, s.inference_count]),
      [['sdk-ranker', '1', 2]],
    );
    assert.equal(stats.model_stats[0].inference_stats.success.count, 1);
    assert.deepEqual(
      (await shop.inference.stats()).model_stats.map((s) => s.name),
      ['sdk-ranker'],
    );
    const config = await shop.inference.config('sdk-ranker');
    assert.equal(config.name, 'sdk-ranker');
    assert.deepEqual(
      config.input.map((i) => i.name),
      ['features'],
    );
    await shop.inference.repository.unload('sdk-ranker');
    assert.deepEqual(await shop.inference.repository.index({ ready: true }), []);
    assert.deepEqual(
      (await shop.inference.repository.index()).map((e) => [e.name, e.state]),
      [['sdk-ranker', 'UNAVAILABLE']],
    );
    await assert.rejects(shop.inference.repository.load('no-such-model'), { status: 404 });
    assert.equal((await shop.health.demo()).status, 'off');
  });
});

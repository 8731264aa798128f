// Catalog behaviour through HTTP, on both storage kinds: CRUD, ETags, preconditions, batches, feed, pagination.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../../src/kernel/index.ts';
import { createCatalogService } from '../../../src/modules/catalog/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const lamp = {
  title: 'Brass Table Lamp',
  categories: ['home/lighting/lamps'],
  price: { amount: 49.5, currency: 'GBP' },
  available: true,
  attributes: { colour: 'gold', watts: 40, dimmable: true, tags: ['brass', 'desk'] },
};

for (const kind of STORAGE_KINDS) {
  describe(`catalog on ${kind.name}`, () => {
    let t: TestApp;
    let shop: Record<string, string>;
    before(async () => {
      t = await startTestApp(kind);
      shop = await t.tenant('shop');
    });
    after(() => t.close());

    const put = (id: string, body: unknown, headers: Record<string, string> = {}) =>
      t.request({
        method: 'PUT',
        url: `/v1/items/${id}`,
        headers: { ...shop, ...headers },
        payload: body as object,
      });

    test('PUT creates (201) then replaces (200), with versions, timestamps and an ETag', async () => {
      const created = await put('lamp-1', lamp);
      assert.equal(created.statusCode, 201);
      const item = created.json();
      assert.equal(item.id, 'lamp-1');
      assert.equal(item.version, 1);
      assert.deepEqual(item.attributes, lamp.attributes);
      assert.equal(created.headers.location, '/v1/items/lamp-1');
      assert.ok(created.headers.etag);
      const replaced = await put('lamp-1', { ...lamp, title: 'Brass Lamp' });
      assert.equal(replaced.statusCode, 200);
      assert.equal(replaced.json().version, 2);
      assert.equal(replaced.json().createdAt, item.createdAt);
      assert.notEqual(replaced.headers.etag, created.headers.etag);
    });

    test('GET returns the item with its ETag; If-None-Match answers 304', async () => {
      const got = await t.request({ method: 'GET', url: '/v1/items/lamp-1', headers: shop });
      assert.equal(got.statusCode, 200);
      assert.equal(got.json().title, 'Brass Lamp');
      const again = await t.request({
        method: 'GET',
        url: '/v1/items/lamp-1',
        headers: { ...shop, 'if-none-match': got.headers.etag as string },
      });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');
      const missing = await t.request({ method: 'GET', url: '/v1/items/nope', headers: shop });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().code, 'not_found');
    });

    test('concurrent reads (one statement on PostgreSQL) answer each tenant its own items only', async () => {
      const other = await t.tenant('other-shop');
      // Ids that need quoting inside the statement's array parameters.
      const odd = 'a "quoted", {braced} \\ id';
      const path = (id: string) => `/v1/items/${encodeURIComponent(id)}`;
      for (const [headers, id, title] of [
        [shop, 'shared-id', 'shop lamp'],
        [other, 'shared-id', 'other lamp'],
        [shop, 'only-shop', 'only in shop'],
        [other, odd, 'odd id'],
      ] as const) {
        const res = await t.request({ method: 'PUT', url: path(id), headers, payload: { ...lamp, title } });
        assert.equal(res.statusCode, 201, res.body);
      }
      const asks = [
        { headers: shop, id: 'shared-id', title: 'shop lamp' },
        { headers: other, id: 'shared-id', title: 'other lamp' },
        { headers: shop, id: 'only-shop', title: 'only in shop' },
        { headers: other, id: 'only-shop', title: undefined },
        { headers: other, id: odd, title: 'odd id' },
        { headers: shop, id: odd, title: undefined },
        { headers: shop, id: 'nope', title: undefined },
      ];
      // Several rounds of every ask at once, so one turn of the event loop holds repeats and both tenants.
      const all = Array.from({ length: 4 }, () => asks).flat();
      const answers = await Promise.all(
        all.map((a) => t.request({ method: 'GET', url: path(a.id), headers: a.headers })),
      );
      answers.forEach((res, i) => {
        const ask = all[i];
        if (ask.title === undefined) {
          assert.equal(res.statusCode, 404, `${ask.id}: ${res.body}`);
        } else {
          assert.equal(res.statusCode, 200, `${ask.id}: ${res.body}`);
          assert.equal(res.json().title, ask.title);
          assert.equal(res.json().id, ask.id);
          assert.match(String(res.headers.etag), /^"1-[0-9a-z]+"$/);
        }
      });
    });

    test('GET answers the stored JSON: the same members and values as the serialized item, for every field kind', async () => {
      const full = {
        title: 'Lamp "quoted" \\ \u00e9\u{1F4A1} <tag>',
        description: 'line one\nline two\ttabbed',
        categories: ['home/lighting/lamps', 'gifts'],
        brand: 'Northwind',
        price: { amount: 0.1, currency: 'EUR' },
        available: false,
        imageUrl: 'https://example.com/lamp.png?size=large&x=1',
        attributes: { rating: 4.25, big: 1e21, small: 5e-7, dimmable: true, tags: [], 'a.b:c_d-e': 'x' },
      };
      const minimal = { title: 'Only a title' };
      for (const [id, body] of [
        ['json-full', full],
        ['json-min', minimal],
      ] as const) {
        assert.equal((await put(id, body)).statusCode, 201);
        const got = await t.request({ method: 'GET', url: `/v1/items/${id}`, headers: shop });
        assert.equal(got.statusCode, 200);
        assert.match(String(got.headers['content-type']), /^application\/json; charset=utf-8$/);
        // The list answers through the response schema's serializer: the reference.
        const listed = (await t.request({ method: 'GET', url: `/v1/items?limit=200`, headers: shop }))
          .json()
          .items.find((i: { id: string }) => i.id === id);
        assert.deepEqual(got.json(), listed);
        assert.deepEqual(got.json(), {
          id,
          ...body,
          createdAt: listed.createdAt,
          updatedAt: listed.updatedAt,
          version: 1,
        });
      }
      // A patched item (a merge rewrites the stored text) reads back the same way.
      const patched = await t.request({
        method: 'PATCH',
        url: '/v1/items/json-full',
        headers: { ...shop, 'content-type': 'application/merge-patch+json' },
        payload: JSON.stringify({ brand: null, attributes: { rating: 5 } }),
      });
      assert.equal(patched.statusCode, 200, patched.body);
      const after = await t.request({ method: 'GET', url: '/v1/items/json-full', headers: shop });
      assert.deepEqual(after.json(), patched.json());
      assert.equal(after.json().brand, undefined);
      assert.equal(after.json().attributes.rating, 5);
    });

    test('If-Match with a stale ETag is refused (412) on PUT, PATCH and DELETE', async () => {
      const current = await t.request({ method: 'GET', url: '/v1/items/lamp-1', headers: shop });
      const stale = '"1-stale"';
      assert.equal((await put('lamp-1', lamp, { 'if-match': stale })).statusCode, 412);
      const patch = await t.request({
        method: 'PATCH',
        url: '/v1/items/lamp-1',
        headers: { ...shop, 'if-match': stale },
        payload: { title: 'x' },
      });
      assert.equal(patch.statusCode, 412);
      assert.equal(patch.json().code, 'precondition_failed');
      assert.equal(
        (
          await t.request({
            method: 'DELETE',
            url: '/v1/items/lamp-1',
            headers: { ...shop, 'if-match': stale },
          })
        ).statusCode,
        412,
      );
      assert.equal(
        (await put('lamp-1', lamp, { 'if-match': current.headers.etag as string })).statusCode,
        200,
      );
      assert.equal(
        (await put('lamp-1', lamp, { 'if-none-match': '*' })).statusCode,
        412,
        'create-only PUT on an existing item',
      );
      assert.equal(
        (await put('brand-new', lamp, { 'if-match': '*' })).statusCode,
        412,
        'update-only PUT on a missing item',
      );
    });

    test('concurrent If-Match updates: exactly one wins', async () => {
      const { headers } = await put('race', lamp);
      const etag = headers.etag as string;
      const attempts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          put('race', { ...lamp, title: `writer ${i}` }, { 'if-match': etag }),
        ),
      );
      const codes = attempts.map((r) => r.statusCode).sort();
      assert.deepEqual(codes, [200, 412, 412, 412, 412, 412, 412, 412]);
      const winner = attempts.find((r) => r.statusCode === 200)!.json();
      const stored = (await t.request({ method: 'GET', url: '/v1/items/race', headers: shop })).json();
      assert.equal(stored.title, winner.title);
      assert.equal(stored.version, 2);
    });

    test('PATCH applies a JSON merge patch; null removes; the result is validated', async () => {
      const patched = await t.request({
        method: 'PATCH',
        url: '/v1/items/lamp-1',
        headers: { ...shop, 'content-type': 'application/merge-patch+json' },
        payload: JSON.stringify({ available: false, brand: 'Hearth', attributes: { watts: 60, tags: null } }),
      });
      assert.equal(patched.statusCode, 200, patched.body);
      const item = patched.json();
      assert.equal(item.available, false);
      assert.equal(item.brand, 'Hearth');
      assert.deepEqual(item.attributes, { colour: 'gold', watts: 60, dimmable: true });
      const removeTitle = await t.request({
        method: 'PATCH',
        url: '/v1/items/lamp-1',
        headers: shop,
        payload: { title: null },
      });
      assert.equal(removeTitle.statusCode, 400);
      assert.deepEqual(removeTitle.json().errors, [{ path: '/title', message: 'is required' }]);
      const readOnly = await t.request({
        method: 'PATCH',
        url: '/v1/items/lamp-1',
        headers: shop,
        payload: { version: 9 },
      });
      assert.equal(readOnly.statusCode, 400);
      assert.equal(readOnly.json().errors[0].path, '/version');
      const missing = await t.request({
        method: 'PATCH',
        url: '/v1/items/ghost',
        headers: shop,
        payload: { title: 'x' },
      });
      assert.equal(missing.statusCode, 404);
    });

    test('DELETE removes; a second DELETE is 404', async () => {
      await put('to-delete', lamp);
      assert.equal(
        (await t.request({ method: 'DELETE', url: '/v1/items/to-delete', headers: shop })).statusCode,
        204,
      );
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/items/to-delete', headers: shop })).statusCode,
        404,
      );
      assert.equal(
        (await t.request({ method: 'DELETE', url: '/v1/items/to-delete', headers: shop })).statusCode,
        404,
      );
    });

    test('batch upsert answers per item, keeps the valid ones and reports the bad ones by index', async () => {
      const items = [
        { id: 'b-1', title: 'One' },
        { id: 'b-2', title: 2 },
        { id: 'lamp-1', title: 'Replaced lamp' },
        { title: 'no id' },
        { id: 'b-1', title: 'dup' },
        { id: 'b-3', title: 'Three', colour: 'red' },
        'not an object',
      ];
      const res = await t.request({
        method: 'POST',
        url: '/v1/items/batch',
        headers: shop,
        payload: { items },
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual([body.created, body.updated, body.failed], [1, 1, 5]);
      assert.deepEqual(
        body.results.map((r: { status: string }) => r.status),
        ['created', 'error', 'updated', 'error', 'error', 'error', 'error'],
      );
      assert.deepEqual(body.results[1].error.errors, [{ path: '/title', message: 'must be string' }]);
      assert.deepEqual(body.results[3].error.errors, [{ path: '/id', message: 'is required' }]);
      assert.equal(body.results[4].error.code, 'conflict');
      assert.deepEqual(body.results[5].error.errors, [{ path: '/colour', message: 'is not a known field' }]);
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/items/b-1', headers: shop })).json().title,
        'One',
      );
      assert.equal((await t.request({ method: 'GET', url: '/v1/items/b-2', headers: shop })).statusCode, 404);
    });

    test('batch limits: empty or more than 1,000 items is a 400', async () => {
      const many = Array.from({ length: 1001 }, (_, i) => ({ id: `m-${i}`, title: 't' }));
      const res = await t.request({
        method: 'POST',
        url: '/v1/items/batch',
        headers: shop,
        payload: { items: many },
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().errors[0].path, '/items');
      assert.equal(
        (await t.request({ method: 'POST', url: '/v1/items/batch', headers: shop, payload: { items: [] } }))
          .statusCode,
        400,
      );
    });

    test("getMany reads the tenant's own items among the ids in one call, across statement chunks", async () => {
      const mine = await t.tenant('getmany-mine');
      const other = await t.tenant('getmany-other');
      const items = Array.from({ length: 700 }, (_, i) => ({ id: `gm-${i}`, title: `Mine ${i}` }));
      for (let i = 0; i < items.length; i += 350) {
        const res = await t.request({
          method: 'POST',
          url: '/v1/items/batch',
          headers: mine,
          payload: { items: items.slice(i, i + 350) },
        });
        assert.equal(res.statusCode, 200, res.body);
      }
      await t.request({ method: 'PUT', url: '/v1/items/gm-x', headers: other, payload: { title: 'Theirs' } });
      await t.request({ method: 'PUT', url: '/v1/items/gm-0', headers: other, payload: { title: 'Theirs' } });
      const catalog = createCatalogService({ db: t.db, clock: systemClock });
      const ids = [...items.map((i) => i.id), 'gm-0', 'gm-x', 'gm-absent'];
      const found = await catalog.getMany('getmany-mine', ids);
      assert.equal(found.length, 700, 'each existing id once; absent and other tenants left out');
      const byId = new Map(found.map((item) => [item.id, item]));
      assert.equal(byId.get('gm-0')?.title, 'Mine 0');
      assert.equal(byId.get('gm-699')?.title, 'Mine 699');
      assert.equal(byId.get('gm-699')?.version, 1);
      assert.equal(byId.has('gm-x'), false);
      assert.deepEqual(await catalog.getMany('getmany-mine', []), []);
    });

    test('list pages through every item once, in id order, with opaque cursors', async () => {
      const batch = Array.from({ length: 25 }, (_, i) => ({
        id: `p-${String(i).padStart(2, '0')}`,
        title: `Item ${i}`,
      }));
      await t.request({ method: 'POST', url: '/v1/items/batch', headers: shop, payload: { items: batch } });
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/v1/items?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = (await t.request({ method: 'GET', url, headers: shop })).json();
        seen.push(...page.items.map((i: { id: string }) => i.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      assert.deepEqual(seen, [...seen].sort());
      assert.equal(new Set(seen).size, seen.length);
      assert.ok(batch.every((b) => seen.includes(b.id)));
      assert.equal(pages, Math.ceil(seen.length / 7), 'no empty last page');
      const bad = await t.request({ method: 'GET', url: '/v1/items?cursor=garbage', headers: shop });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'invalid_cursor');
    });

    test('every write appends to the change feed with a gapless, increasing sequence', async () => {
      const feed = (
        await t.request({ method: 'GET', url: '/v1/changes?after=0&limit=1000', headers: shop })
      ).json();
      const seqs = feed.changes.map((c: { seq: number }) => c.seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: seqs.length }, (_, i) => i + 1),
      );
      assert.equal(feed.lastSeq, seqs.length);
      assert.ok(
        feed.changes.some(
          (c: { op: string; itemId: string }) => c.op === 'delete' && c.itemId === 'to-delete',
        ),
      );
      const rest = (
        await t.request({ method: 'GET', url: `/v1/changes?after=${feed.lastSeq}`, headers: shop })
      ).json();
      assert.deepEqual(rest.changes, []);
      assert.equal(rest.lastSeq, feed.lastSeq);
    });

    test('Idempotency-Key: a retry replays the first answer; another body under the key is 409', async () => {
      const headers = { ...shop, 'idempotency-key': 'batch-42' };
      const payload = { items: [{ id: 'idem-1', title: 'First' }] };
      const first = await t.request({ method: 'POST', url: '/v1/items/batch', headers, payload });
      assert.equal(first.json().created, 1);
      const retry = await t.request({ method: 'POST', url: '/v1/items/batch', headers, payload });
      assert.equal(retry.statusCode, 200);
      assert.equal(retry.body, first.body, 'the same answer, not a second write ("updated")');
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      const item = (await t.request({ method: 'GET', url: '/v1/items/idem-1', headers: shop })).json();
      assert.equal(item.version, 1);
      const other = await t.request({
        method: 'POST',
        url: '/v1/items/batch',
        headers,
        payload: { items: [{ id: 'idem-2', title: 'x' }] },
      });
      assert.equal(other.statusCode, 409);
      assert.equal(other.json().code, 'idempotency_key_reused');
      const bad = await t.request({
        method: 'POST',
        url: '/v1/items/batch',
        headers: { ...shop, 'idempotency-key': 'x'.repeat(201) },
        payload,
      });
      assert.equal(bad.statusCode, 400);
    });

    test('concurrent requests with one Idempotency-Key write once', async () => {
      const headers = { ...shop, 'idempotency-key': 'concurrent-1' };
      const payload = { items: [{ id: 'idem-c', title: 'Once' }] };
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          t.request({ method: 'POST', url: '/v1/items/batch', headers, payload }),
        ),
      );
      const ok = answers.filter((a) => a.statusCode === 200);
      assert.ok(ok.length >= 1);
      assert.ok(answers.every((a) => a.statusCode === 200 || a.json().code === 'idempotency_in_progress'));
      assert.ok(
        ok.every((a) => a.json().created === 1),
        'no answer reports a second write',
      );
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/items/idem-c', headers: shop })).json().version,
        1,
      );
    });
  });
}

// Tenancy is a security boundary: one tenant's key can neither read nor change another tenant's data.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

for (const kind of STORAGE_KINDS) {
  describe(`tenant isolation on ${kind.name}`, () => {
    let t: TestApp;
    let a: Record<string, string>;
    let b: Record<string, string>;
    before(async () => {
      t = await startTestApp(kind);
      a = await t.tenant('tenant-a');
      b = await t.tenant('tenant-b');
      await t.request({
        method: 'PUT',
        url: '/v1/items/b-secret',
        headers: b,
        payload: { title: "B's secret item" },
      });
      await t.request({
        method: 'PUT',
        url: '/v1/items/shared-id',
        headers: b,
        payload: { title: "B's version" },
      });
    });
    after(() => t.close());

    test("A gets 404 for B's item and never sees it in a list", async () => {
      const got = await t.request({ method: 'GET', url: '/v1/items/b-secret', headers: a });
      assert.equal(got.statusCode, 404);
      assert.ok(!got.body.includes('secret item'));
      const list = await t.request({ method: 'GET', url: '/v1/items?limit=1000', headers: a });
      assert.deepEqual(list.json().items, []);
      const feed = await t.request({ method: 'GET', url: '/v1/changes', headers: a });
      assert.deepEqual(feed.json().changes, []);
    });

    test("A cannot change or delete B's item", async () => {
      const patch = await t.request({
        method: 'PATCH',
        url: '/v1/items/b-secret',
        headers: a,
        payload: { title: 'hacked' },
      });
      assert.equal(patch.statusCode, 404);
      const del = await t.request({ method: 'DELETE', url: '/v1/items/b-secret', headers: a });
      assert.equal(del.statusCode, 404);
      const still = await t.request({ method: 'GET', url: '/v1/items/b-secret', headers: b });
      assert.equal(still.json().title, "B's secret item");
      assert.equal(still.json().version, 1);
    });

    test('the same item id in two tenants names two different items', async () => {
      const put = await t.request({
        method: 'PUT',
        url: '/v1/items/shared-id',
        headers: a,
        payload: { title: "A's version" },
      });
      assert.equal(put.statusCode, 201, 'created in A, not an update of B');
      const batch = await t.request({
        method: 'POST',
        url: '/v1/items/batch',
        headers: a,
        payload: {
          items: [
            { id: 'shared-id', title: 'A again' },
            { id: 'b-secret', title: 'A owns this id now' },
          ],
        },
      });
      assert.deepEqual(
        batch.json().results.map((r: { status: string }) => r.status),
        ['updated', 'created'],
      );
      const bView = await t.request({ method: 'GET', url: '/v1/items/shared-id', headers: b });
      assert.equal(bView.json().title, "B's version");
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/items/b-secret', headers: b })).json().title,
        "B's secret item",
      );
      const bList = (await t.request({ method: 'GET', url: '/v1/items', headers: b }))
        .json()
        .items.map((i: { id: string }) => i.id);
      assert.deepEqual(bList, ['b-secret', 'shared-id']);
    });

    test("idempotency keys are per tenant: B's key does not replay A's answer", async () => {
      const payload = { items: [{ id: 'idem', title: 'x' }] };
      const ra = await t.request({
        method: 'POST',
        url: '/v1/items/batch',
        headers: { ...a, 'idempotency-key': 'same' },
        payload,
      });
      const rb = await t.request({
        method: 'POST',
        url: '/v1/items/batch',
        headers: { ...b, 'idempotency-key': 'same' },
        payload,
      });
      assert.equal(ra.json().created, 1);
      assert.equal(rb.json().created, 1);
      assert.equal(rb.headers['idempotent-replayed'], undefined);
    });

    test("A's admin key cannot manage B's keys or read B's tenant", async () => {
      for (const url of ['/v1/tenants/tenant-b', '/v1/tenants/tenant-b/keys']) {
        assert.equal((await t.request({ method: 'GET', url, headers: a })).statusCode, 404, url);
      }
    });
  });
}

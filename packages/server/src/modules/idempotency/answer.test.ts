// Answers recorded in the write's transaction: stored byte for byte as the client got them, replayed as such.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, startTestApp, TEST_OPERATOR_KEY, type TestApp } from '../../testing/app.ts';
import { STORAGE_KINDS } from '../../testing/storage.ts';

for (const kind of STORAGE_KINDS) {
  describe(`idempotent answers recorded in the write's transaction (${kind.name})`, () => {
    let t: TestApp;
    let shop: Record<string, string>;
    before(async () => {
      t = await startTestApp(kind);
      shop = await t.tenant('shop');
    });
    after(() => t.close());

    const writes = () => [
      { url: '/v1/items/batch', headers: shop, payload: { items: [{ id: 'a', title: 'A' }] } },
      { url: '/v1/tenants', headers: bearer(TEST_OPERATOR_KEY), payload: { id: 'other', name: 'Other' } },
      { url: '/v1/tenants/shop/keys', headers: shop, payload: { name: 'ci', scopes: ['catalog:read'] } },
      { url: '/v1/models', headers: shop, payload: { name: 'ranker' } },
    ];

    test('the stored answer is what the client got, and a retry gets it again', async () => {
      for (const [i, w] of writes().entries()) {
        const headers = { ...w.headers, 'idempotency-key': `write-${i}` };
        const first = await t.request({ method: 'POST', url: w.url, headers, payload: w.payload });
        assert.ok(first.statusCode < 300, `${w.url}: ${first.body}`);
        const [row] = await t.db.query<{ status: number; body: string; headers: string }>(
          'SELECT status, body, headers FROM idempotency_keys WHERE key = $1',
          [`write-${i}`],
        );
        assert.equal(Number(row.status), first.statusCode, w.url);
        assert.equal(row.body, first.body, w.url);
        assert.equal(JSON.parse(row.headers)['content-type'], first.headers['content-type'], w.url);
        const retry = await t.request({ method: 'POST', url: w.url, headers, payload: w.payload });
        assert.equal(retry.headers['idempotent-replayed'], 'true', w.url);
        assert.equal(retry.statusCode, first.statusCode, w.url);
        assert.equal(retry.body, first.body, w.url);
      }
    });
  });
}

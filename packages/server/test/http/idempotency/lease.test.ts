// The idempotency lease (an abandoned claim is taken over by exactly one of several racing retries), and
// answers recorded in the write's transaction (stored byte for byte as the client got them, replayed as such).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sha256Hex, stableStringify } from '../../../src/kernel/index.ts';
import { bearer, startTestApp, TEST_OPERATOR_KEY, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const BODY = {
  items: [
    { id: 'a', title: 'A' },
    { id: 'b', title: 'B' },
  ],
};

for (const kind of STORAGE_KINDS) {
  describe(`idempotency lease (${kind.name})`, () => {
    let t: TestApp;
    let shop: Record<string, string>;
    before(async () => {
      t = await startTestApp(kind);
      shop = await t.tenant('shop');
    });
    after(() => t.close());

    test('racing retries of an abandoned claim: one takes it over and runs, the others wait', async () => {
      // A claim left by a process that died mid-request: no answer, lease long gone.
      const fingerprint = sha256Hex(`POST /v1/items/batch\n${stableStringify(BODY)}`);
      const now = Date.now();
      await t.db.execute(
        `INSERT INTO idempotency_keys (scope, key, fingerprint, created_at, owner, lease_until)
         VALUES ('t:shop', 'orphan', $1, $2, 'dead-owner', $3)`,
        [fingerprint, now - 60_000, now - 30_000],
      );
      const headers = { ...shop, 'idempotency-key': 'orphan' };
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          t.request({ method: 'POST', url: '/v1/items/batch', headers, payload: BODY }),
        ),
      );
      const ran = answers.filter((a) => a.statusCode === 200 && !a.headers['idempotent-replayed']);
      assert.equal(ran.length, 1, answers.map((a) => `${a.statusCode} ${a.body}`).join('\n'));
      assert.ok(answers.every((a) => a.statusCode === 200 || a.json().code === 'idempotency_in_progress'));
      const feed = await t.request({ method: 'GET', url: '/v1/changes?after=0', headers: shop });
      assert.equal(feed.json().changes.length, 2);
    });

    test('another body under an abandoned key is still refused', async () => {
      const now = Date.now();
      await t.db.execute(
        `INSERT INTO idempotency_keys (scope, key, fingerprint, created_at, owner, lease_until)
         VALUES ('t:shop', 'orphan-2', 'other', $1, 'dead-owner', $2)`,
        [now - 60_000, now - 30_000],
      );
      const res = await t.request({
        method: 'POST',
        url: '/v1/items/batch',
        headers: { ...shop, 'idempotency-key': 'orphan-2' },
        payload: BODY,
      });
      assert.equal(res.json().code, 'idempotency_key_reused');
    });

    const writes = () => [
      { url: '/v1/items/batch', headers: shop, payload: { items: [{ id: 'answered', title: 'Answered' }] } },
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

// The idempotency lease: an abandoned claim is taken over by exactly one of several racing retries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sha256Hex, stableStringify } from '../../kernel/index.ts';
import { startTestApp, type TestApp } from '../../testing/app.ts';
import { STORAGE_KINDS } from '../../testing/storage.ts';

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
  });
}

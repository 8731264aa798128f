// Tenants, keys, scopes, expiry, revocation, audit and rate limits, through HTTP on both storage kinds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const HOUR_MS = 3_600_000;

for (const kind of STORAGE_KINDS) {
  describe(`tenancy on ${kind.name}`, () => {
    let t: TestApp;
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    before(async () => {
      t = await startTestApp(kind, {}, clock);
    });
    after(() => t.close());

    test('the operator creates tenants; ids are validated and unique', async () => {
      const ok = await t.request({
        method: 'POST',
        url: '/v1/tenants',
        headers: t.operator,
        payload: { id: 'acme', name: 'Acme' },
      });
      assert.equal(ok.statusCode, 201);
      assert.equal(ok.json().id, 'acme');
      assert.ok(ok.json().limits.tenantBurst > 0);
      const dup = await t.request({
        method: 'POST',
        url: '/v1/tenants',
        headers: t.operator,
        payload: { id: 'acme', name: 'Again' },
      });
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().code, 'already_exists');
      const bad = await t.request({
        method: 'POST',
        url: '/v1/tenants',
        headers: t.operator,
        payload: { id: 'Not Valid!', name: 'x' },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].path, '/id');
    });

    test('a key secret is shown once, stored only as a hash, and never listed', async () => {
      const created = await t.request({
        method: 'POST',
        url: '/v1/tenants/acme/keys',
        headers: t.operator,
        payload: { name: 'ci', scopes: ['catalog:read'] },
      });
      assert.equal(created.statusCode, 201);
      const { key, secret } = created.json();
      assert.match(secret, /^qk_/);
      assert.ok(secret.startsWith(key.prefix));
      const listed = await t.request({ method: 'GET', url: '/v1/tenants/acme/keys', headers: t.operator });
      assert.equal(listed.statusCode, 200);
      assert.ok(!listed.body.includes(secret));
      assert.ok(listed.json().keys.some((k: { id: string }) => k.id === key.id));
      const stored = await t.db.query<{ secret_hash: string }>(
        'SELECT secret_hash FROM api_keys WHERE id = $1',
        [key.id],
      );
      assert.equal(stored.length, 1);
      assert.notEqual(stored[0].secret_hash, secret);
      assert.ok(!JSON.stringify(await t.db.query('SELECT * FROM api_keys')).includes(secret));
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/items', headers: bearer(secret) })).statusCode,
        200,
      );
    });

    test('scopes: a read-only key cannot write; the operator key cannot act as a tenant', async () => {
      const reader = await t.tenant('readers', ['catalog:read']);
      const put = await t.request({
        method: 'PUT',
        url: '/v1/items/x',
        headers: reader,
        payload: { title: 'x' },
      });
      assert.equal(put.statusCode, 403);
      assert.equal(put.json().code, 'forbidden');
      assert.match(put.json().detail, /catalog:write/);
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/items', headers: t.operator })).statusCode,
        403,
      );
      const create = await t.request({
        method: 'POST',
        url: '/v1/tenants',
        headers: reader,
        payload: { id: 'sneaky', name: 'x' },
      });
      assert.equal(create.statusCode, 403);
      const keys = await t.request({
        method: 'POST',
        url: '/v1/tenants/readers/keys',
        headers: reader,
        payload: { name: 'x', scopes: ['admin'] },
      });
      assert.equal(keys.statusCode, 403, 'only admin keys manage keys');
    });

    test("a tenant admin manages its own keys and gets 404 for another tenant's", async () => {
      const admin = await t.tenant('selfserve', ['admin']);
      const created = await t.request({
        method: 'POST',
        url: '/v1/tenants/selfserve/keys',
        headers: admin,
        payload: { name: 'svc', scopes: ['catalog:write'] },
      });
      assert.equal(created.statusCode, 201);
      for (const req of [
        { method: 'GET' as const, url: '/v1/tenants/acme/keys' },
        { method: 'GET' as const, url: '/v1/tenants/acme' },
        { method: 'POST' as const, url: '/v1/tenants/acme/keys', payload: { name: 'x', scopes: ['admin'] } },
      ]) {
        const res = await t.request({ ...req, headers: admin });
        assert.equal(res.statusCode, 404, `${req.method} ${req.url}`);
      }
      const acmeKeys = (
        await t.request({ method: 'GET', url: '/v1/tenants/acme/keys', headers: t.operator })
      ).json().keys;
      const revoke = await t.request({
        method: 'DELETE',
        url: `/v1/tenants/acme/keys/${acmeKeys[0].id}`,
        headers: admin,
      });
      assert.equal(revoke.statusCode, 404);
      const own = await t.request({
        method: 'DELETE',
        url: `/v1/tenants/selfserve/keys/${acmeKeys[0].id}`,
        headers: admin,
      });
      assert.equal(own.statusCode, 404, "naming another tenant's key under one's own tenant finds nothing");
      const still = (
        await t.request({ method: 'GET', url: '/v1/tenants/acme/keys', headers: t.operator })
      ).json().keys;
      assert.equal(still[0].revokedAt, null);
    });

    test('a revoked key stops working at once', async () => {
      const res = await t.request({
        method: 'POST',
        url: '/v1/tenants/acme/keys',
        headers: t.operator,
        payload: { name: 'temp', scopes: ['catalog:read'] },
      });
      const { key, secret } = res.json();
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/items', headers: bearer(secret) })).statusCode,
        200,
      );
      assert.equal(
        (await t.request({ method: 'DELETE', url: `/v1/tenants/acme/keys/${key.id}`, headers: t.operator }))
          .statusCode,
        204,
      );
      const after = await t.request({ method: 'GET', url: '/v1/items', headers: bearer(secret) });
      assert.equal(after.statusCode, 401);
      assert.equal(after.json().code, 'unauthenticated');
      const listed = (
        await t.request({ method: 'GET', url: '/v1/tenants/acme/keys', headers: t.operator })
      ).json().keys;
      assert.ok(listed.find((k: { id: string }) => k.id === key.id).revokedAt);
    });

    test('an expired key stops working when its time comes', async () => {
      const expiresAt = new Date(clock.now() + HOUR_MS).toISOString();
      const res = await t.request({
        method: 'POST',
        url: '/v1/tenants/acme/keys',
        headers: t.operator,
        payload: { name: 'short', scopes: ['catalog:read'], expiresAt },
      });
      const secret = res.json().secret;
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/items', headers: bearer(secret) })).statusCode,
        200,
      );
      offset += 2 * HOUR_MS;
      try {
        assert.equal(
          (await t.request({ method: 'GET', url: '/v1/items', headers: bearer(secret) })).statusCode,
          401,
        );
      } finally {
        offset -= 2 * HOUR_MS;
      }
      const past = await t.request({
        method: 'POST',
        url: '/v1/tenants/acme/keys',
        headers: t.operator,
        payload: { name: 'past', scopes: ['admin'], expiresAt: new Date(clock.now() - 1000).toISOString() },
      });
      assert.equal(past.statusCode, 400);
      assert.equal(past.json().errors[0].path, '/expiresAt');
    });

    test('the audit log records who changed tenants and keys, and when', async () => {
      const res = await t.request({
        method: 'GET',
        url: '/v1/audit?tenantId=acme&limit=100',
        headers: t.operator,
      });
      assert.equal(res.statusCode, 200);
      const actions = res.json().entries.map((e: { action: string }) => e.action);
      assert.deepEqual(actions.slice(0, 2), ['tenant.create', 'key.create']);
      assert.ok(actions.includes('key.revoke'));
      const entry = res.json().entries[0];
      assert.equal(entry.actor, 'operator');
      assert.ok(Date.parse(entry.at) > 0);
      const selfserve = (
        await t.request({ method: 'GET', url: '/v1/audit?tenantId=selfserve', headers: t.operator })
      ).json().entries;
      assert.ok(
        selfserve.some(
          (e: { actor: string; action: string }) => e.action === 'key.create' && e.actor.startsWith('key:'),
        ),
      );
      const reader = await t.tenant('audit-reader', ['admin']);
      assert.equal((await t.request({ method: 'GET', url: '/v1/audit', headers: reader })).statusCode, 403);
    });

    test('rate limits per tenant and per key: headers, 429 with Retry-After, refill over time', async () => {
      const limits = { tenantPerSecond: 1, tenantBurst: 4, keyPerSecond: 1, keyBurst: 3 };
      const k1 = await t.tenant('limited', ['catalog:read'], limits);
      const k2Res = await t.request({
        method: 'POST',
        url: '/v1/tenants/limited/keys',
        headers: t.operator,
        payload: { name: 'k2', scopes: ['catalog:read'] },
      });
      const k2 = bearer(k2Res.json().secret);
      const get = (h: Record<string, string>) => t.request({ method: 'GET', url: '/v1/items', headers: h });
      offset += 10_000;
      const first = await get(k1);
      assert.equal(first.statusCode, 200);
      assert.equal(first.headers['ratelimit-limit'], '3');
      assert.equal(first.headers['ratelimit-remaining'], '2');
      await get(k1);
      await get(k1);
      const refused = await get(k1);
      assert.equal(refused.statusCode, 429, 'the key bucket (3) is empty');
      assert.equal(refused.json().code, 'rate_limited');
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assert.equal((await get(k2)).statusCode, 200, 'the other key still has tenant budget (4th token)');
      assert.equal((await get(k2)).statusCode, 429, 'now the tenant bucket (4) is empty too');
      offset += 5_000;
      assert.equal((await get(k1)).statusCode, 200, 'tokens refill with time');
      const raised = await t.request({
        method: 'PUT',
        url: '/v1/tenants/limited/limits',
        headers: t.operator,
        payload: { ...limits, tenantBurst: 100, keyBurst: 100 },
      });
      assert.equal(raised.statusCode, 200);
      assert.equal(raised.json().limits.keyBurst, 100);
    });
  });
}

// Two app instances on one real PostgreSQL database: each caches verified keys and tenant limits in memory,
// and a change made on one is honoured by the other within a second (the auth epoch, auth-epoch.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { bearer, startTestApp, type TestApp } from '../../support/app.ts';
import type { StorageKind } from '../../support/storage.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

/** The bound the product promises: a revoked key stops working on every replica within a second. */
const PROPAGATION_BOUND_MS = 1000;
const POSTGRES = STORAGE_KINDS.find((k) => k.name === 'postgres')!;

/** The database another app already made (it cleans up). */
const sameDatabase = (url: string): StorageKind => ({
  name: 'postgres',
  create: async () => ({ url, cleanup: async () => {} }),
});

/** Asks `probe` until it answers true; returns the milliseconds that took, or throws after `guardMs`. */
const msUntil = async (probe: () => Promise<boolean>, guardMs = 10_000): Promise<number> => {
  const started = performance.now();
  while (performance.now() - started < guardMs) {
    if (await probe()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`still not true after ${guardMs} ms`);
};

describe('auth cache across two app instances on PostgreSQL', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: pg.Client;

  before(async () => {
    a = await startTestApp(POSTGRES);
    b = await startTestApp(sameDatabase(a.config.databaseUrl!));
    admin = new pg.Client({ connectionString: a.config.databaseUrl });
    await admin.connect();
    await a.tenant('acme');
  });
  after(async () => {
    await admin.end();
    await b.close();
    await a.close();
  });

  const newKey = async (app: TestApp) => {
    const res = await app.request({
      method: 'POST',
      url: '/v1/tenants/acme/keys',
      headers: app.operator,
      payload: { name: 'reader', scopes: ['catalog:read'] },
    });
    assert.equal(res.statusCode, 201);
    return res.json() as { key: { id: string }; secret: string };
  };
  const readOn = async (app: TestApp, secret: string) =>
    (await app.request({ method: 'GET', url: '/v1/items', headers: bearer(secret) })).statusCode;

  test('a key checked once is served from memory: a change that skips the epoch goes unseen', async () => {
    const { key, secret } = await newKey(a);
    assert.equal(await readOn(b, secret), 200);
    // Revoked behind the service's back (no epoch bump): B keeps its cached, verified key.
    await admin.query('UPDATE api_keys SET revoked_at = $2 WHERE id = $1', [
      key.id,
      new Date().toISOString(),
    ]);
    assert.equal(await readOn(b, secret), 200);
    // Yet the database has it revoked: B answered from memory.
    assert.equal(
      (await admin.query('SELECT 1 FROM api_keys WHERE id = $1 AND revoked_at IS NULL', [key.id])).rowCount,
      0,
    );
  });

  test('a key revoked on one instance is refused by the other within a second', async () => {
    const { key, secret } = await newKey(a);
    assert.equal(await readOn(b, secret), 200);
    assert.equal(await readOn(b, secret), 200);
    const revoked = await a.request({
      method: 'DELETE',
      url: `/v1/tenants/acme/keys/${key.id}`,
      headers: a.operator,
    });
    assert.equal(revoked.statusCode, 204);
    assert.equal(await readOn(a, secret), 401);
    const ms = await msUntil(async () => (await readOn(b, secret)) === 401);
    assert.ok(ms < PROPAGATION_BOUND_MS, `B accepted the revoked key for ${Math.round(ms)} ms`);
  });

  test("a tenant's new limits reach the other instance within a second", async () => {
    const { secret } = await newKey(a);
    const limitOn = async (app: TestApp) =>
      (await app.request({ method: 'GET', url: '/v1/items', headers: bearer(secret) })).headers[
        'ratelimit-limit'
      ];
    const before = await limitOn(b);
    const limits = { tenantPerSecond: 1000, tenantBurst: 2000, keyPerSecond: 100, keyBurst: 37 };
    const set = await a.request({
      method: 'PUT',
      url: '/v1/tenants/acme/limits',
      headers: a.operator,
      payload: limits,
    });
    assert.equal(set.statusCode, 200);
    assert.notEqual(before, '37');
    const ms = await msUntil(async () => (await limitOn(b)) === '37');
    assert.ok(ms < PROPAGATION_BOUND_MS, `B kept the old limits for ${Math.round(ms)} ms`);
  });

  test('while the epoch cannot be read, every request is checked against the database', async () => {
    const { key, secret } = await newKey(a);
    assert.equal(await readOn(b, secret), 200);
    // Hold the epoch table locked: every replica's poll waits, so no replica knows its cache is current.
    const locker = new pg.Client({ connectionString: a.config.databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE auth_epoch IN ACCESS EXCLUSIVE MODE');
      await admin.query('UPDATE api_keys SET revoked_at = $2 WHERE id = $1', [
        key.id,
        new Date().toISOString(),
      ]);
      const ms = await msUntil(async () => (await readOn(b, secret)) === 401);
      assert.ok(ms < PROPAGATION_BOUND_MS, `B served from a stale cache for ${Math.round(ms)} ms`);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    // Polling resumes and the key stays refused.
    assert.equal(await readOn(b, secret), 401);
  });
});

// CORS for browsers holding a scoped key: preflight and responses (errors included) on the browser routes
// for configured origins only; other routes and other origins get no CORS headers; off by default.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, startTestApp, type TestApp } from '../support/app.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

const SHOP = 'https://shop.example';

describe('CORS on the browser routes', () => {
  let t: TestApp;
  let off: TestApp;
  let scoped: Record<string, string>;
  let admin: Record<string, string>;
  const preflight = (app: TestApp, origin: string, url = '/v1/search') =>
    app.request({
      method: 'OPTIONS',
      url,
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { corsOrigins: `${SHOP}, https://m.shop.example` }, undefined, {
      vectors: null,
    });
    off = await startTestApp(STORAGE_KINDS[0], {}, undefined, { vectors: null });
    admin = await t.tenant('cors');
    const minted = await t.request({
      method: 'POST',
      url: '/v1/tenants/cors/keys/scoped',
      headers: admin,
      payload: { expiresInS: 60 },
    });
    assert.equal(minted.statusCode, 201, minted.body);
    scoped = bearer(minted.json().secret);
  });
  after(async () => {
    await t.close();
    await off.close();
  });

  test('a configured origin passes the preflight and reads answers and problems', async () => {
    const pre = await preflight(t, SHOP);
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], SHOP);
    assert.equal(pre.headers['access-control-allow-methods'], 'POST');
    assert.match(String(pre.headers['access-control-allow-headers']), /authorization/);
    assert.equal(pre.headers['access-control-allow-credentials'], undefined);
    const ok = await t.request({
      method: 'POST',
      url: '/v1/search',
      headers: { ...scoped, origin: SHOP },
      payload: { query: '' },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.headers['access-control-allow-origin'], SHOP);
    assert.match(String(ok.headers['access-control-expose-headers']), /x-request-id/);
    const refused = await t.request({
      method: 'POST',
      url: '/v1/search',
      headers: { authorization: 'Bearer qs_forged.x', origin: SHOP },
      payload: { query: '' },
    });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers['access-control-allow-origin'], SHOP);
    assert.match(String(refused.headers['access-control-expose-headers']), /www-authenticate/);
  });

  test('other origins, other routes and an unconfigured server get no CORS headers', async () => {
    const stranger = await preflight(t, 'https://evil.example');
    assert.equal(stranger.headers['access-control-allow-origin'], undefined);
    assert.equal(stranger.statusCode, 404);
    const items = await preflight(t, SHOP, '/v1/items');
    assert.equal(items.headers['access-control-allow-origin'], undefined);
    const read = await t.request({ method: 'GET', url: '/v1/items', headers: { ...scoped, origin: SHOP } });
    assert.equal(read.headers['access-control-allow-origin'], undefined);
    const disabled = await preflight(off, SHOP);
    assert.equal(disabled.headers['access-control-allow-origin'], undefined);
  });

  test('a malformed origin list is a configuration error', async () => {
    const { loadConfig } = await import('../../src/config/index.ts');
    assert.throws(() => loadConfig({ QUIVER_CORS_ORIGINS: 'shop.example' }), /corsOrigins/);
    assert.equal(loadConfig({ QUIVER_CORS_ORIGINS: '*' }).corsOrigins, '*');
  });
});

// Bad input gets a clear problem+json answer with a stable code and the failing field; never a crash or a stack.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { startMetricsServer } from '../../src/http/index.ts';
import { bearer, startTestApp, type TestApp } from '../support/app.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

const BODY_LIMIT = 4096;

const assertProblem = (res: LightMyRequestResponse, status: number, code: string) => {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  assert.equal(body.type, `urn:quiver:problem:${code}`);
  assert.ok(!/\bat .+:\d+:\d+|node_modules|\.ts:\d+/.test(res.body), `no stack trace in ${res.body}`);
  return body;
};

describe('bad input', () => {
  let t: TestApp;
  let shop: Record<string, string>;
  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { bodyLimitBytes: BODY_LIMIT });
    shop = await t.tenant('errs');
  });
  after(() => t.close());

  const put = (payload: string, headers: Record<string, string> = {}) =>
    t.request({
      method: 'PUT',
      url: '/v1/items/x1',
      headers: { ...shop, 'content-type': 'application/json', ...headers },
      payload,
    });

  test('malformed JSON is 400 malformed_json', async () => {
    assertProblem(await put('{"title": "unterminated'), 400, 'malformed_json');
    assertProblem(await put(''), 400, 'malformed_json');
  });

  test('a prototype-poisoning body is refused', async () => {
    const res = await put('{"title": "x", "__proto__": {"admin": true}}');
    assert.equal(res.statusCode, 400);
  });

  test('wrong types name the failing field', async () => {
    const body = assertProblem(
      await put(JSON.stringify({ title: 5, price: { amount: '3', currency: 'gbp' } })),
      400,
      'validation_failed',
    );
    assert.deepEqual(body.errors.map((e: { path: string }) => e.path).sort(), [
      '/price/amount',
      '/price/currency',
      '/title',
    ]);
  });

  test('unknown fields are refused, not dropped', async () => {
    const body = assertProblem(
      await put(JSON.stringify({ title: 'x', colour: 'red', price: { amount: 1, currency: 'GBP', tax: 2 } })),
      400,
      'validation_failed',
    );
    assert.deepEqual(body.errors, [
      { path: '/colour', message: 'is not a known field' },
      { path: '/price/tax', message: 'is not a known field' },
    ]);
  });

  test('bad path and query parameters name the parameter', async () => {
    const bad = await t.request({ method: 'GET', url: '/v1/items/bad%0Aid', headers: shop }); // a control character
    assert.equal(assertProblem(bad, 400, 'validation_failed').errors[0].path, '/params/itemId');
    const limit = await t.request({ method: 'GET', url: '/v1/items?limit=0', headers: shop });
    assert.equal(assertProblem(limit, 400, 'validation_failed').errors[0].path, '/query/limit');
    const extra = await t.request({ method: 'GET', url: '/v1/items?sort=desc', headers: shop });
    assert.equal(assertProblem(extra, 400, 'validation_failed').errors[0].path, '/query/sort');
  });

  test('a wrong content type is 415', async () => {
    assertProblem(await put('title=x', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
    assertProblem(await put('<item/>', { 'content-type': 'application/xml' }), 415, 'unsupported_media_type');
  });

  test('a body over the configured limit is 413', async () => {
    const huge = JSON.stringify({ title: 'x', description: 'y'.repeat(BODY_LIMIT) });
    assertProblem(await put(huge), 413, 'payload_too_large');
  });

  test('a missing, malformed or unknown key is 401 with WWW-Authenticate', async () => {
    for (const authorization of [
      undefined,
      'Basic abc',
      'Bearer',
      'Bearer qk_key_nope_nope',
      'Bearer qo_wrong-operator-key-0000000000',
    ]) {
      const res = await t.request({
        method: 'GET',
        url: '/v1/items',
        headers: authorization ? { authorization } : {},
      });
      assertProblem(res, 401, 'unauthenticated');
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
    }
    const tampered = shop.authorization.slice(0, -2) + (shop.authorization.endsWith('aa') ? 'bb' : 'aa');
    assertProblem(
      await t.request({ method: 'GET', url: '/v1/items', headers: { authorization: tampered } }),
      401,
      'unauthenticated',
    );
  });

  test('an unknown route is a 404 problem; health and docs need no key', async () => {
    assertProblem(
      await t.request({ method: 'GET', url: '/v1/nothing-here', headers: shop }),
      404,
      'route_not_found',
    );
    assert.equal((await t.request({ method: 'GET', url: '/livez' })).statusCode, 200);
    assert.equal((await t.request({ method: 'GET', url: '/readyz' })).statusCode, 200);
    assert.equal((await t.request({ method: 'GET', url: '/docs/' })).statusCode, 200);
    const doc = await t.request({ method: 'GET', url: '/v1/openapi.json' });
    assert.equal(doc.json().openapi, '3.1.0');
    assert.ok(doc.json().paths['/v1/items/{itemId}'].put);
  });

  test('X-Request-Id is echoed (and made up when absent or unusable)', async () => {
    const given = await t.request({ method: 'GET', url: '/livez', headers: { 'x-request-id': 'trace-123' } });
    assert.equal(given.headers['x-request-id'], 'trace-123');
    const made = await t.request({
      method: 'GET',
      url: '/livez',
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    assert.match(String(made.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const problem = await t.request({
      method: 'GET',
      url: '/v1/items/nope',
      headers: { ...shop, 'x-request-id': 'req-9' },
    });
    assert.equal(problem.json().requestId, 'req-9');
  });

  test('a storage failure is a 500 problem without internals, and the process keeps serving', async () => {
    const other = await startTestApp(STORAGE_KINDS[0]);
    const key = await other.tenant('fragile');
    await other.db.close();
    const res = await other.request({ method: 'GET', url: '/v1/items', headers: key });
    const body = assertProblem(res, 500, 'internal');
    assert.ok(!/sqlite|database|connection/i.test(body.detail), body.detail);
    assert.equal((await other.request({ method: 'GET', url: '/livez' })).statusCode, 200);
    assert.equal((await other.request({ method: 'GET', url: '/readyz' })).statusCode, 503);
    await other.app.close().catch(() => {});
  });

  test('an operator-only route refuses a tenant key with 403', async () => {
    assertProblem(await t.request({ method: 'GET', url: '/v1/tenants', headers: shop }), 403, 'forbidden');
    const res = await t.request({
      method: 'GET',
      url: '/v1/tenants',
      headers: bearer('qo_test-operator-key-0123456789abcdef'),
    });
    assert.equal(res.statusCode, 200);
  });
});

describe('metrics', () => {
  test('/metrics is Prometheus text with request counts by route and tenant', async () => {
    const t = await startTestApp(STORAGE_KINDS[0]);
    try {
      const key = await t.tenant('metered');
      await t.request({ method: 'GET', url: '/v1/items', headers: key });
      const res = await t.request({ method: 'GET', url: '/metrics', headers: t.operator });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.match(
        res.body,
        /quiver_http_requests_total\{method="GET",route="\/v1\/items",status="2xx",tenant="metered"\} 1/,
      );
      assert.match(res.body, /quiver_http_request_duration_seconds_bucket/);
    } finally {
      await t.close();
    }
  });

  test('by default /metrics needs the operator key: tenant names are not public', async () => {
    const t = await startTestApp(STORAGE_KINDS[0]);
    try {
      const tenant = await t.tenant('private-shop');
      assert.equal((await t.request({ method: 'GET', url: '/metrics' })).statusCode, 401);
      assert.equal((await t.request({ method: 'GET', url: '/metrics', headers: tenant })).statusCode, 403);
      const res = await t.request({ method: 'GET', url: '/metrics', headers: t.operator });
      assert.equal(res.statusCode, 200);
    } finally {
      await t.close();
    }
  });

  test('QUIVER_METRICS_ACCESS=public opens /metrics (an explicit opt-in)', async () => {
    const t = await startTestApp(STORAGE_KINDS[0], { metricsAccess: 'public' });
    try {
      assert.equal((await t.request({ method: 'GET', url: '/metrics' })).statusCode, 200);
    } finally {
      await t.close();
    }
  });

  test('the separate metrics listener serves /metrics without a key on 127.0.0.1, and closes', async () => {
    const t = await startTestApp(STORAGE_KINDS[0]);
    const server = await startMetricsServer(t.metrics, { port: 0, host: '127.0.0.1' });
    try {
      const key = await t.tenant('scraped-shop');
      await t.request({ method: 'GET', url: '/v1/items', headers: key });
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /quiver_http_requests_total\{[^}]*tenant="scraped-shop"/);
      assert.equal((await fetch(`http://127.0.0.1:${server.port}/v1/tenants`)).status, 404);
      await server.close();
      await assert.rejects(fetch(`http://127.0.0.1:${server.port}/metrics`));
    } finally {
      await server.close();
      await t.close();
    }
  });
});

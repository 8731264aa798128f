// Hostile input (deep JSON, huge numbers, long or control-character ids, broken multipart, oversized
// URLs and headers) gets a clear 4xx problem on every backend, never a 500.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { TEST_NATS_URL } from '../adapters/stream/testing.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

const assertProblem = (res: LightMyRequestResponse, status: number, code: string) => {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, code, res.body);
  return body as { detail: string; errors?: { path: string; message: string }[] };
};

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const event = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'view',
  userId: 'guest-536365',
  itemId: '85123A',
  timestamp: '2026-11-25T10:00:00Z',
  ...extra,
});

for (const kind of STORAGE_KINDS) {
  describe(`hostile input (${kind.name})`, () => {
    let t: TestApp;
    let shop: Record<string, string>;
    before(async () => {
      t = await startTestApp(kind);
      shop = await t.tenant('hostile');
    });
    after(() => t.close());

    test('JSON nested 5,000 deep is a 400 naming the depth limit, with or without Idempotency-Key', async () => {
      for (const extra of [{ 'idempotency-key': 'deep-1' }, {}]) {
        const res = await t.request({
          method: 'POST',
          url: '/v1/items/batch',
          headers: { ...shop, 'content-type': 'application/json', ...extra },
          payload: `{"items": [${nested(5000)}]}`,
        });
        assert.match(assertProblem(res, 400, 'validation_failed').detail, /64/);
      }
      const patch = await t.request({
        method: 'PATCH',
        url: '/v1/items/deep',
        headers: { ...shop, 'content-type': 'application/merge-patch+json' },
        payload: `{"attributes": {"a": ${nested(5000)}}}`,
      });
      assertProblem(patch, 400, 'validation_failed');
      // Brackets inside strings do not count.
      const fine = await t.request({
        method: 'PUT',
        url: '/v1/items/brackets',
        headers: { ...shop, 'content-type': 'application/json' },
        payload: JSON.stringify({ title: '['.repeat(500) }),
      });
      assert.equal(fine.statusCode, 201, fine.body);
    });

    test('a deeply nested sampleInput in model metadata is a 400, not a 422 stack overflow', async () => {
      await t.request({ method: 'POST', url: '/v1/models', headers: shop, payload: { name: 'deep' } });
      const res = await t.request({
        method: 'POST',
        url: '/v1/models/deep/versions',
        headers: {
          ...shop,
          'content-type': 'application/octet-stream',
          'quiver-model-metadata': `{"sampleInput": [{"name": "x", "datatype": "FP32", "shape": [1], "data": ${nested(5000)}}]}`,
        },
        payload: Buffer.from('not a model'),
      });
      assert.match(assertProblem(res, 400, 'validation_failed').detail, /64/);
    });

    test('numeric query parameters are bounded integers: 1e400, -1, 1.5 and 2^60 are 400 naming the parameter', async () => {
      for (const url of [
        '/v1/events?after=1e400',
        '/v1/changes?after=1e400',
        '/v1/events?after=-1',
        '/v1/changes?after=1.5',
        `/v1/events?after=${2 ** 60}`,
        '/v1/items?limit=1e400',
        '/v1/changes?limit=Infinity',
      ]) {
        const body = assertProblem(
          await t.request({ method: 'GET', url, headers: shop }),
          400,
          'validation_failed',
        );
        const param = url.includes('after') ? '/query/after' : '/query/limit';
        assert.ok(
          body.errors?.some((e) => e.path === param),
          `${url}: ${JSON.stringify(body.errors)}`,
        );
      }
    });

    test('multipart uploads without a boundary, or cut short, are 400 problems', async () => {
      await t.request({ method: 'POST', url: '/v1/models', headers: shop, payload: { name: 'mp' } });
      const post = (contentType: string, payload: string) =>
        t.request({
          method: 'POST',
          url: '/v1/models/mp/versions',
          headers: { ...shop, 'content-type': contentType },
          payload,
        });
      assertProblem(await post('multipart/form-data', 'whatever'), 400, 'validation_failed');
      const b = 'XyZ';
      const metadata = `--${b}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{}\r\n`;
      const model = `--${b}\r\nContent-Disposition: form-data; name="model"; filename="m.onnx"\r\nContent-Type: application/octet-stream\r\n\r\nABCDEF`;
      const type = `multipart/form-data; boundary=${b}`;
      assertProblem(await post(type, metadata), 400, 'validation_failed'); // truncated: no closing boundary
      assertProblem(await post(type, model), 400, 'validation_failed'); // cut in the middle of the model part
      assertProblem(await post(type, `--${b}\r\nContent-Dispo`), 400, 'validation_failed'); // cut in part headers
    });

    test('one id rule: an item id of 101-200 characters is created, read, patched and deleted', async () => {
      const id = `sku-${'x'.repeat(150)}`;
      const url = `/v1/items/${id}`;
      const put = await t.request({ method: 'PUT', url, headers: shop, payload: { title: 'Long' } });
      assert.equal(put.statusCode, 201, put.body);
      assert.equal((await t.request({ method: 'GET', url, headers: shop })).statusCode, 200);
      const patched = await t.request({
        method: 'PATCH',
        url,
        headers: { ...shop, 'content-type': 'application/merge-patch+json' },
        payload: '{"brand": "B"}',
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal((await t.request({ method: 'DELETE', url, headers: shop })).statusCode, 204);
      // Ids are not only ASCII words: Online Retail StockCodes and ids with spaces or '/' round-trip too.
      for (const other of ['85123A', 'BANK CHARGES', 'gift_0001_40', 'a/b', 'café']) {
        const u = `/v1/items/${encodeURIComponent(other)}`;
        const r = await t.request({ method: 'PUT', url: u, headers: shop, payload: { title: other } });
        assert.equal(r.statusCode, 201, `${other}: ${r.body}`);
        assert.equal((await t.request({ method: 'GET', url: u, headers: shop })).json().id, other);
      }
      // Too long is the same 400 on the path and in a batch body.
      const tooLong = 'y'.repeat(201);
      assertProblem(
        await t.request({ method: 'GET', url: `/v1/items/${tooLong}`, headers: shop }),
        400,
        'validation_failed',
      );
      const batch = await t.request({
        method: 'POST',
        url: '/v1/items/batch',
        headers: shop,
        payload: { items: [{ id: tooLong, title: 'T' }] },
      });
      assert.equal(batch.json().results[0].status, 'error');
    });

    test('ids follow one grammar: no control characters, no whitespace at the ends', async () => {
      const bad = ['a\u0000b', 'a\r\nb', ' lead', 'trail ', '\t', 'del\u007f'];
      for (const id of bad) {
        const res = await t.request({
          method: 'POST',
          url: '/v1/items/batch',
          headers: shop,
          payload: {
            items: [
              { id, title: 'T' },
              { id: `ok-${bad.indexOf(id)}`, title: 'T' },
            ],
          },
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(
          res.json().results.map((r: { status: string }) => r.status),
          ['error', 'created'],
        );
      }
    });

    test('an event id, user id or session id with NUL or CR/LF is rejected by index; the valid events are kept', async () => {
      const res = await t.request({
        method: 'POST',
        url: '/v1/events',
        headers: shop,
        payload: {
          events: [
            event('ev-nul\u0000'),
            event('ev-ok-1'),
            event('ev-crlf\r\n'),
            event('ev-u', { userId: 'u\u0000' }),
            event('ev-s', { sessionId: ' s' }),
            event('ev-ok-2', { sessionId: '536365', userId: '541312170' }),
          ],
        },
      });
      assert.equal(res.statusCode, 202, res.body);
      const body = res.json();
      assert.equal(body.accepted, 2);
      assert.deepEqual(
        body.errors.map((e: { index: number }) => e.index),
        [0, 2, 3, 4],
      );
    });

    test('free text refuses NUL with a 400 naming the field', async () => {
      const model = await t.request({
        method: 'POST',
        url: '/v1/models',
        headers: shop,
        payload: { name: 'nul', description: 'bad\u0000text' },
      });
      assert.ok(
        assertProblem(model, 400, 'validation_failed').errors?.some((e) => e.path === '/description'),
      );
      const item = await t.request({
        method: 'PUT',
        url: '/v1/items/nul',
        headers: shop,
        payload: { title: 'T', description: 'x\u0000y' },
      });
      assert.ok(assertProblem(item, 400, 'validation_failed').errors?.some((e) => e.path === '/description'));
      // Tabs and newlines in free text are fine.
      const ok = await t.request({
        method: 'PUT',
        url: '/v1/items/multiline',
        headers: shop,
        payload: { title: 'T', description: 'line 1\nline 2\ttab' },
      });
      assert.equal(ok.statusCode, 201, ok.body);
    });
  });
}

describe('oversized URL and headers over a real socket', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0]);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(() => t.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
        );
      });
      req.on('error', reject);
      req.end();
    });

  test('a path parameter too long for the router is a 414 problem', async () => {
    const res = await get(`/v1/items/${'z'.repeat(5000)}`, { authorization: 'Bearer x' });
    assert.equal(res.status, 414, res.body);
    assert.match(res.type, /^application\/problem\+json/);
  });

  test('headers over the size limit are a 431 problem', async () => {
    const res = await get('/v1/items', { 'x-big': 'h'.repeat(20_000) });
    assert.equal(res.status, 431, res.body);
    assert.match(res.type, /^application\/problem\+json/);
    assert.equal(JSON.parse(res.body).status, 431);
  });

  /** Sends `head` as written and answers every byte the server sent until it closed or went quiet. */
  const raw = (head: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.setEncoding('latin1');
      socket.on('data', (d) => {
        received += d;
      });
      socket.setTimeout(500, () => socket.end());
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      socket.write(head);
    });

  test('HEAD with headers over the limit is a 431 without a body; GET keeps its problem body', async () => {
    const big = `x-big: ${'h'.repeat(20_000)}\r\n`;
    const head = await raw(`HEAD /v1/items HTTP/1.1\r\nhost: x\r\n${big}\r\n`);
    assert.match(head, /^HTTP\/1\.1 431 /);
    const [headers, body] = head.split('\r\n\r\n');
    assert.match(headers, /\r\nconnection: close/i);
    assert.equal(body, '', `bytes after the headers: ${JSON.stringify(body)}`);
    const get = await raw(`GET /v1/items HTTP/1.1\r\nhost: x\r\n${big}\r\n`);
    const [getHeaders, getBody] = get.split('\r\n\r\n');
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(getHeaders)?.[1]);
    assert.equal(JSON.parse(getBody).code, 'headers_too_large');
    assert.equal(Buffer.byteLength(getBody), length);
  });

  test('HEAD with a path parameter too long for the router is a 414 without a body', async () => {
    const head = await raw(
      `HEAD /v1/items/${'z'.repeat(5000)} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
    );
    assert.match(head, /^HTTP\/1\.1 414 /);
    assert.equal(head.split('\r\n\r\n')[1], '');
  });

  test('invalid percent-encoding in the path is a 400 bad_url problem with the request id', async () => {
    for (const path of ['/v1/items/%FF', '/v1/items/%ED%A0%80', '/v1/items/%', '/v1/items/%C0%AF']) {
      const res = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
        (resolve, reject) => {
          const req = httpRequest(
            { host: '127.0.0.1', port, path, headers: { 'x-request-id': 'bad-url-1' } },
            (r) => {
              let body = '';
              r.on('data', (d) => {
                body += d;
              });
              r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
            },
          );
          req.on('error', reject);
          req.end();
        },
      );
      assert.equal(res.status, 400, `${path}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.headers['x-request-id'], 'bad-url-1', path);
      const body = JSON.parse(res.body);
      assert.equal(body.code, 'bad_url', path);
      assert.equal(body.requestId, 'bad-url-1', path);
    }
  });
});

describe('ids on NATS JetStream', () => {
  let t: TestApp;
  let shop: Record<string, string>;
  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { streamUrl: TEST_NATS_URL });
    shop = await t.tenant(`nats-ids-${Date.now().toString(36)}`);
  });
  after(() => t.close());

  test('any id the grammar allows (spaces inside, non-ASCII, slash) is stored on JetStream', async () => {
    const suffix = Date.now().toString(36);
    const res = await t.request({
      method: 'POST',
      url: '/v1/events',
      headers: shop,
      payload: { events: [event(`café / ${suffix}`, { userId: 'Zoë Ünal', itemId: 'BANK CHARGES' })] },
    });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().accepted, 1);
  });

  test('an event id with CR/LF is rejected by index and the valid events of the batch are stored', async () => {
    const suffix = Date.now().toString(36);
    const res = await t.request({
      method: 'POST',
      url: '/v1/events',
      headers: shop,
      payload: {
        events: [event(`crlf-${suffix}\r\nX-Evil: 1`), event(`ok-${suffix}`), event(`nul-${suffix}\u0000`)],
      },
    });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().accepted, 1);
    assert.deepEqual(
      res.json().errors.map((e: { index: number }) => e.index),
      [0, 2],
    );
  });
});

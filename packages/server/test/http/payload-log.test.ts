// Opt-in sampled payload logging: the routes named in QUIVER_PAYLOAD_LOG get a `payload` line with both
// bodies, secrets and keys redacted wherever they sit; other routes get none; the rate samples.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { MAX_PAYLOAD_CHARS, parsePayloadLog, redact, registerPayloadLog } from '../../src/http/index.ts';
import { startTestApp, TEST_OPERATOR_KEY, type TestApp } from '../support/app.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

type Line = Record<string, unknown> & { msg: string };

const capture = () => {
  const text: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text.push(String(chunk));
      done();
    },
  });
  const lines = (): Line[] =>
    text
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  return {
    stream,
    text: () => text.join(''),
    lines,
    payloads: () => lines().filter((l) => l.msg === 'payload'),
  };
};

describe('payload logging through the app', () => {
  const logs = capture();
  let t: TestApp;
  let acme: Record<string, string>;
  before(async () => {
    t = await startTestApp(
      STORAGE_KINDS[0],
      {
        logLevel: 'info',
        payloadLog: '/v1/items/:itemId=1, /v1/tenants/:tenantId/keys=1, /v1/search=1, /v1/items=0',
      },
      undefined,
      { logStream: logs.stream },
    );
    acme = await t.tenant('acme');
  });
  after(() => t.close());

  test('a named route logs both bodies once per request, with the trace and tenant; keys never appear', async () => {
    const before = logs.payloads().length;
    const res = await t.request({
      method: 'PUT',
      url: '/v1/items/lamp-1',
      headers: { ...acme, traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` },
      payload: {
        title: 'Brass Table Lamp',
        attributes: { apiToken: 'hunter2', note: 'qk_looks_like_a_key' },
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const [line, ...more] = logs.payloads().slice(before);
    assert.equal(more.length, 0);
    assert.equal(line.route, '/v1/items/:itemId');
    assert.equal(line.status, 201);
    assert.equal(line.tenantId, 'acme');
    assert.equal(line.traceId, 'ab'.repeat(16));
    const request = line.request as { title: string; attributes: Record<string, string> };
    assert.equal(request.title, 'Brass Table Lamp');
    assert.deepEqual(request.attributes, { apiToken: '[redacted]', note: '[redacted]' });
    assert.equal((line.response as { id: string }).id, 'lamp-1');
    assert.ok(!logs.text().includes('hunter2'));
    assert.ok(!logs.text().includes(acme.authorization.slice('Bearer '.length)));
  });

  test("a new key's secret is redacted in the logged answer", async () => {
    const before = logs.payloads().length;
    const res = await t.request({
      method: 'POST',
      url: '/v1/tenants/acme/keys',
      headers: t.operator,
      payload: { name: 'shop', scopes: ['search'] },
    });
    assert.equal(res.statusCode, 201, res.body);
    const secret = res.json().secret as string;
    const [line] = logs.payloads().slice(before);
    assert.equal((line.response as { secret: string }).secret, '[redacted]');
    assert.ok(!logs.text().includes(secret));
    assert.ok(!logs.text().includes(TEST_OPERATOR_KEY));
  });

  test('routes not named, or named at rate 0, log no payload', async () => {
    const before = logs.payloads().length;
    assert.equal((await t.request({ url: '/v1/items', headers: acme })).statusCode, 200);
    const multi = await t.request({
      method: 'POST',
      url: '/v1/search/multi',
      headers: acme,
      payload: { searches: [{ query: 'lamp' }] },
    });
    assert.equal(multi.statusCode, 200, multi.body);
    assert.equal(logs.payloads().length, before);
    // The request line is still there, one per request.
    assert.ok(logs.lines().some((l) => l.msg === 'request' && l.route === '/v1/search/multi'));
  });

  test('a search answer, sent as JSON bytes, is logged as the JSON the client gets', async () => {
    const before = logs.payloads().length;
    const res = await t.request({
      method: 'POST',
      url: '/v1/search',
      headers: acme,
      payload: { query: 'lamp', mode: 'keyword' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const [line, ...more] = logs.payloads().slice(before);
    assert.equal(more.length, 0);
    assert.equal(line.route, '/v1/search');
    assert.equal((line.request as { query: string }).query, 'lamp');
    assert.ok((res.json() as { hits: unknown[] }).hits.length > 0);
    assert.deepEqual(line.response, redact(res.json()));
  });

  test('a body longer than the limit keeps its head and says how long it was', async () => {
    const before = logs.payloads().length;
    const description = 'x'.repeat(MAX_PAYLOAD_CHARS * 2);
    const res = await t.request({
      method: 'PUT',
      url: '/v1/items/long',
      headers: acme,
      payload: { title: 'Long', description },
    });
    assert.equal(res.statusCode, 201, res.body);
    const [line] = logs.payloads().slice(before);
    const request = line.request as { truncated: boolean; chars: number; head: string };
    assert.equal(request.truncated, true);
    assert.ok(request.chars > MAX_PAYLOAD_CHARS * 2);
    assert.equal(request.head.length, MAX_PAYLOAD_CHARS);
  });
});

test('the rate samples: a draw below the rate logs, one at or above it does not', async () => {
  const logs = capture();
  const app = Fastify({ logger: { stream: logs.stream } });
  registerPayloadLog(app, parsePayloadLog('/a=0.5,/b=0.25'), () => 0.3);
  app.post('/a', async () => ({ ok: true }));
  app.post('/b', async () => ({ ok: true }));
  await app.inject({ method: 'POST', url: '/a', payload: { n: 1 } });
  await app.inject({ method: 'POST', url: '/b', payload: { n: 2 } });
  await app.close();
  assert.deepEqual(
    logs.payloads().map((l) => l.route),
    ['/a'],
  );
});

test('the setting: entries and rates parsed; a malformed one stops the start naming the setting', () => {
  assert.deepEqual(
    [...parsePayloadLog(' /v1/search=0.01 , /v1/endpoints/:name/infer=1,/x=0 ')],
    [
      ['/v1/search', 0.01],
      ['/v1/endpoints/:name/infer', 1],
    ],
  );
  for (const bad of ['/v1/search', '/v1/search=2', '/v1/search=-1', 'a=b'])
    assert.throws(
      () => loadConfig({ QUIVER_PAYLOAD_LOG: bad }),
      (e: unknown) => e instanceof ConfigError && /payloadLog|QUIVER_PAYLOAD_LOG/.test(e.message),
      bad,
    );
  assert.deepEqual(redact({ a: [{ password: 'p' }, 'Bearer abc', 'plain'], n: 1 }), {
    a: [{ password: '[redacted]' }, '[redacted]', 'plain'],
    n: 1,
  });
});

test('bytes are logged as JSON only when sent as valid UTF-8 JSON; other bytes as their size', async () => {
  const logs = capture();
  const app = Fastify({ logger: { stream: logs.stream } });
  registerPayloadLog(app, parsePayloadLog('/json=1,/binary=1,/invalid=1'));
  const json = Buffer.from('{"name":"é😀","token":"qk_secret"}');
  app.post('/json', async (_r, reply) => reply.header('content-type', 'application/json').send(json));
  app.post('/binary', async (_r, reply) => reply.send(Buffer.from([0x7b, 0x7d, 0])));
  app.post('/invalid', async (_r, reply) =>
    reply.header('content-type', 'application/json').send(Buffer.from([0x22, 0xff, 0x22])),
  );
  for (const url of ['/json', '/binary', '/invalid']) await app.inject({ method: 'POST', url });
  await app.close();
  assert.deepEqual(
    logs.payloads().map((l) => l.response),
    [{ name: 'é😀', token: '[redacted]' }, { bytes: 3 }, { bytes: 3 }],
  );
});

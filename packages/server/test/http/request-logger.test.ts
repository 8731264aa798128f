// The per-request logger: made only when a request writes a line, and then with every binding (request id,
// tenant, key) and pino's redaction, exactly as a pino child would write it.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { RequestLogger } from '../../src/http/request-logger.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

const capture = () => {
  const text: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text.push(String(chunk));
      done();
    },
  });
  const lines = () =>
    text
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines };
};

const parentAt = (level: string) => {
  const out = capture();
  const logger = pino({ level, redact: { paths: ['*.secret'], censor: '[redacted]' } }, out.stream);
  return { logger, lines: out.lines };
};

describe('RequestLogger', () => {
  test('below the level nothing is made or written; bindings still read back', () => {
    const { logger, lines } = parentAt('warn');
    const childSpy = logger.child.bind(logger);
    let made = 0;
    logger.child = ((...args: Parameters<typeof logger.child>) => {
      made++;
      return childSpy(...args);
    }) as typeof logger.child;
    const log = new RequestLogger(logger, { reqId: 'r1' }, {});
    log.setBindings({ tenantId: 'acme' });
    log.info({ a: 1 }, 'dropped');
    log.debug('dropped');
    assert.equal(made, 0);
    assert.equal(lines().length, 0);
    assert.equal(log.level, 'warn');
    assert.equal(log.isLevelEnabled('info'), false);
    assert.equal(log.isLevelEnabled('error'), true);
    assert.deepEqual(log.bindings(), { reqId: 'r1', tenantId: 'acme' });
    log.warn({ data: { secret: 's3cret' } }, 'kept');
    assert.equal(made, 1);
    const [line] = lines();
    assert.equal(line.msg, 'kept');
    assert.equal(line.reqId, 'r1');
    assert.equal(line.tenantId, 'acme');
    assert.deepEqual(line.data, { secret: '[redacted]' });
  });

  test('after the first line, later bindings and lines go through the same pino child', () => {
    const { logger, lines } = parentAt('info');
    const log = new RequestLogger(logger, { reqId: 'r2' }, {});
    log.info('first');
    log.setBindings({ keyId: 'key_1' });
    log.error(new Error('boom'), 'second');
    log.child({ part: 'x' }).info('third');
    const [first, second, third] = lines();
    assert.equal(first.keyId, undefined);
    assert.equal(second.keyId, 'key_1');
    assert.equal((second.err as { message: string }).message, 'boom');
    assert.equal(third.part, 'x');
    assert.equal(third.reqId, 'r2');
  });

  test("a route's own level applies, and setting the level makes it the threshold", () => {
    const { logger, lines } = parentAt('info');
    const log = new RequestLogger(logger, { reqId: 'r3' }, { level: 'warn' });
    assert.equal(log.level, 'warn');
    log.info('dropped');
    assert.equal(lines().length, 0);
    log.level = 'debug';
    log.debug('kept');
    assert.deepEqual(
      lines().map((l) => l.msg),
      ['kept'],
    );
  });
});

describe('request lines through the app', () => {
  const logs = capture();
  let t: TestApp;
  let acme: Record<string, string>;
  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { logLevel: 'info' }, undefined, { logStream: logs.stream });
    acme = await t.tenant('acme');
  });
  after(() => t.close());

  test('the request line carries the request id, tenant and key, never the key itself', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/v1/items/none',
      headers: { ...acme, 'x-request-id': 'lazy-log-1' },
    });
    assert.equal(res.statusCode, 404);
    await new Promise((r) => setImmediate(r));
    const mine = logs.lines().filter((l) => l.reqId === 'lazy-log-1');
    const line = mine.find((l) => l.msg === 'request');
    assert.ok(line, JSON.stringify(mine));
    assert.equal(line.tenantId, 'acme');
    assert.match(String(line.keyId), /^key_/);
    assert.equal(line.status, 404);
    assert.equal(line.route, '/v1/items/:itemId');
    const secret = acme.authorization.split(' ')[1];
    assert.ok(!JSON.stringify(logs.lines()).includes(secret));
  });
});

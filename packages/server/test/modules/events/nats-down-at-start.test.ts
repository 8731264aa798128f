// NATS down when a distributed replica starts: it starts anyway, unready (naming the stream), answers stream
// writes with 503 + Retry-After, and once NATS comes up opens the stream, starts its consumers and is ready.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../adapters/stream/testing.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { type PrivateNats, startPrivateNats } from '../../support/nats-server.ts';
import { freePort } from '../../support/private-process.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { freshEvent, postEvents, recentItemsStatus } from './testing.ts';

const postgres = STORAGE_KINDS.find((k) => k.name === 'postgres')!;
/** Generous: a prompt answer takes milliseconds; a call waiting on NATS would take seconds. */
const PROMPT_MS = 2_000;

describe('NATS down at start-up (PostgreSQL + a private nats-server started later)', () => {
  let port: number;
  let t: TestApp;
  let nats: PrivateNats | undefined;
  let shop: Record<string, string>;
  before(async () => {
    // Nothing listens on this port until the test starts a nats-server there.
    port = await freePort();
    t = await startTestApp(postgres, { streamUrl: `nats://127.0.0.1:${port}` });
    shop = await t.tenant('nats-late');
  });
  after(async () => {
    await t?.close();
    await nats?.close();
  });

  const send = (id: string, userId: string) => postEvents(t, shop, [freshEvent(id, userId)]);
  const online = (userId: string) => recentItemsStatus(t, shop, userId);

  test('starts unready: /readyz 503 naming the stream, /livez 200, event writes 503 + Retry-After', async () => {
    assert.equal((await t.request({ method: 'GET', url: '/livez' })).statusCode, 200);
    const ready = await t.request({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: 'unavailable', unavailable: ['stream'] });

    const started = performance.now();
    const write = await send('early-1', 'u-early');
    const ms = performance.now() - started;
    assert.equal(write.statusCode, 503, write.body);
    assert.match(String(write.headers['content-type']), /application\/problem\+json/);
    assert.equal(write.json().code, 'unavailable');
    assert.ok(write.headers['retry-after'], 'Retry-After on the 503');
    assert.ok(ms < PROMPT_MS, `write answered in ${ms} ms`);

    const read = await t.request({ method: 'GET', url: '/v1/events?after=0', headers: shop });
    assert.equal(read.statusCode, 503, read.body);
    assert.equal(await online('u-early'), 'status 503');
    // The SQL store serves what does not need the stream.
    const put = await t.request({
      method: 'PUT',
      url: '/v1/items/SKU-1',
      headers: shop,
      payload: { title: 'One' },
    });
    assert.equal(put.statusCode, 201, put.body);
  });

  test('NATS comes up: the replica turns ready, and an event posted then is consumed', async () => {
    nats = await startPrivateNats(port);
    await eventually(
      async () => (await t.request({ method: 'GET', url: '/readyz' })).statusCode === 200,
      'ready once NATS is up',
    );
    const accepted = await send('late-1', 'u-late');
    assert.equal(accepted.statusCode, 202, accepted.body);
    assert.equal(accepted.json().accepted, 1);
    await eventually(async () => (await online('u-late')) === 'PRESENT', 'the feature consumer applied it');
    const replay = await t.request({ method: 'GET', url: '/v1/events?after=0', headers: shop });
    assert.equal(replay.statusCode, 200, replay.body);
    assert.deepEqual(
      replay.json().events.map((e: { event: { id: string } }) => e.event.id),
      ['late-1'],
    );
  });
});

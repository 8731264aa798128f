// NATS goes down and comes back: Quiver answers promptly with 503 + Retry-After, readiness follows the
// stream, and the catalog relay and the feature consumer resume afterwards. Runs on a private nats-server.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { StreamMessage } from '../../../src/adapters/stream/index.ts';
import { eventually } from '../../adapters/stream/testing.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { type PrivateNats, startPrivateNats } from '../../support/nats-server.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { freshEvent, postEvents, recentItemsStatus } from './testing.ts';

/** Longer than the NATS client's default reconnect budget (10 attempts, 2 s apart), which used to end for good. */
const OUTAGE_MS = 25_000;
/** Generous: a prompt answer takes milliseconds; the bugs made these 5 s or more. */
const PROMPT_MS = 2_000;

const timed = async <T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
};

describe('NATS outage', () => {
  let nats: PrivateNats;
  let t: TestApp;
  let shop: Record<string, string>;
  /** What the app logged at warn and above, one parsed pino line each. */
  const logs: { level: number; msg: string }[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  before(async () => {
    nats = await startPrivateNats();
    t = await startTestApp(STORAGE_KINDS[0], { streamUrl: nats.url, logLevel: 'warn' }, undefined, {
      logStream,
    });
    shop = await t.tenant('outage');
  });
  after(async () => {
    await t?.close();
    await nats?.close();
  });

  const fresh = freshEvent;
  const send = (events: unknown[]) => postEvents(t, shop, events);
  const online = (userId: string) => recentItemsStatus(t, shop, userId);

  test('while NATS is down: prompt 503 unavailable with Retry-After; /readyz 503; back up: all resumes', async () => {
    assert.equal((await send([fresh('before-1', 'u-before')])).statusCode, 202);
    assert.equal((await t.request({ method: 'GET', url: '/readyz' })).statusCode, 200);
    await eventually(async () => (await online('u-before')) === 'PRESENT', 'features before the outage');

    await nats.stop();
    const write = await timed(() => send([fresh('during-1', 'u-during')]));
    assert.equal(write.value.statusCode, 503, write.value.body);
    assert.equal(write.value.json().code, 'unavailable');
    assert.ok(write.value.headers['retry-after'], 'Retry-After on the 503');
    assert.ok(write.ms < PROMPT_MS, `write answered in ${write.ms} ms: ${write.value.body}`);

    const read = await timed(() => t.request({ method: 'GET', url: '/v1/events?after=0', headers: shop }));
    assert.equal(read.value.statusCode, 503, read.value.body);
    assert.equal(read.value.json().code, 'unavailable');
    assert.ok(read.value.headers['retry-after'], 'Retry-After on the 503');
    assert.ok(read.ms < PROMPT_MS, `read answered in ${read.ms} ms`);

    const ready = await timed(() => t.request({ method: 'GET', url: '/readyz' }));
    assert.equal(ready.value.statusCode, 503);
    assert.ok(ready.ms < PROMPT_MS, `/readyz answered in ${ready.ms} ms`);

    const status = await t.request({ method: 'GET', url: '/v1/features/status', headers: t.operator });
    assert.equal(status.statusCode, 503, status.body);
    assert.ok(status.headers['retry-after']);

    // The catalog keeps working on its own database; the change waits in the outbox.
    const put = await t.request({
      method: 'PUT',
      url: '/v1/items/during-outage',
      headers: shop,
      payload: { title: 'Made while NATS was down' },
    });
    assert.equal(put.statusCode, 201, put.body);

    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await nats.start();

    await eventually(
      async () => (await t.request({ method: 'GET', url: '/readyz' })).statusCode === 200,
      'ready again',
    );
    const resent = await send([fresh('after-1', 'u-after')]);
    assert.equal(resent.statusCode, 202, resent.body);
    await eventually(async () => (await online('u-after')) === 'PRESENT', 'features after the outage');

    const relayed: string[] = [];
    const consumer = await t.stream.consume(
      'outage-relay-check',
      'catalog.outage',
      async (batch: readonly StreamMessage[]) => {
        relayed.push(...batch.map((m) => m.json<{ itemId: string }>().itemId));
      },
    );
    try {
      await eventually(() => relayed.includes('during-outage'), 'the outage-time catalog change relayed');
    } finally {
      await consumer.stop();
    }
    // Every poller, probe and 503 of the outage says so once (it lasted less than the report interval), at warn.
    const lines = new Map<string, number>();
    for (const l of logs) lines.set(l.msg, (lines.get(l.msg) ?? 0) + 1);
    assert.deepEqual(
      [...lines].filter(([, n]) => n > 1),
      [],
      'a message repeated during one outage',
    );
    assert.deepEqual(
      logs.filter((l) => l.level >= 50).map((l) => l.msg),
      [],
    );
    assert.ok(lines.get('readiness check failed'), [...lines.keys()].join('; '));

    const replay = await t.request({ method: 'GET', url: '/v1/events?after=0', headers: shop });
    assert.equal(replay.statusCode, 200);
    assert.deepEqual(
      replay.json().events.map((e: { event: { id: string } }) => e.event.id),
      ['before-1', 'after-1'],
    );
  });
});

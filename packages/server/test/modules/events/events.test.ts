// Event ingestion through HTTP on every setup: 202 counts, per-index validation, duplicates, bad input, metrics.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVENT_SETUPS, type EventsApp, event, replayAll, startEventsApp } from './testing.ts';

for (const setup of EVENT_SETUPS) {
  describe(`events ingestion on ${setup.name}`, () => {
    let t: EventsApp;
    let shop: { id: string; headers: Record<string, string> };
    before(async () => {
      t = await startEventsApp(setup);
      shop = await t.tenant('shop');
    });
    after(() => t.close());

    const send = (events: unknown[], headers = shop.headers) =>
      t.request({ method: 'POST', url: '/v1/events', headers, payload: { events } });

    test('a valid batch answers 202 and every event can be read back, in order, with receivedAt', async () => {
      const batch = [
        event('e-1'),
        event('e-2', { type: 'purchase', quantity: 2, value: 19.9, sessionId: 's-1' }),
        event('e-3', { type: 'search', itemId: undefined, query: 'brass lamp', recommendationId: 'r-9' }),
        event('e-4', { type: 'custom:wishlist', itemId: undefined, properties: { list: 'xmas', n: 1 } }),
      ];
      const res = await send(batch);
      assert.equal(res.statusCode, 202, res.body);
      assert.deepEqual(res.json(), { accepted: 4, duplicates: 0, rejected: 0, errors: [] });
      const stored = await replayAll(t, shop.headers);
      assert.deepEqual(
        stored.map((s) => s.event.id),
        ['e-1', 'e-2', 'e-3', 'e-4'],
      );
      const positions = stored.map((s) => s.position);
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
      );
      const { receivedAt, ...purchase } = stored[1].event;
      assert.deepEqual(purchase, batch[1]);
      assert.ok(!Number.isNaN(Date.parse(String(receivedAt))));
    });

    test('invalid events are reported by index while the valid ones are kept', async () => {
      const res = await send([
        event('v-1'),
        event('v-2', { itemId: undefined }),
        event('v-3', { type: 'search', itemId: undefined }),
        event('v-4', { colour: 'red' }),
        'not an object',
        { ...event('v-6'), type: 'hover', timestamp: 'yesterday' },
        event('v-7', { type: 'search', query: 'oak desk' }),
      ]);
      assert.equal(res.statusCode, 202, res.body);
      const body = res.json();
      assert.deepEqual([body.accepted, body.duplicates, body.rejected], [2, 0, 5]);
      assert.deepEqual(
        body.errors.map((e: { index: number; id: string | null }) => [e.index, e.id]),
        [
          [1, 'v-2'],
          [2, 'v-3'],
          [3, 'v-4'],
          [4, null],
          [5, 'v-6'],
        ],
      );
      assert.deepEqual(body.errors[0].errors, [
        { path: '/itemId', message: "is required for 'view' events" },
      ]);
      assert.deepEqual(body.errors[1].errors, [
        { path: '/query', message: "is required for 'search' events" },
      ]);
      assert.deepEqual(body.errors[2].errors, [{ path: '/colour', message: 'is not a known field' }]);
      assert.deepEqual(
        body.errors[4].errors.map((e: { path: string }) => e.path),
        ['/type', '/timestamp'],
      );
      const ids = (await replayAll(t, shop.headers)).map((s) => s.event.id);
      assert.ok(ids.includes('v-1') && ids.includes('v-7'));
      assert.ok(!ids.some((id) => ['v-2', 'v-3', 'v-4', 'v-6'].includes(String(id))));
    });

    test('a batch with no valid event is a 400 naming each problem as /events/<index>/<field>', async () => {
      const res = await send([event('x-1', { itemId: undefined }), event('x-2', { extra: 1 })]);
      assert.equal(res.statusCode, 400);
      const problem = res.json();
      assert.equal(problem.code, 'validation_failed');
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.deepEqual(problem.errors, [
        { path: '/events/0/itemId', message: "is required for 'view' events" },
        { path: '/events/1/extra', message: 'is not a known field' },
      ]);
      const ids = (await replayAll(t, shop.headers)).map((s) => s.event.id);
      assert.ok(!ids.includes('x-1'));
    });

    test('duplicates are accepted and counted once: within a batch, across calls, and in parallel', async () => {
      const first = await send([event('d-1'), event('d-2'), event('d-1', { itemId: 'SKU-other' })]);
      assert.deepEqual(first.json(), { accepted: 2, duplicates: 1, rejected: 0, errors: [] });
      const again = await send([event('d-2'), event('d-3')]);
      assert.equal(again.statusCode, 202);
      assert.deepEqual(again.json(), { accepted: 1, duplicates: 1, rejected: 0, errors: [] });
      const parallel = Array.from({ length: 20 }, (_, i) => event(`p-${i}`));
      const answers = await Promise.all(Array.from({ length: 4 }, () => send(parallel)));
      assert.ok(answers.every((a) => a.statusCode === 202));
      const accepted = answers.reduce((n, a) => n + a.json().accepted, 0);
      const duplicates = answers.reduce((n, a) => n + a.json().duplicates, 0);
      assert.deepEqual([accepted, duplicates], [20, 60]);
      const ids = (await replayAll(t, shop.headers)).map((s) => String(s.event.id));
      for (const id of ['d-1', 'd-2', 'd-3', ...parallel.map((p) => p.id)])
        assert.equal(ids.filter((x) => x === id).length, 1, `${id} is stored once`);
      const d1 = (await replayAll(t, shop.headers)).find((s) => s.event.id === 'd-1')!;
      assert.equal(d1.event.itemId, 'SKU-1', 'the first version of a repeated id is kept');
    });

    test('bad input: malformed JSON, empty or >1,000 events, unknown top-level fields', async () => {
      const malformed = await t.request({
        method: 'POST',
        url: '/v1/events',
        headers: { ...shop.headers, 'content-type': 'application/json' },
        payload: '{"events": [',
      });
      assert.equal(malformed.statusCode, 400);
      assert.equal(malformed.json().code, 'malformed_json');
      const many = await send(Array.from({ length: 1001 }, (_, i) => event(`m-${i}`)));
      assert.equal(many.statusCode, 400);
      assert.equal(many.json().errors[0].path, '/events');
      assert.equal((await send([])).statusCode, 400);
      const extra = await t.request({
        method: 'POST',
        url: '/v1/events',
        headers: shop.headers,
        payload: { events: [event('t-1')], dryRun: true },
      });
      assert.equal(extra.statusCode, 400);
      assert.equal(extra.json().errors[0].path, '/dryRun');
      const ids = (await replayAll(t, shop.headers)).map((s) => s.event.id);
      assert.ok(!ids.includes('m-0') && !ids.includes('t-1'));
    });

    test('a key without events:write gets 403 on both routes; no key is 401', async () => {
      const reader = await t.tenant('reader', ['catalog:read']);
      const writer = await t.tenant('writer', ['events:write']);
      assert.equal((await send([event('s-1')], reader.headers)).statusCode, 403);
      const read = await t.request({ method: 'GET', url: '/v1/events', headers: reader.headers });
      assert.equal(read.statusCode, 403);
      assert.equal(read.json().code, 'forbidden');
      assert.equal((await send([event('s-1')], {})).statusCode, 401);
      assert.equal((await send([event('s-1')], writer.headers)).statusCode, 202);
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/events', headers: writer.headers })).statusCode,
        200,
      );
    });

    test('metrics count events by tenant and outcome, and time ingestion', async () => {
      const text = (await t.request({ method: 'GET', url: '/metrics', headers: t.operator })).body;
      const metric = (outcome: string) =>
        Number(
          new RegExp(`quiver_events_total\\{tenant="${shop.id}",outcome="${outcome}"\\} (\\d+)`).exec(
            text,
          )?.[1],
        );
      // Accepted so far: 4 + 2 + 2 + 1 + 20; rejected: 5 + 2; duplicates: 1 + 1 + 60.
      assert.deepEqual([metric('accepted'), metric('rejected'), metric('duplicate')], [29, 7, 62]);
      assert.match(text, /quiver_events_ingest_seconds_count \d+/);
    });
  });
}

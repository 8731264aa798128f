// Events after a restart, replay paging, tenant isolation and a crash between publish and record, on every
// setup (SQL log on SQLite and PostgreSQL, NATS JetStream).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { connect } from 'nats';
import { eventsTopic } from '../../../src/modules/events/topic.ts';
import { TEST_NATS_URL } from '../../adapters/stream/testing.ts';
import { EVENT_SETUPS, type EventsApp, event, replayAll, startEventsApp } from './testing.ts';

for (const setup of EVENT_SETUPS) {
  describe(`events durability on ${setup.name}`, () => {
    let t: EventsApp;
    let a: { id: string; headers: Record<string, string> };
    let b: { id: string; headers: Record<string, string> };
    before(async () => {
      t = await startEventsApp(setup);
      a = await t.tenant('shop-a');
      b = await t.tenant('shop-b');
    });
    after(() => t.close());

    const send = (events: unknown[], headers: Record<string, string>) =>
      t.request({ method: 'POST', url: '/v1/events', headers, payload: { events } });
    const ids = async (headers: Record<string, string>) =>
      (await replayAll(t, headers)).map((s) => String(s.event.id));

    test('an empty log reads as an empty page at the given position', async () => {
      const res = await t.request({ method: 'GET', url: '/v1/events?after=0', headers: b.headers });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { events: [], lastPosition: 0 });
    });

    test('replay pages through the events in order; reading past the end answers the same position', async () => {
      const batch = Array.from({ length: 25 }, (_, i) => event(`page-${String(i).padStart(2, '0')}`));
      assert.equal((await send(batch, a.headers)).json().accepted, 25);
      const pages: string[][] = [];
      let position = 0;
      for (;;) {
        const res = await t.request({
          method: 'GET',
          url: `/v1/events?after=${position}&limit=10`,
          headers: a.headers,
        });
        const page = res.json();
        if (page.events.length === 0) {
          assert.equal(page.lastPosition, position);
          break;
        }
        pages.push(page.events.map((e: { event: { id: string } }) => e.event.id));
        position = page.lastPosition;
      }
      assert.deepEqual(
        pages.map((p) => p.length),
        [10, 10, 5],
      );
      assert.deepEqual(
        pages.flat(),
        batch.map((e) => e.id),
      );
      const bad = await t.request({ method: 'GET', url: '/v1/events?after=-1', headers: a.headers });
      assert.equal(bad.statusCode, 400);
    });

    test('tenants are isolated: the same event id in two tenants is two events, each seen only by its own', async () => {
      await send([event('shared-1', { userId: 'alice' })], a.headers);
      const res = await send([event('shared-1', { userId: 'bob' }), event('b-only')], b.headers);
      assert.deepEqual(res.json(), { accepted: 2, duplicates: 0, rejected: 0, errors: [] });
      const seenByA = await replayAll(t, a.headers);
      const seenByB = await replayAll(t, b.headers);
      assert.equal(seenByA.find((s) => s.event.id === 'shared-1')?.event.userId, 'alice');
      assert.equal(seenByB.find((s) => s.event.id === 'shared-1')?.event.userId, 'bob');
      assert.deepEqual(
        seenByB.map((s) => s.event.id),
        ['shared-1', 'b-only'],
      );
      assert.ok(!seenByA.some((s) => s.event.id === 'b-only'));
    });

    test('a crash after publishing but before recording loses nothing and counts the event once', async () => {
      // What a crashed request leaves behind: the event on the stream, its id not on record.
      const stored = { ...event('crash-1'), receivedAt: new Date().toISOString() };
      await t.current().stream.publish(eventsTopic(a.id), [{ key: stored.id, data: stored }]);
      const retry = await send([event('crash-1'), event('crash-2')], a.headers);
      assert.deepEqual(retry.json(), { accepted: 2, duplicates: 0, rejected: 0, errors: [] });
      const again = await send([event('crash-1')], a.headers);
      assert.deepEqual(again.json(), { accepted: 0, duplicates: 1, rejected: 0, errors: [] });
      const seen = await ids(a.headers);
      assert.equal(seen.filter((id) => id === 'crash-1').length, 1);
      assert.equal(seen.filter((id) => id === 'crash-2').length, 1);
    });

    test('after a restart on the same database and stream, events are there and still count once', async () => {
      const beforeA = await ids(a.headers);
      const beforeB = await ids(b.headers);
      await send([event('r-1'), event('r-2')], a.headers);
      await t.restart();
      assert.deepEqual(await ids(a.headers), [...beforeA, 'r-1', 'r-2']);
      assert.deepEqual(await ids(b.headers), beforeB);
      const res = await send([event('r-1'), event('r-2'), event('r-3'), event('page-00')], a.headers);
      assert.equal(res.statusCode, 202);
      assert.deepEqual(res.json(), { accepted: 1, duplicates: 3, rejected: 0, errors: [] });
      assert.deepEqual(await ids(a.headers), [...beforeA, 'r-1', 'r-2', 'r-3']);
    });
  });
}

/** Short enough to outwait in a test; JetStream's default is 2 minutes. */
const TINY_DUPLICATE_WINDOW_MS = 300;

for (const setup of EVENT_SETUPS) {
  describe(`events published but not recorded, retried after the duplicate window, on ${setup.name}`, () => {
    const run = randomBytes(4).toString('hex');
    const streamName = `QUIVER_DEDUP_${run}`;
    let t: EventsApp;
    before(async () => {
      // NATS: a private stream whose duplicate window passes in the test (the SQL log has no window).
      const streamUrl = setup.overrides.streamUrl
        ? `${TEST_NATS_URL}?stream=${streamName}&subjects=quiverdedup${run}&duplicateWindowMs=${TINY_DUPLICATE_WINDOW_MS}`
        : undefined;
      t = await startEventsApp({ ...setup, overrides: streamUrl ? { streamUrl } : {} });
    });
    after(async () => {
      await t.close();
      if (!setup.overrides.streamUrl) return;
      const nc = await connect({ servers: TEST_NATS_URL });
      await (await nc.jetstreamManager()).streams.delete(streamName).catch(() => false);
      await nc.close();
    });

    test('the retry is accepted once and the event log reads it once', async () => {
      const a = await t.tenant('late');
      const send = (events: unknown[]) =>
        t.request({ method: 'POST', url: '/v1/events', headers: a.headers, payload: { events } });
      // What a request that crashed between publish and record leaves: the event on the stream, no record.
      const stored = { ...event('late-1'), receivedAt: new Date().toISOString() };
      await t.current().stream.publish(eventsTopic(a.id), [{ key: stored.id, data: stored }]);
      await new Promise((r) => setTimeout(r, TINY_DUPLICATE_WINDOW_MS * 3));
      const retry = await send([event('late-1'), event('late-2')]);
      assert.deepEqual(retry.json(), { accepted: 2, duplicates: 0, rejected: 0, errors: [] });
      assert.deepEqual((await send([event('late-1')])).json(), {
        accepted: 0,
        duplicates: 1,
        rejected: 0,
        errors: [],
      });
      const seen = (await replayAll(t, a.headers)).map((s) => String(s.event.id));
      assert.deepEqual(seen, ['late-1', 'late-2']);
      // Page by page too: a page the duplicate fell out of still moves on.
      const paged = (await replayAll(t, a.headers, 1)).map((s) => String(s.event.id));
      assert.deepEqual(paged, ['late-1', 'late-2']);
    });
  });
}

// The session tracker across a KV loss, on every stream kind (the SQL log on SQLite and PostgreSQL, NATS
// JetStream) with the in-process KV: a tracker starting on a store without its marker (a restarted in-process
// store, Redis restarted empty) replays the log, writing only the last SESSION_TTL_MS of it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryKv } from '../../../src/adapters/kv/index.ts';
import { systemClock } from '../../../src/kernel/index.ts';
import { eventsTopic } from '../../../src/modules/events/index.ts';
import { createSessionTracker, SESSION_TTL_MS } from '../../../src/modules/recommend/sessions.ts';
import { eventually, STREAM_KINDS, unique } from '../../adapters/stream/testing.ts';

for (const kind of STREAM_KINDS) {
  describe(`session tracker (${kind.name})`, () => {
    test('a tracker starting on an emptied KV rebuilds the sessions from the last 30 minutes of the log', async () => {
      const store = await kind.create();
      const kvs: MemoryKv[] = [];
      try {
        const stream = await store.open();
        const tenant = `t${unique()}`;
        const namespace = `ns-${unique()}`;
        const errors: unknown[] = [];
        const view = (id: string, itemId: string, agoMs: number) => ({
          key: id,
          data: {
            id,
            type: 'view',
            userId: 'u1',
            sessionId: 's1',
            itemId,
            timestamp: new Date(Date.now() - agoMs).toISOString(),
          },
        });
        const start = async () => {
          const kv = new MemoryKv();
          kvs.push(kv);
          const tracker = createSessionTracker(
            { stream, kv, clock: systemClock, onError: (e) => errors.push(e) },
            { namespace },
          );
          await tracker.start();
          return tracker;
        };
        await stream.publish(eventsTopic(tenant), [
          view('e1', 'expired', SESSION_TTL_MS + 60_000),
          view('e2', 'a', 60_000),
          view('e3', 'b', 1_000),
        ]);
        const first = await start();
        await eventually(async () => (await first.recent(tenant, 's1')).length === 2, 'the session tracked');
        assert.deepEqual(await first.recent(tenant, 's1'), ['b', 'a']);
        await first.stop();

        // A new, empty store under the same consumer (its stream position is past every event).
        const second = await start();
        await stream.publish(eventsTopic(tenant), [view('e4', 'c', 0)]);
        await eventually(
          async () => (await second.recent(tenant, 's1')).includes('c'),
          'the new event tracked',
        );
        assert.deepEqual(
          await second.recent(tenant, 's1'),
          ['c', 'b', 'a'],
          'rebuilt, the expired one left out',
        );
        await second.stop();
        assert.deepEqual(errors, []);
      } finally {
        for (const kv of kvs) await kv.close();
        await store.cleanup();
      }
    });
  });
}

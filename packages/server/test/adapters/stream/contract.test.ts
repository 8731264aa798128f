// The stream port's contract: the SQL log (SQLite, PostgreSQL) and NATS JetStream pass the same suite.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Stream } from '../../../src/adapters/stream/index.ts';
import { eventually, record, STREAM_KINDS, unique } from './testing.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const texts = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ data: bytes(`${tag}-${i}`) }));
const text = (data: Uint8Array) => new TextDecoder().decode(data);

for (const kind of STREAM_KINDS) {
  describe(`stream port on ${kind.name}`, () => {
    let store: Awaited<ReturnType<typeof kind.create>>;
    let stream: Stream;

    before(async () => {
      store = await kind.create();
      stream = await store.open();
    });
    after(async () => {
      await store.cleanup();
    });

    test('ping resolves while the stream can take writes', async () => {
      await stream.ping();
    });

    test('publish then consume: every message once, in order, with positions, keys and JSON', async () => {
      const topic = `events.t${unique()}`;
      const first = await stream.publish(topic, [{ data: { n: 1 } }, { key: 'k2', data: bytes('two') }]);
      const second = await stream.publish(topic, [{ data: { n: 3 } }]);
      const positions = [...first, ...second];
      assert.deepEqual(
        [...positions].sort((a, b) => a - b),
        positions,
      );
      assert.equal(new Set(positions).size, 3);

      const r = await record(stream, `c${unique()}`, topic);
      await eventually(() => r.seen.length >= 3, 'three messages');
      await r.consumer.stop();
      assert.deepEqual(
        r.seen.map((m) => m.position),
        positions,
      );
      assert.deepEqual(r.seen[0].json(), { n: 1 });
      assert.equal(text(r.seen[1].data), 'two');
      assert.equal(r.seen[1].key, 'k2');
      assert.equal(r.seen[0].key, undefined);
      assert.equal(r.seen[2].topic, topic);
      assert.ok(r.seen.every((m) => Number.isFinite(m.timestamp) && m.timestamp > 0));
    });

    test('a consumer stores its position and reports its lag', async () => {
      const topic = `events.t${unique()}`;
      const name = `c${unique()}`;
      const positions = await stream.publish(topic, texts(5, 'a'));
      const r = await record(stream, name, topic, { batchSize: 2 });
      await eventually(() => r.seen.length === 5, 'five messages');
      await r.consumer.stop();
      assert.ok((await stream.position(name)) >= positions[4]);
      assert.equal(await stream.lag(name), 0);

      const more = await stream.publish(topic, texts(3, 'b'));
      assert.equal(await stream.lag(name), 3);
      assert.ok((await stream.position(name)) < more[0]);
    });

    test('a consumer of a quiet topic gets every message of it among floods of other topics', async () => {
      const quiet = `events.q${unique()}`;
      const busy = `catalog.b${unique()}`;
      const r = await record(stream, `c${unique()}`, quiet);
      const expected: number[] = [];
      // Each round floods another topic, then publishes one quiet message: whatever position the consumer
      // skipped to over the flood, no quiet message is passed over.
      for (let round = 0; round < 5; round++) {
        await stream.publish(busy, texts(200, `b${round}`));
        // Time for the consumer to poll past the flood before the quiet message comes.
        await new Promise((resolve) => setTimeout(resolve, 30));
        expected.push(...(await stream.publish(quiet, texts(1, `q${round}`))));
      }
      await eventually(() => r.seen.length >= expected.length, 'every quiet message');
      await r.consumer.stop();
      assert.deepEqual(
        r.seen.map((m) => m.position),
        expected,
      );
    });

    test('a new instance resumes a stopped consumer where it left off, losing nothing', async () => {
      const topic = `events.t${unique()}`;
      const name = `c${unique()}`;
      const positions = await stream.publish(topic, texts(20, 'm'));
      const firstInstance = await store.open();
      // Handles two batches of five, then refuses the third until stopped.
      const r1 = await record(firstInstance, name, topic, {
        batchSize: 5,
        before: (batch) => {
          if (batch[0].position >= positions[10]) throw new Error('not now');
        },
      });
      await eventually(() => r1.seen.length === 10, 'ten handled');
      await firstInstance.close();
      assert.equal(await stream.lag(name), 10);

      const secondInstance = await store.open();
      const r2 = await record(secondInstance, name, topic, { batchSize: 5 });
      await eventually(() => r2.seen.length >= 10, 'the other ten');
      await r2.consumer.stop();
      // A clean stop records what was handled, so nothing repeats; after a crash the batch in flight could.
      assert.deepEqual(
        [...r1.seen, ...r2.seen].map((m) => m.position),
        positions,
      );
      assert.equal(await secondInstance.lag(name), 0);
    });

    test('a handler that throws gets the same batch again, never skipping it', async () => {
      const topic = `events.t${unique()}`;
      const positions = await stream.publish(topic, texts(6, 'r'));
      const failedWith: number[][] = [];
      const errors: unknown[] = [];
      const r = await record(stream, `c${unique()}`, topic, {
        batchSize: 3,
        onError: (e) => errors.push(e),
        before: (batch) => {
          if (batch[0].position === positions[3] && failedWith.length < 2) {
            failedWith.push(batch.map((m) => m.position));
            throw new Error('transient');
          }
        },
      });
      await eventually(() => r.seen.length === 6, 'six messages');
      await r.consumer.stop();
      assert.deepEqual(
        r.seen.map((m) => m.position),
        positions,
      );
      assert.deepEqual(failedWith, [positions.slice(3), positions.slice(3)]);
      assert.equal(errors.length, 2);
    });

    test('seek replays from a position, on a running or a stopped consumer', async () => {
      const topic = `events.t${unique()}`;
      const name = `c${unique()}`;
      const positions = await stream.publish(topic, texts(8, 's'));
      const r = await record(stream, name, topic);
      await eventually(() => r.seen.length === 8, 'eight messages');

      await stream.seek(name, positions[5]);
      await eventually(() => r.seen.length === 11, 'three replayed');
      assert.deepEqual(
        r.seen.slice(8).map((m) => m.position),
        positions.slice(5),
      );

      await r.consumer.stop();
      await stream.seek(name, positions[2]);
      assert.equal(await stream.position(name), positions[2] - 1);
      assert.equal(await stream.lag(name), 6);
      const again = await record(stream, name, topic);
      await eventually(() => again.seen.length === 6, 'six replayed');
      await again.consumer.stop();
      assert.deepEqual(
        again.seen.map((m) => m.position),
        positions.slice(2),
      );
    });

    test('a new consumer may start at a position', async () => {
      const topic = `events.t${unique()}`;
      const positions = await stream.publish(topic, texts(4, 'f'));
      const r = await record(stream, `c${unique()}`, topic, { fromPosition: positions[2] });
      await eventually(() => r.seen.length === 2, 'two messages');
      await r.consumer.stop();
      assert.deepEqual(
        r.seen.map((m) => m.position),
        positions.slice(2),
      );
    });

    test("a tenant's consumer never sees another tenant's messages", async () => {
      const family = `events${unique()}`;
      const [a, b] = [`${family}.tenantA`, `${family}.tenantB`];
      const expectA: number[] = [];
      for (let i = 0; i < 3; i++) {
        expectA.push(...(await stream.publish(a, [{ data: { tenant: 'A', i } }])));
        await stream.publish(b, [{ data: { tenant: 'B', i } }]);
      }
      const ofA = await record(stream, `c${unique()}`, a);
      const ofAll = await record(stream, `c${unique()}`, `${family}.>`);
      await eventually(() => ofA.seen.length === 3 && ofAll.seen.length === 6, 'all messages');
      await ofA.consumer.stop();
      await ofAll.consumer.stop();
      assert.deepEqual(
        ofA.seen.map((m) => m.position),
        expectA,
      );
      assert.ok(ofA.seen.every((m) => m.topic === a && m.json<{ tenant: string }>().tenant === 'A'));
      assert.deepEqual(new Set(ofAll.seen.map((m) => m.topic)), new Set([a, b]));

      await stream.publish(b, texts(2, 'b'));
      assert.equal(await stream.lag(ofA.consumer.name), 0);
      assert.equal(await stream.lag(ofAll.consumer.name), 2);
    });

    test('a repeated key in a topic is stored once and answers with the original position', async () => {
      const topic = `events.t${unique()}`;
      const other = `events.t${unique()}`;
      const first = await stream.publish(topic, [
        { key: 'k1', data: bytes('1') },
        { key: 'k2', data: bytes('2') },
        { key: 'k1', data: bytes('1 again') },
      ]);
      const second = await stream.publish(topic, [
        { key: 'k1', data: bytes('1 later') },
        { key: 'k3', data: bytes('3') },
      ]);
      const elsewhere = await stream.publish(other, [{ key: 'k1', data: bytes('other topic') }]);
      assert.equal(first[2], first[0]);
      assert.equal(second[0], first[0]);
      assert.notEqual(elsewhere[0], first[0]);

      const r = await record(stream, `c${unique()}`, topic);
      await eventually(() => r.seen.length >= 3, 'three messages');
      await r.consumer.stop();
      assert.deepEqual(
        r.seen.map((m) => [m.key, text(m.data)]),
        [
          ['k1', '1'],
          ['k2', '2'],
          ['k3', '3'],
        ],
      );
    });

    test('misuse is refused with error codes', async () => {
      const topic = `events.t${unique()}`;
      const name = `c${unique()}`;
      await assert.rejects(stream.publish('bad topic', texts(1, 'x')), { code: 'validation_failed' });
      await assert.rejects(stream.lag(`missing${unique()}`), { code: 'not_found' });
      await assert.rejects(stream.seek(`missing${unique()}`, 1), { code: 'not_found' });
      const r = await record(stream, name, topic);
      await assert.rejects(record(stream, name, topic), { code: 'conflict' });
      await r.consumer.stop();
      await assert.rejects(record(stream, name, `${topic}x`), { code: 'conflict' });
      assert.deepEqual(await stream.publish(topic, []), []);
    });
  });
}

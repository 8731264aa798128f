// JetStream opened with NATS down: calls fail at once with `unavailable`, and closing stops the retries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStream } from '../../../src/adapters/stream/index.ts';
import { freePort } from '../../support/private-process.ts';

test('opened with nothing listening: not open, calls answer unavailable at once, close ends the retries', async () => {
  const port = await freePort();
  const attempts: number[] = [];
  const stream = await openStream(
    `nats://127.0.0.1:${port}`,
    { db: undefined as never },
    { jetstream: { onOpenError: (_, n) => attempts.push(n) } },
  );
  assert.equal(stream.isOpen(), false);
  for (const call of [
    () => stream.publish('events.t', [{ data: {} }]),
    () => stream.ping(),
    () => stream.lag('c'),
  ])
    await assert.rejects(call, (e: { code?: string }) => e.code === 'unavailable');
  assert.deepEqual(attempts, [1], 'the first failed attempt is reported');
  const opened = stream.whenOpen();
  const started = performance.now();
  await stream.close();
  assert.equal(await opened, false);
  assert.ok(performance.now() - started < 1_000, 'close does not wait out the backoff');
});

// A training run's event read leaves the event loop free: 100,000 events replayed from the embedded (SQLite)
// stream in pages, with the main thread's event-loop delay measured by monitorEventLoopDelay while the run
// starts. better-sqlite3 answers synchronously, so a read of resolved promises never lets a timer run unless
// the reader yields between pages (before: 3.4 s in one block on this machine).
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import type { SqlDatabase } from '../../../src/adapters/sql/index.ts';
import { openStream } from '../../../src/adapters/stream/index.ts';
import { QuiverError, systemClock } from '../../../src/kernel/index.ts';
import { createMetrics } from '../../../src/metrics/index.ts';
import { createEventsService, eventsTopic } from '../../../src/modules/events/index.ts';
import type { PublishDeps } from '../../../src/modules/training/publish.ts';
import { createTrainingService, type TrainingDeps } from '../../../src/modules/training/service.ts';
import { tenantsDb } from './db-testing.ts';
import { loggedEvent } from './testing.ts';

const EVENTS = 100_000;
const PUBLISH_BATCH = 5000;
/**
 * A bound on blocking, not on speed: one page's read (its stream COUNT grows with the log) took up to ~210 ms
 * on a loaded 2-core machine, while the unpaged read blocked for 4.8 s. Far from both, so load cannot flip it.
 */
const BLOCKED_MS = 1_000;

let db: SqlDatabase;
let cleanup: () => Promise<void>;
let stream: Awaited<ReturnType<typeof openStream>>;

before(async () => {
  ({ db, cleanup } = await tenantsDb(['shop']));
  stream = await openStream('', { db });
  // The bulk path: straight onto the events topic (replay shows events not on record, as after a crash).
  for (let i = 0; i < EVENTS; i += PUBLISH_BATCH)
    await stream.publish(
      eventsTopic('shop'),
      Array.from({ length: PUBLISH_BATCH }, (_, j) => loggedEvent(i + j, 5000, 20_000)),
    );
});
after(async () => {
  await stream.close();
  await db.close();
  await cleanup();
});

test('a run reading 100,000 events never blocks the event loop for long', async (t) => {
  const events = createEventsService({ db, stream, clock: systemClock, metrics: createMetrics() });
  let trained = 0;
  const training = createTrainingService(
    {
      db,
      events,
      clock: systemClock,
      registry: {} as TrainingDeps['registry'],
      routing: {} as PublishDeps['routing'],
    },
    {
      // Only the read is under test: the worker's math never ran on this thread.
      train: async (request) => {
        trained = request.interactions.length;
        throw new QuiverError('unprocessable', 'stopped after the read');
      },
    },
  );
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  // The monitor's first sample starts at its first timer turn: a block before that would go unseen.
  await new Promise((resolve) => setTimeout(resolve, 30));
  const started = performance.now();
  // Creating the run starts it; tickNow resolves when this replica has nothing left to run.
  const run = await training.createRun('shop', 'popularity', {});
  await training.tickNow();
  const readMs = performance.now() - started;
  // One more turn, so a block that lasted to the end is recorded when the monitor's timer finally runs.
  await new Promise((resolve) => setTimeout(resolve, 30));
  delay.disable();
  await training.close();
  const maxMs = delay.max / 1e6;
  t.diagnostic(
    `read ${trained} events in ${readMs.toFixed(0)} ms; event-loop delay max ${maxMs.toFixed(0)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms, mean ${(delay.mean / 1e6).toFixed(1)} ms, samples ${delay.count}, exceeds ${delay.exceeds}`,
  );
  assert.equal(trained, EVENTS);
  assert.equal((await training.getRun('shop', run.id)).data?.events, EVENTS);
  assert.ok(maxMs < BLOCKED_MS, `the event loop was blocked for ${maxMs.toFixed(0)} ms`);
});

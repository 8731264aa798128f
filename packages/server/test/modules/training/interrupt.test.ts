// Closing the training service during a run stops it (the worker thread is terminated, not waited for) and
// records the run as interrupted and queued again, so the next start runs it: SIGTERM drains promptly
// whatever is training.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SqlDatabase } from '../../../src/adapters/sql/index.ts';
import { openStream } from '../../../src/adapters/stream/index.ts';
import { QuiverError, systemClock } from '../../../src/kernel/index.ts';
import { createMetrics } from '../../../src/metrics/index.ts';
import { createEventsService, eventsTopic } from '../../../src/modules/events/index.ts';
import type { PublishDeps } from '../../../src/modules/training/publish.ts';
import { trainInWorker } from '../../../src/modules/training/runner.ts';
import { createTrainingService, type TrainingDeps } from '../../../src/modules/training/service.ts';
import { tenantsDb } from './db-testing.ts';
import { loggedEvent } from './testing.ts';

const EVENTS = 20_000;
/** ALS at its largest: minutes of work on this data, so the run is surely still training when closed. */
const HEAVY_ALS = { factors: 256, iterations: 100 };

let db: SqlDatabase;
let cleanup: () => Promise<void>;
let stream: Awaited<ReturnType<typeof openStream>>;
let deps: TrainingDeps;

before(async () => {
  ({ db, cleanup } = await tenantsDb(['shop']));
  stream = await openStream('', { db });
  await stream.publish(
    eventsTopic('shop'),
    Array.from({ length: EVENTS }, (_, n) => loggedEvent(n, 2000, 2000)),
  );
  deps = {
    db,
    events: createEventsService({ db, stream, clock: systemClock, metrics: createMetrics() }),
    clock: systemClock,
    registry: {} as TrainingDeps['registry'],
    routing: {} as PublishDeps['routing'],
  };
});
after(async () => {
  await stream.close();
  await db.close();
  await cleanup();
});

test('close during a run terminates its worker, records it interrupted and queued, and the next start runs it', {
  timeout: 300_000,
}, async () => {
  let training!: () => void;
  const inWorker = new Promise<void>((resolve) => {
    training = resolve;
  });
  let outcome: unknown;
  const first = createTrainingService(deps, {
    tickMs: 3_600_000,
    // The worker's first progress message says it is inside the trainer.
    train: (request, onProgress, signal) => {
      const progress = (phase: string, fraction: number) => {
        training();
        onProgress(phase, fraction);
      };
      const running = trainInWorker(request, progress, signal);
      running.then(
        (r) => {
          outcome = r;
        },
        (e: unknown) => {
          outcome = e;
        },
      );
      return running;
    },
  });
  // Started as on a replica that trains (all-in-one or worker): a run created here starts at once.
  first.start();
  const run = await first.createRun('shop', 'als', { params: HEAVY_ALS });
  await inWorker;
  assert.equal((await first.getRun('shop', run.id)).status, 'running');
  await first.close();
  assert.ok(outcome instanceof Error && outcome.name === 'TrainingInterrupted', String(outcome));
  const interrupted = await first.getRun('shop', run.id);
  assert.equal(interrupted.status, 'queued');
  assert.match(interrupted.error ?? '', /interrupted by a shutdown/);
  assert.equal(interrupted.startedAt, null);

  // The next start claims it again (an inline trainer here: only the retry is under test).
  let retried = 0;
  const second = createTrainingService(deps, {
    tickMs: 3_600_000,
    train: async (request) => {
      retried = request.interactions.length;
      throw new QuiverError('unprocessable', 'stopped after the read');
    },
  });
  await second.tickNow();
  await second.close();
  const again = await second.getRun('shop', run.id);
  assert.equal(retried, EVENTS);
  assert.equal(again.status, 'failed');
  assert.equal(again.error, 'stopped after the read');
  assert.equal(again.data?.events, EVENTS);
});

// The batcher on its own (no workers): whatever rows a request has, every request makes progress and the
// event loop stays free.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock } from '../../../src/kernel/clock.ts';
import { createBatcher } from '../../../src/modules/engine/batcher.ts';
import { noopObserver } from '../../../src/modules/engine/observer.ts';
import { resolveBatching } from '../../../src/modules/engine/options.ts';
import type { RunResult } from '../../../src/modules/engine/pool.ts';
import type { Tensor, Tensors } from '../../../src/modules/engine/types.ts';
import { ON_TIME_MS, timerLateness } from '../../support/event-loop.ts';

const f32 = (rows: number, width: number): Tensor => ({
  datatype: 'FP32',
  shape: [rows, width],
  data: new Float32Array(rows * width),
});

/** A batcher whose "model" echoes its input as `y`, recording the rows of each batch it runs. */
const echoBatcher = (batching: Parameters<typeof resolveBatching>[0], batchable = true) => {
  const batches: number[] = [];
  const run = async (feeds: Tensors): Promise<RunResult> => {
    batches.push(feeds.x.shape[0]);
    return {
      outputs: { y: feeds.x },
      computeMs: 0,
      startedAt: 0,
      worker: 0,
      receivedAt: 0,
      finishedAt: 0,
    } as RunResult;
  };
  const batcher = createBatcher(
    {
      run,
      concurrency: () => 1,
      clock: systemClock,
      observer: noopObserver,
      labels: { model: 'm', version: '1' },
    },
    { ...resolveBatching(batching), batchable },
  );
  return { batcher, batches };
};

describe('batcher', () => {
  for (const [name, batching, batchable] of [
    ['batching on', { maxBatchSize: 8, maxQueueDelayMs: 2 }, true],
    ['batching off', { maxBatchSize: 1 }, true],
    ['an unbatchable model', { maxBatchSize: 8 }, false],
  ] as const) {
    it(`requests with zero rows run and answer, and the event loop stays free (${name})`, async () => {
      const { batcher, batches } = echoBatcher(batching, batchable);
      const late = timerLateness(10);
      const zero = () => batcher.infer({ tenant: 't', inputs: { x: f32(0, 8) }, timeoutMs: 2_000 });
      // The two-row request goes first: the zero-row ones are then all that is left in the queue.
      const answers = await Promise.all([
        batcher.infer({ tenant: 'u', inputs: { x: f32(2, 8) }, timeoutMs: 2_000 }),
        zero(),
        zero(),
        zero(),
      ]);
      assert.deepEqual(
        answers.map((a) => a.outputs.y.shape),
        [
          [2, 8],
          [0, 8],
          [0, 8],
          [0, 8],
        ],
      );
      assert.ok((await late) < ON_TIME_MS, `a 10 ms timer fired ${await late} ms late`);
      assert.equal(
        batches.reduce((a, b) => a + b, 0),
        2,
      );
      assert.equal(batcher.depth, 0);
    });
  }

  it('a lone zero-row request on a batching model answers once its batch delay is over', async () => {
    const { batcher } = echoBatcher({ maxBatchSize: 8, maxQueueDelayMs: 1 });
    const late = timerLateness(10);
    const answer = await batcher.infer({ tenant: 't', inputs: { x: f32(0, 3) }, timeoutMs: 2_000 });
    assert.deepEqual(answer.outputs.y.shape, [0, 3]);
    assert.ok((await late) < ON_TIME_MS, `a 10 ms timer fired ${await late} ms late`);
  });
});

/** A finished batch echoing its input. */
const held = (feeds: Tensors): RunResult =>
  ({
    outputs: { y: feeds.x },
    computeMs: 0,
    startedAt: 0,
    worker: 0,
    receivedAt: 0,
    finishedAt: 0,
  }) as RunResult;

/** Two replicas whose batches finish only when the test says so: the rows of each batch as it starts. */
const heldBatcher = () => {
  const started: number[] = [];
  const finish: (() => void)[] = [];
  const run = (feeds: Tensors): Promise<RunResult> => {
    started.push(feeds.x.shape[0]);
    return new Promise((resolve) => finish.push(() => resolve(held(feeds))));
  };
  const batcher = createBatcher(
    {
      run,
      concurrency: () => 2,
      clock: systemClock,
      observer: noopObserver,
      labels: { model: 'm', version: '1' },
    },
    { ...resolveBatching({ maxBatchSize: 16 }), batchable: true },
  );
  const send = (n: number) =>
    Array.from({ length: n }, () =>
      batcher.infer({ tenant: 't', inputs: { x: f32(1, 2) }, timeoutMs: 60_000 }),
    );
  return { batcher, started, finish, send };
};

/** Lets the batcher's end-of-turn scheduling (setImmediate) and settled batches run. */
const turn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

describe('adaptive batching (two replicas, batches finished by hand)', () => {
  it('a lone request starts at once; while a batch runs, the next fills to its size before a free replica takes it', async () => {
    const { batcher, started, finish, send } = heldBatcher();
    const first = send(1);
    await turn();
    assert.deepEqual(started, [1], 'nothing running: the lone request goes at once');
    finish[0]();
    await Promise.all(first);

    // Nothing running: 6 requests of one turn are shared out over both free replicas.
    const six = send(6);
    await turn();
    assert.deepEqual(started, [1, 3, 3]);
    finish[1]();
    await turn();
    // One batch of 3 still runs and a replica is free: requests arriving one at a time wait for 3 rows.
    const trickle = [...send(1)];
    await turn();
    trickle.push(...send(1));
    await turn();
    assert.deepEqual(started, [1, 3, 3], 'two rows wait while a batch of three runs');
    assert.equal(batcher.depth, 2);
    trickle.push(...send(1));
    await turn();
    assert.deepEqual(started, [1, 3, 3, 3], 'the third row fills the batch and it starts');

    // Once no batch runs, whatever waits starts, however few.
    const late = send(1);
    finish[2]();
    await turn();
    assert.deepEqual(started, [1, 3, 3, 3], 'a batch of three still runs: one row waits');
    finish[3]();
    await turn();
    assert.deepEqual(started, [1, 3, 3, 3, 1]);
    finish[4]();
    await Promise.all([...six, ...trickle, ...late]);
    assert.equal(batcher.depth, 0);
  });

  it('without batching (maxBatchSize 1) a free replica never waits', async () => {
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const batcher = createBatcher(
      {
        run: (feeds) => {
          started.push(feeds.x.shape[0]);
          return new Promise((resolve) => finish.push(() => resolve(held(feeds))));
        },
        concurrency: () => 2,
        clock: systemClock,
        observer: noopObserver,
        labels: { model: 'm', version: '1' },
      },
      { ...resolveBatching({ maxBatchSize: 1 }), batchable: true },
    );
    const a = batcher.infer({ tenant: 't', inputs: { x: f32(1, 2) }, timeoutMs: 60_000 });
    await turn();
    const b = batcher.infer({ tenant: 't', inputs: { x: f32(1, 2) }, timeoutMs: 60_000 });
    await turn();
    assert.deepEqual(started, [1, 1]);
    for (const f of finish) f();
    await Promise.all([a, b]);
  });
});

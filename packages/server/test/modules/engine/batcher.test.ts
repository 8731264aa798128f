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

/** A finished batch echoing its input as `y`. */
const echo = (feeds: Tensors): RunResult => ({
  outputs: { y: feeds.x },
  computeMs: 0,
  startedAt: 0,
  worker: 0,
  receivedAt: 0,
  finishedAt: 0,
});

interface EchoOptions {
  batching?: Parameters<typeof resolveBatching>[0];
  batchable?: boolean;
  /** Batches that may run at once. */
  replicas?: number;
  /** When true, a batch finishes only when the test calls its `finish[i]()`; otherwise at once. */
  held?: boolean;
}

/**
 * A batcher whose "model" echoes its input: `started` has the rows of each batch as it starts; `send(n)` sends
 * n one-row requests.
 */
const echoBatcher = ({ batching = {}, batchable = true, replicas = 1, held = false }: EchoOptions) => {
  const started: number[] = [];
  const finish: (() => void)[] = [];
  const run = (feeds: Tensors): Promise<RunResult> => {
    started.push(feeds.x.shape[0]);
    if (!held) return Promise.resolve(echo(feeds));
    return new Promise((resolve) => finish.push(() => resolve(echo(feeds))));
  };
  const batcher = createBatcher(
    {
      run,
      concurrency: () => replicas,
      clock: systemClock,
      observer: noopObserver,
      labels: { model: 'm', version: '1' },
    },
    { ...resolveBatching(batching), batchable },
  );
  const send = (n: number) =>
    Array.from({ length: n }, () =>
      batcher.infer({ tenant: 't', inputs: { x: f32(1, 2) }, timeoutMs: 60_000 }),
    );
  return { batcher, started, finish, send };
};

describe('batcher', () => {
  for (const [name, batching, batchable] of [
    ['batching on', { maxBatchSize: 8, maxQueueDelayMs: 2 }, true],
    ['batching off', { maxBatchSize: 1 }, true],
    ['an unbatchable model', { maxBatchSize: 8 }, false],
  ] as const) {
    it(`requests with zero rows run and answer, and the event loop stays free (${name})`, async () => {
      const { batcher, started } = echoBatcher({ batching, batchable });
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
        started.reduce((a, b) => a + b, 0),
        2,
      );
      assert.equal(batcher.depth, 0);
    });
  }

  it('a lone zero-row request on a batching model answers once its batch delay is over', async () => {
    const { batcher } = echoBatcher({ batching: { maxBatchSize: 8, maxQueueDelayMs: 1 } });
    const late = timerLateness(10);
    const answer = await batcher.infer({ tenant: 't', inputs: { x: f32(0, 3) }, timeoutMs: 2_000 });
    assert.deepEqual(answer.outputs.y.shape, [0, 3]);
    assert.ok((await late) < ON_TIME_MS, `a 10 ms timer fired ${await late} ms late`);
  });
});

/** Lets the batcher's end-of-turn scheduling (setImmediate) and settled batches run. */
const turn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

describe('adaptive batching (two replicas, batches finished by hand)', () => {
  it('a lone request starts at once; while a batch runs, the next fills to its size before a free replica takes it', async () => {
    const { batcher, started, finish, send } = echoBatcher({
      batching: { maxBatchSize: 16 },
      replicas: 2,
      held: true,
    });
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
    const { started, finish, send } = echoBatcher({
      batching: { maxBatchSize: 1 },
      replicas: 2,
      held: true,
    });
    const a = send(1);
    await turn();
    const b = send(1);
    await turn();
    assert.deepEqual(started, [1, 1]);
    for (const f of finish) f();
    await Promise.all([...a, ...b]);
  });
});

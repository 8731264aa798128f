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

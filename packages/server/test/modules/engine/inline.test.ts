// Inline models (LoadOptions.execution 'inline'): the session runs on the calling thread, with answers
// bit-identical to the same model in the onnxruntime workers (the built-in linear ranker, a LambdaMART trees
// ranker and a generic linear layer, random rows, many batch sizes), the batcher's batching, metrics,
// deadlines and errors, and unload; and the engine's choice of execution by size and measured cost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isQuiverError } from '../../../src/kernel/errors.ts';
import { prng } from '../../../src/kernel/random.ts';
import {
  createInferenceEngine,
  DEFAULT_INLINE_POLICY,
  type InferenceEngine,
  type RequestEvent,
  type Tensor,
} from '../../../src/modules/engine/index.ts';
import { DEFAULT_RERANK, treeRankerGraph } from '../../../src/modules/search/index.ts';
import { linearRankerGraph } from '../../../src/modules/search/ranker-graph.ts';
import { fitLambdaMart, type TreeQuery } from '../../../src/modules/training/lambdamart.ts';
import { corruptArtifact, linearModel } from '../../support/onnx/index.ts';

const code = (c: string) => (e: unknown) => isQuiverError(e) && e.code === c;

/** A LambdaMART ensemble over 4 columns, fitted on random rows (its trees split on every column). */
const treesArtifact = (): Buffer => {
  const random = prng(5);
  const queries: TreeQuery[] = Array.from({ length: 20 }, () => {
    const features = new Float32Array(30 * 4).map(() => random());
    const gains = Float64Array.from({ length: 30 }, (_, r) => (features[r * 4] > 0.5 ? 2 : 0));
    return { features, gains, idOrder: Int32Array.from({ length: 30 }, (_, i) => i) };
  });
  return treeRankerGraph(
    fitLambdaMart(queries, 4, ['a', 'b', 'c', 'd'], { trees: 30, depth: 3, learningRate: 0.2, minLeaf: 3 }),
  );
};

const rows = (random: () => number, n: number, width: number): Tensor => ({
  datatype: 'FP32',
  shape: [n, width],
  // Features as rankers see them: shares in [0, 1], some exact 0 and 1, a few ties.
  data: Float32Array.from({ length: n * width }, () => {
    const x = random();
    return x < 0.1 ? 0 : x > 0.9 ? 1 : Math.round(random() * 1000) / 1000;
  }),
});

describe('inline models', () => {
  let engine: InferenceEngine;
  const events: RequestEvent[] = [];
  const models = {
    ranker: { artifact: linearRankerGraph(DEFAULT_RERANK.weights), width: 3, input: 'features' },
    trees: { artifact: treesArtifact(), width: 4, input: 'features' },
    linear: { artifact: linearModel({ inFeatures: 6, outFeatures: 3, seed: 4 }).bytes, width: 6, input: '' },
  };

  before(async () => {
    engine = createInferenceEngine({ observer: { onRequest: (e) => events.push(e) } }, { poolSize: 1 });
    for (const [name, m] of Object.entries(models)) {
      const inline = await engine.load(`${name}-inline`, m.artifact, { execution: 'inline' });
      const workers = await engine.load(`${name}-workers`, m.artifact, { execution: 'workers' });
      assert.equal(inline.execution, 'inline');
      assert.equal(workers.execution, 'workers');
      assert.deepEqual(inline.signature, workers.signature);
      m.input = inline.signature.inputs[0].name;
    }
  });
  after(() => engine.close());

  it('answers bit-identically to the same model in the workers, for many row counts', async () => {
    const random = prng(11);
    for (const [name, m] of Object.entries(models)) {
      for (const n of [1, 2, 3, 7, 64, 500, 550, 1000]) {
        const x = rows(random, n, m.width);
        const copy = { ...x, data: (x.data as Float32Array).slice() };
        const [a, b] = await Promise.all([
          engine.infer(`${name}-inline`, { tenant: 't', inputs: { [m.input]: x } }),
          engine.infer(`${name}-workers`, { tenant: 't', inputs: { [m.input]: copy } }),
        ]);
        const [out] = Object.keys(b.outputs);
        assert.deepEqual(a.outputs[out].shape, b.outputs[out].shape, `${name} × ${n}`);
        assert.deepEqual(
          Array.from(a.outputs[out].data as Float32Array),
          Array.from(b.outputs[out].data as Float32Array),
          `${name} × ${n}`,
        );
      }
    }
  });

  it('reports each request to the metrics hooks as a batch of its own, with no queue wait', async () => {
    events.length = 0;
    const x = rows(prng(3), 5, 3);
    const r = await engine.infer('ranker-inline', { tenant: 'acme', inputs: { features: x } });
    assert.equal(r.batchRows, 5);
    assert.equal(r.queueMs >= 0, true);
    assert.equal(events.length, 1);
    assert.equal(events[0].tenant, 'acme');
    assert.equal(events[0].rows, 5);
    assert.equal(events[0].batchRows, 5);
    assert.equal(events[0].outcome, 'ok');
    assert.ok(events[0].computeSeconds > 0);
  });

  it('runs the rows that arrive in one turn as one batch, each request getting its own rows', async () => {
    const batching = { maxBatchSize: 64 };
    await engine.load('batched', models.ranker.artifact, { execution: 'inline', batching });
    const inputs = [2, 3, 4].map((n, i) => rows(prng(20 + i), n, 3));
    const copy = (x: Tensor) => ({ features: { ...x, data: (x.data as Float32Array).slice() } });
    const together = await Promise.all(
      inputs.map((x, i) => engine.infer('batched', { tenant: `t${i}`, inputs: copy(x) })),
    );
    assert.deepEqual(
      together.map((r) => r.batchRows),
      [9, 9, 9],
    );
    for (const [i, x] of inputs.entries()) {
      const alone = await engine.infer('batched', { tenant: 't', inputs: copy(x) });
      assert.equal(alone.batchRows, x.shape[0]);
      assert.deepEqual(
        Array.from(together[i].outputs.scores.data as Float32Array),
        Array.from(alone.outputs.scores.data as Float32Array),
      );
    }
  });

  it('refuses what the workers refuse: a corrupt artifact, an expired deadline, wrong inputs at run time', async () => {
    await assert.rejects(
      engine.load('bad', corruptArtifact('unknown_op'), { execution: 'inline' }),
      code('unprocessable'),
    );
    assert.equal(engine.get('bad'), undefined);
    const x = rows(prng(4), 2, 3);
    await assert.rejects(
      engine.infer('ranker-inline', { tenant: 't', inputs: { features: x }, deadline: Date.now() - 1 }),
      code('deadline_exceeded'),
    );
  });

  it('unloads: requests already running finish, later ones are not_found', async () => {
    await engine.load('gone', models.ranker.artifact, { execution: 'inline' });
    const running = engine.infer('gone', { tenant: 't', inputs: { features: rows(prng(6), 4, 3) } });
    await engine.unload('gone');
    assert.equal((await running).outputs.scores.shape[0], 4);
    await assert.rejects(
      engine.infer('gone', { tenant: 't', inputs: { features: rows(prng(6), 4, 3) } }),
      code('not_found'),
    );
  });
});

describe('which models the engine runs inline', () => {
  const ranker = linearRankerGraph(DEFAULT_RERANK.weights);
  const linear = linearModel({ inFeatures: 6, outFeatures: 3, seed: 4 }).bytes;
  /** An engine whose probe reports `us` per full batch, and the keys it was asked to measure. */
  const measuredAt = (us: number, inline?: { maxBytes?: number; maxBatchUs?: number }) => {
    const measured: string[] = [];
    const engine = createInferenceEngine(
      {
        measureBatchUs: async (key) => {
          measured.push(key);
          return us;
        },
      },
      { poolSize: 1, inline },
    );
    return { engine, measured };
  };

  it('runs a small model inline when a full batch measures within the budget, else in the workers', async () => {
    const cheap = measuredAt(80, { maxBatchUs: 100 });
    const dear = measuredAt(120, { maxBatchUs: 100 });
    try {
      const a = await cheap.engine.load('m', ranker);
      const b = await dear.engine.load('m', ranker);
      assert.deepEqual([a.execution, a.measuredBatchUs], ['inline', 80]);
      assert.deepEqual([b.execution, b.measuredBatchUs], ['workers', 120]);
      assert.deepEqual([cheap.measured, dear.measured], [['m'], ['m']]);
      // Both answer, and alike.
      const x = rows(prng(8), 9, 3);
      const [ra, rb] = await Promise.all([
        cheap.engine.infer('m', { tenant: 't', inputs: { features: x } }),
        dear.engine.infer('m', { tenant: 't', inputs: { features: { ...x, data: x.data.slice() } } }),
      ]);
      assert.deepEqual(
        Array.from(ra.outputs.scores.data as Float32Array),
        Array.from(rb.outputs.scores.data as Float32Array),
      );
    } finally {
      await Promise.all([cheap.engine.close(), dear.engine.close()]);
    }
  });

  it('never measures, nor runs inline, an artifact above the size cap, even when asked', async () => {
    const { engine, measured } = measuredAt(1, { maxBytes: ranker.length - 1 });
    try {
      assert.equal((await engine.load('auto', ranker)).execution, 'workers');
      assert.equal((await engine.load('asked', ranker, { execution: 'inline' })).execution, 'workers');
      assert.deepEqual(measured, []);
    } finally {
      await engine.close();
    }
  });

  it('chooses nothing by measure when the budget is 0 (QUIVER_INFERENCE_INLINE_MAX_BATCH_US=0)', async () => {
    const { engine, measured } = measuredAt(0, { maxBatchUs: 0 });
    try {
      assert.equal((await engine.load('auto', ranker)).execution, 'workers');
      assert.equal((await engine.load('asked', ranker, { execution: 'inline' })).execution, 'inline');
      assert.deepEqual(measured, []);
    } finally {
      await engine.close();
    }
  });

  it('refuses a missing artifact path as before (unprocessable), without measuring', async () => {
    const { engine, measured } = measuredAt(1);
    try {
      await assert.rejects(engine.load('gone', '/nonexistent/model.onnx'), code('unprocessable'));
      assert.deepEqual(measured, []);
    } finally {
      await engine.close();
    }
  });

  it('follows an explicit execution both ways without measuring', async () => {
    const cheap = measuredAt(1);
    const dear = measuredAt(1e6);
    try {
      assert.equal((await cheap.engine.load('w', linear, { execution: 'workers' })).execution, 'workers');
      assert.equal((await dear.engine.load('i', linear, { execution: 'inline' })).execution, 'inline');
      assert.deepEqual([cheap.measured, dear.measured], [[], []]);
    } finally {
      await Promise.all([cheap.engine.close(), dear.engine.close()]);
    }
  });

  it('measures in a worker by default: a full batch of zeros, the choice following the figure', async () => {
    const engine = createInferenceEngine({}, { poolSize: 1 });
    try {
      const m = await engine.load('m', linear, { batching: { maxBatchSize: 16 } });
      assert.ok(
        m.measuredBatchUs !== undefined && m.measuredBatchUs > 0 && Number.isFinite(m.measuredBatchUs),
      );
      assert.equal(m.execution, m.measuredBatchUs <= DEFAULT_INLINE_POLICY.maxBatchUs ? 'inline' : 'workers');
      const r = await engine.infer('m', {
        tenant: 't',
        inputs: { [m.signature.inputs[0].name]: rows(prng(2), 3, 6) },
      });
      assert.equal(Object.values(r.outputs)[0].shape[0], 3);
    } finally {
      await engine.close();
    }
  });
});

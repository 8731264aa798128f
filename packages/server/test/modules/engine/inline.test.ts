// Inline models (LoadOptions.inline): the session runs on the calling thread, with answers bit-identical to the
// same model in the onnxruntime workers (the built-in linear ranker, a LambdaMART trees ranker and a generic
// linear layer, random rows, many batch sizes), the batcher's metrics, deadlines and errors, and unload.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isQuiverError } from '../../../src/kernel/errors.ts';
import { prng } from '../../../src/kernel/random.ts';
import {
  createInferenceEngine,
  type InferenceEngine,
  type RequestEvent,
  type Tensor,
} from '../../../src/modules/engine/index.ts';
import { INLINE_MAX_BYTES, runsInline } from '../../../src/modules/inference/manager.ts';
import { DEFAULT_RERANK, treeRankerGraph } from '../../../src/modules/search/index.ts';
import { linearRankerVersion } from '../../../src/modules/search/onnx-ranker.ts';
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
      const inline = await engine.load(`${name}-inline`, m.artifact, { inline: true });
      const workers = await engine.load(`${name}-workers`, m.artifact);
      assert.equal(inline.inline, true);
      assert.equal(workers.inline, false);
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

  it('refuses what the workers refuse: a corrupt artifact, an expired deadline, wrong inputs at run time', async () => {
    await assert.rejects(
      engine.load('bad', corruptArtifact('unknown_op'), { inline: true }),
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
    await engine.load('gone', models.ranker.artifact, { inline: true });
    const running = engine.infer('gone', { tenant: 't', inputs: { features: rows(prng(6), 4, 3) } });
    await engine.unload('gone');
    assert.equal((await running).outputs.scores.shape[0], 4);
    await assert.rejects(
      engine.infer('gone', { tenant: 't', inputs: { features: rows(prng(6), 4, 3) } }),
      code('not_found'),
    );
  });
});

describe('which versions run inline', () => {
  it('only those asking for it (search rankers do) and no larger than INLINE_MAX_BYTES', () => {
    assert.equal(runsInline({ size: 200, metadata: { execution: 'inline' } }), true);
    assert.equal(runsInline({ size: INLINE_MAX_BYTES, metadata: { execution: 'inline' } }), true);
    assert.equal(runsInline({ size: INLINE_MAX_BYTES + 1, metadata: { execution: 'inline' } }), false);
    assert.equal(runsInline({ size: 200, metadata: {} }), false);
    assert.equal(runsInline({ size: 200, metadata: { execution: 'workers' } }), false);
    const builtin = linearRankerVersion(DEFAULT_RERANK.weights, {
      framework: 'quiver-builtin',
      description: '',
    });
    assert.equal(runsInline({ size: builtin.artifact.length, metadata: builtin.metadata }), true);
  });
});

// LambdaMART for the search ranker: the trees learn an ordering a linear model cannot (judged items in a
// band of a feature), the ONNX TreeEnsembleRegressor export scores exactly as the TypeScript trees on random
// inputs in a real onnxruntime session (a linear part added by the graph within float32 rounding), a graph
// reads back to the same trees (the parameters are chosen on inner folds: ltr-trees.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { prng } from '../../../src/kernel/random.ts';
import { scoreTrees, treeRankerGraph, treesFromGraph } from '../../../src/modules/search/index.ts';
import { linearRankerGraph } from '../../../src/modules/search/ranker-graph.ts';
import {
  fitLambdaMart,
  type LambdaMartParams,
  meanNdcg,
  type TreeQuery,
} from '../../../src/modules/training/lambdamart.ts';

const WIDTH = 4;
const NAMES = ['a', 'b', 'c', 'd'];

/** Random queries whose relevant rows have feature 0 in [0.4, 0.6] and a high feature 1: not linear in f0. */
const queries = (n: number, seed: number): TreeQuery[] => {
  const random = prng(seed);
  return Array.from({ length: n }, () => {
    const rows = 40;
    const features = new Float32Array(rows * WIDTH);
    const gains = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < WIDTH; f++) features[r * WIDTH + f] = random();
      const x = features[r * WIDTH];
      gains[r] = x >= 0.4 && x <= 0.6 ? 1 + 2 * features[r * WIDTH + 1] : 0;
    }
    return { features, gains, idOrder: Int32Array.from({ length: rows }, (_, i) => i) };
  });
};
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('LambdaMART', () => {
  const params: LambdaMartParams = { trees: 40, depth: 3, learningRate: 0.2, minLeaf: 5 };
  const train = queries(40, 1);
  const test_ = queries(20, 2);

  test('learns a band of one feature that no linear ranker can', () => {
    const e = fitLambdaMart(train, WIDTH, NAMES, params);
    const rows = test_.reduce((s, q) => s + q.gains.length, 0);
    const s = new Float64Array(rows);
    let o = 0;
    for (const q of test_) for (let r = 0; r < q.gains.length; r++) s[o++] = scoreTrees(e, q.features, r);
    const byTrees = avg(meanNdcg(test_, s));
    // Best linear on feature 0 alone (either sign) and on feature 1 alone.
    const linear = [0, 1].flatMap((f) =>
      [1, -1].map((sign) => {
        const ls = new Float64Array(rows);
        let k = 0;
        for (const q of test_)
          for (let r = 0; r < q.gains.length; r++) ls[k++] = sign * q.features[r * WIDTH + f];
        return avg(meanNdcg(test_, ls));
      }),
    );
    assert.ok(byTrees > Math.max(...linear) + 0.2, `trees ${byTrees} vs linear ${linear}`);
    assert.ok(byTrees > 0.8, `trees ${byTrees}`);
  });

  test('the ONNX TreeEnsembleRegressor scores exactly as the trees, on random inputs', async () => {
    const e = fitLambdaMart(train, WIDTH, NAMES, params);
    assert.equal(e.trees.length, 40);
    const session = await ort.InferenceSession.create(treeRankerGraph(e));
    const random = prng(7);
    const batch = 500;
    // Random rows, plus rows sitting exactly on thresholds (the ≤ boundary).
    const x = new Float32Array(batch * WIDTH);
    for (let i = 0; i < x.length; i++) x[i] = random() * 1.2 - 0.1;
    const t0 = e.trees[0];
    for (let n = 0, r = 0; n < t0.feature.length && r < 50; n++)
      if (t0.feature[n] >= 0) x[r++ * WIDTH + t0.feature[n]] = t0.threshold[n];
    const out = await session.run({ features: new ort.Tensor('float32', x, [batch, WIDTH]) });
    const y = out.scores.data as Float32Array;
    assert.deepEqual(out.scores.dims, [batch, 1]);
    let distinct = 0;
    for (let r = 0; r < batch; r++) {
      const mine = Math.fround(scoreTrees(e, x, r));
      assert.equal(y[r], mine, `row ${r}`);
      if (r > 0 && y[r] !== y[r - 1]) distinct++;
    }
    assert.ok(distinct > batch / 4, 'the scores vary');
    await session.release();
  });

  test('a linear part adds in the graph; a graph reads back to the same trees and weights', async () => {
    const trees = fitLambdaMart(train, WIDTH, NAMES, params);
    const e = { ...trees, linear: [0.5, -0.25, 1, 0] };
    const back = treesFromGraph(treeRankerGraph(e), NAMES);
    assert.deepEqual(back, e);
    const session = await ort.InferenceSession.create(treeRankerGraph(e));
    const x = new Float32Array(200 * WIDTH);
    const random = prng(9);
    for (let i = 0; i < x.length; i++) x[i] = random();
    const y = (await session.run({ features: new ort.Tensor('float32', x, [200, WIDTH]) })).scores
      .data as Float32Array;
    for (let r = 0; r < 200; r++) assert.ok(Math.abs(y[r] - scoreTrees(e, x, r)) < 1e-5, `row ${r}`);
    await session.release();
    assert.equal(treesFromGraph(linearRankerGraph({ keyword: 1, vector: 0, coverage: 1 }), NAMES), undefined);
  });
});

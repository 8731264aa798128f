// Hybrid's second phase as a registry model: the built-in linear ranker registers on first need and scores
// through the inference path exactly as the in-process model does; a tenant's own version, once its alias
// moves, reorders that tenant's hybrid results only; a ranker answering the wrong shape degrades to the
// built-in weights with a notice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeModel, floatTensor, int64Tensor, node, valueInfo } from '../../../src/kernel/onnx/graph.ts';
import { DEFAULT_ALIAS } from '../../../src/modules/registry/index.ts';
import { createOnnxRanker, RANKER_MODEL } from '../../../src/modules/search/onnx-ranker.ts';
import { linearRankerGraph, RANKER_INPUT } from '../../../src/modules/search/ranker-graph.ts';
import {
  DEFAULT_RERANK,
  RERANK_FEATURES,
  type RerankConfig,
  rerankScore,
} from '../../../src/modules/search/rerank.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import {
  OAK_AND_LIGHTS as ITEMS,
  searchOk,
  searchTenant,
  oakAndLightsVectors as vectors,
} from '../../support/search.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const upload = async (t: TestApp, tenant: string, artifact: Buffer) => {
  const { version } = await t.registry.uploadVersion(tenant, RANKER_MODEL, {
    artifact,
    metadata: {
      sampleInput: [{ name: RANKER_INPUT, datatype: 'FP32', shape: [1, 3], data: [0, 0, 0] }],
    },
  });
  await t.registry.setAlias(tenant, RANKER_MODEL, DEFAULT_ALIAS, version.version);
};

describe('ONNX second-phase ranker', () => {
  let t: TestApp;
  let a: Record<string, string>;
  let b: Record<string, string>;
  const hybrid = (h: Record<string, string>, query: string) => searchOk(t, h, { query });

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 }, undefined, { vectors });
    a = await searchTenant(t, 'rank-a', ITEMS, { vectors: true });
    b = await searchTenant(t, 'rank-b', ITEMS, { vectors: true });
  });
  after(() => t.close());

  test('the built-in ranker registers on first need and scores rows as features · weights', async () => {
    const ranker = createOnnxRanker({ registry: t.registry, inference: t.inference });
    const rows: Array<[number, number, number]> = [
      [1, 0.5, 1],
      [0.25, 1, 0.5],
      [0, 0, 0],
    ];
    const { scores } = await ranker.score('rank-a', rows);
    rows.forEach((features, i) => {
      const expected = rerankScore({ id: '', retrievers: [], features }, DEFAULT_RERANK.weights);
      assert.ok(Math.abs(scores[i] - expected) < 1e-5, `${scores[i]} vs ${expected}`);
    });
    const v = await t.registry.resolver.resolve('rank-a', RANKER_MODEL, DEFAULT_ALIAS);
    assert.equal(v.version, 1);
    // Asked again: the same version answers, none is added.
    await ranker.score('rank-a', rows);
    assert.equal((await t.registry.resolver.resolve('rank-a', RANKER_MODEL)).version, 1);
  });

  test("a tenant's own ranker version reorders its hybrid results, not another tenant's", async () => {
    const before = await hybrid(a, 'oak lamp');
    assert.deepEqual(
      before.hits.slice(0, 2).map((h) => h.item.id),
      ['k1', 'k2'],
    );
    // Vector similarity only: the nearest item first.
    const vectorOnly: RerankConfig['weights'] = { keyword: 0, vector: 1, coverage: 0 };
    await upload(t, 'rank-a', linearRankerGraph(vectorOnly));
    const after = await hybrid(a, 'oak lamp');
    assert.equal(after.hits[0].item.id, 'v2');
    assert.deepEqual(after.notices, []);
    const other = await hybrid(b, 'oak lamp');
    assert.deepEqual(
      other.hits.slice(0, 2).map((h) => h.item.id),
      ['k1', 'k2'],
    );
    assert.equal((await t.registry.resolver.resolve('rank-b', RANKER_MODEL)).version, 1);
  });

  test('a ranker answering one score for many rows degrades to the built-in weights, with a notice', async () => {
    const summed = encodeModel({
      name: 'wrong_shape',
      inputs: [valueInfo(RANKER_INPUT, 'FP32', ['batch', RERANK_FEATURES.length])],
      outputs: [valueInfo('scores', 'FP32', [1, 1])],
      initializers: [
        floatTensor('weights', [RERANK_FEATURES.length, 1], new Float32Array([1, 1, 1])),
        int64Tensor('rows', [1], [0]),
      ],
      nodes: [
        node('MatMul', [RANKER_INPUT, 'weights'], ['per_row']),
        node('ReduceSum', ['per_row', 'rows'], ['scores'], { keepdims: 1 }),
      ],
    });
    await upload(t, 'rank-b', summed);
    const r = await hybrid(b, 'oak lamp');
    assert.deepEqual(
      r.hits.slice(0, 2).map((h) => h.item.id),
      ['k1', 'k2'],
    );
    assert.match(r.notices.join(), /ranker failed/);
  });
});

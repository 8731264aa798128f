// A recommender graph is an ordinary registry version: uploaded (validated with its sample input), served
// through the inference engine's worker threads, and read back with the contract's rules.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  MODEL_OF_KIND,
  neighboursGraph,
  readCandidates,
  recommenderInfo,
  recommenderMetadata,
  recommenderRequest,
} from '../../../src/modules/recommend/artifact.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp(STORAGE_KINDS[0], {}, undefined, { vectors: null });
  await t.tenant('shop');
});
after(() => t.close());

test('a neighbour table uploads as a version, serves through inference and answers by the contract', async () => {
  const ids = ['mug', 'tea', 'spoon'];
  const artifact = neighboursGraph({
    ids,
    m: 1,
    neighbours: Int32Array.from([1, 0, 0]),
    weights: Float32Array.from([0.8, 0.8, 0.3]),
  });
  const model = MODEL_OF_KIND.cooccurrence;
  const info = { kind: 'cooccurrence', graph: 'neighbours', items: 3, topK: 4 } as const;
  await t.registry.createModel('shop', { name: model });
  const { version } = await t.registry.uploadVersion('shop', model, {
    artifact,
    metadata: recommenderMetadata({ info, metrics: { 'ndcg@10': 0.1 } }),
  });
  assert.equal(version.version, 1);
  const resolved = await t.registry.resolver.resolve('shop', model);
  assert.deepEqual(recommenderInfo(resolved.metadata), info);
  const context = [
    { id: 'mug', weight: 1 },
    { id: 'spoon', weight: 0.5 },
  ];
  const { body } = await t.inference.infer('shop', model, undefined, recommenderRequest(context));
  // tea = 1·0.8; mug = 0.5·0.3 (the context item itself is the caller's to drop)
  const got = readCandidates(body, 'neighbours');
  assert.deepEqual(
    got.map((c) => c.id),
    ['tea', 'mug'],
  );
  assert.ok(Math.abs(got[0].score - 0.8) < 1e-6 && Math.abs(got[1].score - 0.15) < 1e-6);
});

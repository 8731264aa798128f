// Runs a recommender graph in a real onnxruntime session on a context of weighted items, and answers in the
// shape the inference service does (item_ids BYTES, scores FP32), so tests can read it with readCandidates.
import * as ort from 'onnxruntime-node';
import { recommenderRequest } from '../../../src/modules/recommend/artifact.ts';

export const runRecommenderGraph = async (bytes: Buffer, context: { id: string; weight: number }[]) => {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const req = recommenderRequest(context);
  const out = await session.run({
    items: new ort.Tensor('string', req.inputs[0].data as string[], req.inputs[0].shape),
    weights: new ort.Tensor(
      'float32',
      Float32Array.from(req.inputs[1].data as number[]),
      req.inputs[1].shape,
    ),
  });
  await session.release();
  return {
    model_name: 'm',
    model_version: '1',
    outputs: ['item_ids', 'scores'].map((name) => ({
      name,
      shape: [...out[name].dims],
      datatype: name === 'scores' ? 'FP32' : 'BYTES',
      data: Array.from(out[name].data as ArrayLike<unknown>),
    })),
  };
};

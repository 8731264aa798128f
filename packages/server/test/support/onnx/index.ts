// ONNX models built in code for tests and benchmarks; nothing here is read from disk or downloaded.

export {
  type Dim,
  type ElemName,
  encodeModel,
  node,
  prng,
  randomFloats,
  valueInfo,
} from '../../../src/kernel/onnx/graph.ts';
export { type CorruptKind, corruptArtifact } from './corrupt.ts';
export { fixedBatchModel, identityModel, mixedTypesModel } from './dtypes.ts';
export { type EmbeddingPoolModel, embeddingPoolModel, MASK_COUNT_MIN } from './encoder.ts';
export { lookupModel } from './lookup.ts';
export {
  deepModel,
  type LinearModel,
  type LinearOptions,
  linearModel,
  type MlpModel,
  mlpModel,
  twoInputModel,
} from './models.ts';
export { embeddingPoolReference, linearReference, mlpReference } from './reference.ts';

// The inference engine's public surface: worker pool, dynamic batcher, tensors and metrics hooks.
import type { QuiverModule } from '../../kernel/index.ts';
import type { EngineDeps, EngineOptions, InferenceEngine } from './engine.ts';
import { createLazyInferenceEngine } from './lazy.ts';

export { allocate, datatypeOfOrt } from './dtypes.ts';
export {
  createInferenceEngine,
  type EngineDeps,
  type EngineOptions,
  type InferenceEngine,
  type LoadedModel,
  type LoadOptions,
} from './engine.ts';
export { createLazyInferenceEngine } from './lazy.ts';
export {
  type BatchEvent,
  combineObservers,
  type InferenceObserver,
  type ModelLabels,
  noopObserver,
  observerOf,
  type QueueDepthEvent,
  type RejectEvent,
  type RequestEvent,
} from './observer.ts';
export {
  type BatchingOptions,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_QUEUE_DELAY_MS,
  DEFAULT_MAX_QUEUE_SIZE,
  DEFAULT_TIMEOUT_MS,
  resolveBatching,
} from './options.ts';
export {
  DEFAULT_INLINE_POLICY,
  type Execution,
  type InlinePolicy,
  probeRows,
  zeroInputs,
} from './placement.ts';
export {
  createWorkerPool,
  DEFAULT_POOL_SIZE,
  type RunResult,
  type WorkerPool,
  type WorkerPoolOptions,
} from './pool.ts';
export { concatRows, elementCount, splitRows } from './tensors.ts';
export {
  DATATYPES,
  type Datatype,
  type InferRequest,
  type InferResult,
  type ModelSource,
  type Signature,
  type Tensor,
  type TensorSpec,
  type Tensors,
  type TensorValues,
} from './types.ts';
export { isBatchable, validateInputs } from './validate.ts';

/** The engine as a module: opens the worker pool (lazily, on first use) and closes it. */
export const createEngineModule = (
  deps: EngineDeps,
  options: EngineOptions,
): QuiverModule<InferenceEngine> => {
  const engine = createLazyInferenceEngine(deps, options);
  return { service: engine, close: () => engine.close() };
};

// Triton's model configuration extension (GET /v2/models/{m}/config, gRPC ModelConfig): a version's
// signature and batching in Triton's ModelConfig fields (model_config.proto), so both transports share it.
import { type Datatype, type Execution, resolveBatching, type TensorSpec } from '../engine/index.ts';
import type { ModelVersion } from '../registry/index.ts';

const TRITON_TYPE: Record<Datatype, string> = {
  BOOL: 'TYPE_BOOL',
  INT8: 'TYPE_INT8',
  INT16: 'TYPE_INT16',
  INT32: 'TYPE_INT32',
  INT64: 'TYPE_INT64',
  UINT8: 'TYPE_UINT8',
  UINT16: 'TYPE_UINT16',
  UINT32: 'TYPE_UINT32',
  UINT64: 'TYPE_UINT64',
  FP16: 'TYPE_FP16',
  FP32: 'TYPE_FP32',
  FP64: 'TYPE_FP64',
  BYTES: 'TYPE_STRING',
};

const US_PER_MS = 1000;

/**
 * The version's configuration as Triton writes it. A model whose every input and output has a dynamic first
 * dimension batches (Triton's max_batch_size > 0): its dims leave that dimension out, as Triton's do. Where a
 * loaded version runs (`execution`: the engine's choice, engine/placement.ts) is a model parameter, Triton's
 * place for backend-specific settings; an inline version has one instance, the serving thread.
 */
export const modelConfig = (v: ModelVersion, workers: number, execution?: Execution) => {
  const batching = resolveBatching({
    maxBatchSize: v.metadata.batching?.maxBatchSize,
    maxQueueDelayMs: v.metadata.batching?.maxQueueDelayMs,
    maxQueueSize: v.metadata.batching?.maxQueueSize,
    defaultTimeoutMs: v.metadata.batching?.timeoutMs,
  });
  const tensors = [...v.signature.inputs, ...v.signature.outputs];
  const batchable = tensors.every((t) => t.shape[0] === -1);
  const dims = (t: TensorSpec) => (batchable ? t.shape.slice(1) : t.shape);
  return {
    name: v.model,
    platform: 'onnxruntime_onnx',
    backend: 'onnxruntime',
    version_policy: { specific: { versions: [v.version] } },
    max_batch_size: batchable ? batching.maxBatchSize : 0,
    input: v.signature.inputs.map((t) => ({
      name: t.name,
      data_type: TRITON_TYPE[t.datatype],
      dims: dims(t),
    })),
    output: v.signature.outputs.map((t) => ({
      name: t.name,
      data_type: TRITON_TYPE[t.datatype],
      dims: dims(t),
    })),
    ...(batchable && batching.maxBatchSize > 1
      ? {
          dynamic_batching: {
            max_queue_delay_microseconds: Math.round(batching.maxQueueDelayMs * US_PER_MS),
            default_queue_policy: {
              timeout_action: 'REJECT',
              default_timeout_microseconds: Math.round(batching.defaultTimeoutMs * US_PER_MS),
              allow_timeout_override: true,
              max_queue_size: batching.maxQueueSize,
            },
          },
        }
      : {}),
    instance_group: [{ name: v.model, kind: 'KIND_CPU', count: execution === 'inline' ? 1 : workers }],
    ...(execution ? { parameters: { execution: { string_value: execution } } } : {}),
    ...(v.metadata.cache?.enabled ? { response_cache: { enable: true } } : {}),
  };
};

export type ModelConfig = ReturnType<typeof modelConfig>;

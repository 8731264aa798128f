// The engine's data model: KServe V2 datatypes, tensors as typed arrays with shapes, and model signatures.

/** Datatype names of the Open Inference Protocol (KServe V2) that onnxruntime can feed. */
export const DATATYPES = [
  'BOOL',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

export type Datatype = (typeof DATATYPES)[number];

/** Element storage: BOOL is Uint8Array (0/1), FP16 is Uint16Array (raw halves), BYTES is string[]. */
export type TensorValues =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array
  | string[];

/** A dense row-major tensor. */
export interface Tensor {
  datatype: Datatype;
  shape: number[];
  data: TensorValues;
}

export type Tensors = Record<string, Tensor>;

/** One input or output of a model; -1 marks a dynamic dimension. */
export interface TensorSpec {
  name: string;
  datatype: Datatype;
  shape: number[];
}

export interface Signature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** A model artifact: a path to an `.onnx` file, or its bytes. */
export type ModelSource = string | Uint8Array;

/** One call to a model, as a tenant makes it. */
export interface InferRequest {
  tenant: string;
  /**
   * Inputs, dim 0 being the batch dimension. Numeric arrays that span their whole ArrayBuffer are moved to
   * a worker without a copy when the request runs alone, which detaches them: pass copies to keep them.
   */
  inputs: Tensors;
  /** Epoch milliseconds on the engine's clock; default now + `timeoutMs`. */
  deadline?: number;
  /** Used when no `deadline` is given; default the model's `defaultTimeoutMs`. */
  timeoutMs?: number;
}

export interface InferResult {
  /** Outputs with this request's rows; numeric data may be views into the batch's buffers. */
  outputs: Tensors;
  queueMs: number;
  computeMs: number;
  /** Rows in the batch this request ran in. */
  batchRows: number;
}

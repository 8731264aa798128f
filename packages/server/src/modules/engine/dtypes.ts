// Maps KServe V2 datatypes to onnxruntime tensor types and typed-array constructors.
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import type { Datatype, TensorValues } from './types.ts';

type OrtType = OrtTensor.Type;

export const ORT_TYPE: Record<Datatype, OrtType> = {
  BOOL: 'bool',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

const FROM_ORT = new Map<string, Datatype>(Object.entries(ORT_TYPE).map(([k, v]) => [v, k as Datatype]));

/** The KServe name of an onnxruntime type, or undefined for types the protocol cannot carry. */
export const datatypeOfOrt = (type: string): Datatype | undefined => FROM_ORT.get(type);

type NumericDatatype = Exclude<Datatype, 'BYTES'>;
type ArrayCtor = { new (length: number): Exclude<TensorValues, string[]> };

export const ARRAY_OF: Record<NumericDatatype, ArrayCtor> = {
  BOOL: Uint8Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
};

/** A zeroed array of `length` elements for `datatype` (empty strings for BYTES). */
export const allocate = (datatype: Datatype, length: number): TensorValues =>
  datatype === 'BYTES' ? new Array<string>(length).fill('') : new ARRAY_OF[datatype](length);

/** True when `data` is the storage `datatype` uses. */
export const holds = (datatype: Datatype, data: TensorValues): boolean =>
  datatype === 'BYTES'
    ? Array.isArray(data) && data.every((s) => typeof s === 'string')
    : data instanceof ARRAY_OF[datatype];

// Low-level builders for ONNX graphs written in code: value infos, initializers, nodes, and the encoded model.
import onnxProto from 'onnx-proto';
import { prng } from '../random.ts';

export { prng };

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
const utf8 = new TextEncoder();

/** The opset and IR version every test model uses (onnxruntime 1.30 runs both). */
export const OPSET_VERSION = 17;
export const IR_VERSION = 8;

/** ONNX element types by their KServe V2 datatype name. */
export const ELEM_TYPE = {
  BOOL: T.BOOL,
  INT8: T.INT8,
  INT16: T.INT16,
  INT32: T.INT32,
  INT64: T.INT64,
  UINT8: T.UINT8,
  UINT16: T.UINT16,
  UINT32: T.UINT32,
  UINT64: T.UINT64,
  FP16: T.FLOAT16,
  FP32: T.FLOAT,
  FP64: T.DOUBLE,
  BYTES: T.STRING,
} as const;

export type ElemName = keyof typeof ELEM_TYPE;

/** A dimension: a fixed size, or a symbolic name for a dynamic one (reported as -1 by the engine). */
export type Dim = number | string;

export type ValueInfo = ReturnType<typeof onnx.ValueInfoProto.create>;
export type Initializer = ReturnType<typeof onnx.TensorProto.create>;
export type Node = ReturnType<typeof onnx.NodeProto.create>;

export const valueInfo = (name: string, type: ElemName, dims: readonly Dim[]): ValueInfo =>
  onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: ELEM_TYPE[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A float tensor stored as raw little-endian bytes, so even large weights encode quickly. */
export const floatTensor = (name: string, dims: readonly number[], data: Float32Array): Initializer =>
  onnx.TensorProto.create({ name, dims: [...dims], dataType: T.FLOAT, rawData: bytesOf(data) });

export const int64Tensor = (name: string, dims: readonly number[], values: ArrayLike<number>): Initializer =>
  onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: T.INT64,
    rawData: bytesOf(BigInt64Array.from(values, (v) => BigInt(v))),
  });

/** An int32 tensor (indices of Gather/ScatterElements: half the bytes of int64). */
export const int32Tensor = (name: string, dims: readonly number[], data: Int32Array): Initializer =>
  onnx.TensorProto.create({ name, dims: [...dims], dataType: T.INT32, rawData: bytesOf(data) });

/** A string tensor (ONNX STRING, KServe BYTES), e.g. the item ids a lookup answers with. */
export const stringTensor = (name: string, dims: readonly number[], values: readonly string[]): Initializer =>
  onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: T.STRING,
    stringData: values.map((v) => utf8.encode(v)),
  });

type AttrValue = number | readonly number[] | string | readonly string[] | Float32Array;

const attribute = (name: string, v: AttrValue) => {
  if (typeof v === 'number') return { name, type: A.INT, i: v };
  if (typeof v === 'string') return { name, type: A.STRING, s: utf8.encode(v) };
  if (v instanceof Float32Array) return { name, type: A.FLOATS, floats: [...v] };
  if (v.length > 0 && typeof v[0] === 'string')
    return { name, type: A.STRINGS, strings: (v as readonly string[]).map((x) => utf8.encode(x)) };
  return { name, type: A.INTS, ints: [...(v as readonly number[])] };
};

/**
 * A node; integer attributes (`axis`, `keepdims`, `to`…) are plain numbers or arrays of them, float arrays
 * (`nodes_values`) Float32Arrays, string ones (`reduction`, `keys_strings`) strings or arrays of them. `domain` names an operator set other than ONNX's
 * own (e.g. `ai.onnx.ml` for LabelEncoder; list it in the model's `opsets`).
 */
export const node = (
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Record<string, AttrValue> = {},
  domain?: string,
): Node =>
  onnx.NodeProto.create({
    opType,
    ...(domain ? { domain } : {}),
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attrs).map(([name, v]) => attribute(name, v)),
  });

export interface GraphSpec {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Node[];
  initializers?: Initializer[];
  /** Operator sets besides ONNX's own at OPSET_VERSION, e.g. `{ domain: 'ai.onnx.ml', version: 2 }`. */
  opsets?: { domain: string; version: number }[];
}

/** Encodes a whole model (opset 17, IR 8) to the bytes an `.onnx` file holds. */
export const encodeModel = (g: GraphSpec): Buffer => {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET_VERSION }, ...(g.opsets ?? [])],
    producerName: 'quiver-testing',
    graph: {
      name: g.name,
      input: g.inputs,
      output: g.outputs,
      node: g.nodes,
      initializer: g.initializers ?? [],
    },
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};

/** `n` floats uniform in [-scale, scale), from `seed`. */
export const randomFloats = (n: number, seed: number, scale = 1): Float32Array => {
  const next = prng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() * 2 - 1) * scale;
  return out;
};

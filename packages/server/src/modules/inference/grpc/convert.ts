// Open Inference Protocol gRPC messages (as @grpc/proto-loader decodes them: field names as in the .proto, 64-bit
// integers as decimal strings) to and from the REST path's request body and answer, so both share one service.
import { QuiverError } from '../../../kernel/index.ts';
import type { InferAnswer, InferRequestBody, RequestInput } from '../schemas.ts';

/** `InferParameter`: one of its fields, named by the `parameter_choice` oneof. */
export interface GrpcParameter {
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param';
  bool_param?: boolean;
  int64_param?: string;
  string_param?: string;
  double_param?: number;
  uint64_param?: string;
}
type GrpcParameters = Record<string, GrpcParameter> | null | undefined;

/** `InferTensorContents`: typed repeated fields, one per datatype family. */
export interface GrpcContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: string[];
  uint_contents?: number[];
  uint64_contents?: string[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Buffer[];
}

export interface GrpcInferRequest {
  model_name: string;
  model_version: string;
  id: string;
  parameters?: GrpcParameters;
  inputs: {
    name: string;
    datatype: string;
    shape: string[];
    parameters?: GrpcParameters;
    contents?: GrpcContents | null;
  }[];
  outputs: { name: string; parameters?: GrpcParameters }[];
  raw_input_contents: Buffer[];
}

/** Which contents field carries each datatype (FP16 has none: it travels in raw_input_contents only). */
const CONTENTS_FIELD: Record<string, keyof GrpcContents> = {
  BOOL: 'bool_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

const invalid = (path: string, message: string): never => {
  throw new QuiverError('validation_failed', message, { errors: [{ path, message }] });
};

/** A parameter's value: a 64-bit integer as a number when it is exact, else as its digits. */
const parameterValue = (p: GrpcParameter): unknown => {
  const choice = p.parameter_choice;
  if (!choice) return undefined;
  const value = p[choice];
  if (choice === 'int64_param' || choice === 'uint64_param') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  return value;
};

export const fromGrpcParameters = (given: GrpcParameters): Record<string, unknown> | undefined => {
  const entries = Object.entries(given ?? {});
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([k, p]) => [k, parameterValue(p)]));
};

export const toGrpcParameters = (given: Record<string, unknown> | undefined): Record<string, GrpcParameter> =>
  Object.fromEntries(
    Object.entries(given ?? {}).flatMap(([k, v]): [string, GrpcParameter][] => {
      if (typeof v === 'boolean') return [[k, { bool_param: v }]];
      if (typeof v === 'string') return [[k, { string_param: v }]];
      if (typeof v === 'number' && Number.isSafeInteger(v)) return [[k, { int64_param: String(v) }]];
      if (typeof v === 'number') return [[k, { double_param: v }]];
      return [];
    }),
  );

const shapeOf = (shape: readonly string[], path: string): number[] =>
  shape.map((d, i) => {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 31 - 1)
      invalid(`${path}/shape/${i}`, `dimension ${i} is ${d}; a shape holds integers from 0 to 2147483647`);
    return n;
  });

/** One input's JSON-style `data` from its typed contents field. */
const dataOf = (
  datatype: string,
  contents: GrpcContents | null | undefined,
  path: string,
): unknown[] | undefined => {
  const field = CONTENTS_FIELD[datatype];
  const values = field ? contents?.[field] : undefined;
  if (!values) return undefined;
  // Protobuf floats carry NaN and ±Infinity; the decoders take those as text (see decode.ts).
  if (field === 'fp32_contents' || field === 'fp64_contents')
    return (values as number[]).map((v) => (Number.isFinite(v) ? v : String(v)));
  if (field !== 'bytes_contents') return values as unknown[];
  return (values as Buffer[]).map((b, i) => {
    try {
      return utf8.decode(b);
    } catch {
      return invalid(`${path}/contents/bytes_contents/${i}`, `element ${i} is not valid UTF-8`);
    }
  });
};

/**
 * The REST path's body and raw bytes for a ModelInferRequest. With `raw_input_contents` there is one entry per
 * input, in order (Triton's rule); they become the binary tensor data extension's framing. Every output is
 * asked for raw, since gRPC answers carry `raw_output_contents`.
 */
export const fromGrpcRequest = (req: GrpcInferRequest): { body: InferRequestBody; binary?: Buffer } => {
  const raw = req.raw_input_contents ?? [];
  if (raw.length > 0 && raw.length !== req.inputs.length) {
    invalid(
      '/raw_input_contents',
      `raw_input_contents has ${raw.length} entries for ${req.inputs.length} inputs; give one per input or none`,
    );
  }
  const inputs = req.inputs.map((input, k): RequestInput => {
    const path = `/inputs/${k}`;
    const parameters = fromGrpcParameters(input.parameters);
    const base = { name: input.name, datatype: input.datatype, shape: shapeOf(input.shape, path) };
    if (raw.length > 0) {
      if (dataOf(input.datatype, input.contents, path)?.length)
        invalid(`${path}/contents`, `input '${input.name}' has both contents and raw_input_contents`);
      return { ...base, parameters: { ...parameters, binary_data_size: raw[k].length } };
    }
    const data = dataOf(input.datatype, input.contents, path) ?? [];
    return { ...base, ...(parameters ? { parameters } : {}), data };
  });
  const parameters = fromGrpcParameters(req.parameters) ?? {};
  for (const name of ['binary_data_output', 'binary_data', 'binary_data_size'])
    if (name in parameters) invalid(`/parameters/${name}`, `parameter '${name}' is for HTTP only`);
  // Outputs are raw whatever an output's parameters say: binary_data has no meaning here.
  const outputs = req.outputs.map((o) => {
    const { binary_data: _, ...given } = fromGrpcParameters(o.parameters) ?? {};
    return { name: o.name, ...(Object.keys(given).length > 0 ? { parameters: given } : {}) };
  });
  const body: InferRequestBody = {
    ...(req.id ? { id: req.id } : {}),
    parameters: { ...parameters, binary_data_output: true },
    inputs,
    ...(outputs.length > 0 ? { outputs } : {}),
  };
  return { body, ...(raw.length > 0 ? { binary: Buffer.concat(raw) } : {}) };
};

/** The ModelInferResponse for an answer whose outputs are all raw (see fromGrpcRequest). */
export const toGrpcResponse = ({ body, chunks }: InferAnswer) => ({
  model_name: body.model_name,
  model_version: body.model_version,
  id: body.id ?? '',
  parameters: toGrpcParameters(body.parameters),
  outputs: body.outputs.map(({ name, datatype, shape, parameters }) => {
    const { binary_data_size: _, ...rest } = parameters ?? {};
    return { name, datatype, shape, parameters: toGrpcParameters(rest) };
  }),
  raw_output_contents: chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)),
});

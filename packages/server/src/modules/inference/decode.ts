// Turns OIP inputs (JSON `data`, flat or nested, or raw bytes of the binary extension) into engine tensors,
// naming exactly what is wrong. Values are refused rather than altered (rounded, truncated, replaced).
import { type FieldError, QuiverError } from '../../kernel/index.ts';
import {
  allocate,
  DATATYPES,
  type Datatype,
  elementCount,
  type Tensor,
  type Tensors,
  type TensorValues,
} from '../engine/index.ts';
import { decodeRaw, stringProblem } from './binary.ts';
import { FP16_MAX, toHalf } from './fp16.ts';
import type { RequestInput } from './schemas.ts';
import { numericData } from './tensor-json.ts';

const WIRE = new Set<string>(DATATYPES);
const FLOAT_MAX: Partial<Record<Datatype, number>> = {
  FP16: FP16_MAX,
  FP32: 3.4028234663852886e38,
  FP64: Number.MAX_VALUE,
};

const INT_RANGE: Partial<Record<Datatype, [number, number]>> = {
  INT8: [-(2 ** 7), 2 ** 7 - 1],
  INT16: [-(2 ** 15), 2 ** 15 - 1],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
  UINT8: [0, 2 ** 8 - 1],
  UINT16: [0, 2 ** 16 - 1],
  UINT32: [0, 2 ** 32 - 1],
};
const BIG_RANGE: Partial<Record<Datatype, [bigint, bigint]>> = {
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
  UINT64: [0n, 2n ** 64n - 1n],
};
const DECIMAL = /^-?\d{1,20}$/;

/**
 * Non-finite float elements as text: the bare tokens Triton's JSON carries (read by exact-json.ts as these
 * strings), and the spellings of numpy and C (`inf`, `nan`), for clients whose JSON writer has no tokens.
 */
const NON_FINITE: Record<string, number> = {
  nan: Number.NaN,
  '-nan': Number.NaN,
  infinity: Number.POSITIVE_INFINITY,
  inf: Number.POSITIVE_INFINITY,
  '+inf': Number.POSITIVE_INFINITY,
  '+infinity': Number.POSITIVE_INFINITY,
  '-infinity': Number.NEGATIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
};
const nonFinite = (v: unknown): number | undefined =>
  typeof v === 'string' ? NON_FINITE[v.toLowerCase()] : undefined;

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;
/** An element for an error text: exact (BigInt digits as sent), never a rounded number. */
const show = (v: unknown): string => {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v))
    return 'an integer beyond ±2^53 in exponent form (write its digits)';
  return (JSON.stringify(v) ?? String(v)).slice(0, 40);
};

/** What an element of `datatype` must be, for error messages. */
const expectation = (datatype: Datatype): string => {
  if (datatype === 'BOOL') return 'true or false';
  if (datatype === 'BYTES') return 'a string';
  const ints = INT_RANGE[datatype] ?? BIG_RANGE[datatype];
  if (ints) return `an integer in [${ints[0]}, ${ints[1]}]`;
  return FLOAT_MAX[datatype] ? 'a number, or NaN, Infinity or -Infinity' : 'a number';
};

/** The half of a non-finite value. */
const halfOf = (v: number): number => (Number.isNaN(v) ? 0x7e00 : v > 0 ? 0x7c00 : 0xfc00);

/** The index of the first element that is not finite (a float32 overflow of a finite literal), or -1. */
const firstNonFinite = (values: Float32Array): number => {
  for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) return i;
  return -1;
};

/** Writes `values` into `out`; returns the index of the first element that does not fit, or -1. */
const fill = (datatype: Datatype, values: ArrayLike<unknown>, out: TensorValues): number => {
  const n = values.length;
  if (datatype === 'BYTES') {
    const strings = out as string[];
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'string' || stringProblem(v)) return i;
      strings[i] = v;
    }
    return -1;
  }
  const nums = out as Float64Array;
  if ((datatype === 'FP32' || datatype === 'FP64') && values instanceof Float64Array) {
    // Numbers only (tensor-json.ts): one native conversion, then the range check.
    nums.set(values);
    for (let i = 0; i < n; i++) if (nums[i] - nums[i] !== 0) return i;
    return -1;
  }
  if (datatype === 'FP32' || datatype === 'FP64') {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number') {
        const special = nonFinite(v);
        if (special === undefined) return i;
        nums[i] = special;
        continue;
      }
      nums[i] = v;
      // Infinity from a finite literal (1e400) or a float32 overflow: refused, not silently made infinite.
      if (nums[i] - nums[i] !== 0) return i;
    }
    return -1;
  }
  if (datatype === 'FP16') {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      const special = nonFinite(v);
      const h = typeof v === 'number' ? toHalf(v) : special !== undefined ? halfOf(special) : -1;
      if (h < 0) return i;
      nums[i] = h;
    }
    return -1;
  }
  if (datatype === 'BOOL') {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === true || v === 1) nums[i] = 1;
      else if (v !== false && v !== 0) return i;
    }
    return -1;
  }
  const range = INT_RANGE[datatype];
  if (range) {
    const [min, max] = range;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return i;
      nums[i] = v;
    }
    return -1;
  }
  const [min, max] = BIG_RANGE[datatype]!;
  const bigs = out as BigInt64Array;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let b: bigint;
    if (typeof v === 'bigint') b = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
    else if (typeof v === 'string' && DECIMAL.test(v)) b = BigInt(v);
    else return i;
    if (b < min || b > max) return i;
    bigs[i] = b;
  }
  return -1;
};

/** Flat data as is; nested data must match `shape` level by level. Returns the values or a problem. */
const flatten = (data: readonly unknown[], shape: readonly number[]): ArrayLike<unknown> | string => {
  // Flat numbers read by tensor-json.ts into a typed array.
  const numeric = numericData(data);
  if (numeric) return numeric;
  if (data.length === 0 || !Array.isArray(data[0])) return data;
  const out: unknown[] = [];
  const walk = (node: unknown, depth: number, path: string): string | undefined => {
    if (depth === shape.length) {
      if (Array.isArray(node)) return `nests deeper than shape ${fmt(shape)} at ${path}`;
      out.push(node);
      return undefined;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      const got = Array.isArray(node) ? `${node.length} items` : 'a scalar';
      return `has ${got} at ${path || '/'} where shape ${fmt(shape)} needs ${shape[depth]}`;
    }
    for (let i = 0; i < node.length; i++) {
      const problem = walk(node[i], depth + 1, `${path}/${i}`);
      if (problem) return problem;
    }
    return undefined;
  };
  return walk(data, 0, '') ?? out;
};

/** What is wrong with element `v`, which `fill` refused, as the end of a sentence. */
const elementProblem = (datatype: Datatype, v: unknown): string => {
  const max = FLOAT_MAX[datatype];
  if (max !== undefined && typeof v === 'number')
    return `is out of range for ${datatype} (beyond ±${max}); send a finite value within it`;
  const text = datatype === 'BYTES' && typeof v === 'string' ? stringProblem(v) : undefined;
  return text ?? `is ${show(v)}; ${datatype} needs ${expectation(datatype)}`;
};

/** One input's JSON data as a tensor, or what is wrong with it. */
const decodeJson = (input: RequestInput, datatype: Datatype, data: readonly unknown[], path: string) => {
  const { name, shape } = input;
  const values = flatten(data, shape);
  if (typeof values === 'string') return { path: `${path}/data`, message: `input '${name}' data ${values}` };
  const count = elementCount(shape);
  if (values.length !== count) {
    return {
      path: `${path}/data`,
      message: `input '${name}' has ${values.length} elements; shape ${fmt(shape)} needs ${count}`,
    };
  }
  // FP32 data tensor-json.ts read as float32 is the tensor as it is: no second array, no copy.
  const given = datatype === 'FP32' && values instanceof Float32Array;
  const out = given ? values : allocate(datatype, count);
  const bad = given ? firstNonFinite(values) : fill(datatype, values, out);
  if (bad >= 0) {
    return {
      path: `${path}/data/${bad}`,
      message: `input '${name}' element ${bad} ${elementProblem(datatype, values[bad])}`,
    };
  }
  return { datatype, shape: [...shape], data: out };
};

/** One input as a tensor, from its JSON data or its raw bytes, or what is wrong with it. */
const decodeOne = (input: RequestInput, raw: Buffer | undefined, path: string): Tensor | FieldError => {
  const { name } = input;
  if (!WIRE.has(input.datatype)) {
    return {
      path: `${path}/datatype`,
      message: `input '${name}' has datatype '${input.datatype}'; use one of ${DATATYPES.join(', ')}`,
    };
  }
  const datatype = input.datatype as Datatype;
  if (raw) {
    const decoded = decodeRaw(name, datatype, input.shape, raw);
    return typeof decoded === 'string'
      ? { path: `${path}/parameters/binary_data_size`, message: decoded }
      : decoded;
  }
  if (input.data === undefined)
    return { path: `${path}/data`, message: `input '${name}' has no data (nor parameters.binary_data_size)` };
  return decodeJson(input, datatype, input.data, path);
};

const framingError = (path: string, message: string): never => {
  throw new QuiverError('validation_failed', message, { errors: [{ path, message }] });
};

/**
 * Each input's raw bytes under the binary extension: inputs with `parameters.binary_data_size` take that many
 * bytes of `binary`, in order; the sizes must account for every byte. Throws on the first framing problem.
 */
const sliceBinary = (inputs: readonly RequestInput[], binary: Buffer | undefined, where: string) => {
  const slices: (Buffer | undefined)[] = [];
  let offset = 0;
  for (let k = 0; k < inputs.length; k++) {
    const { name, parameters, data } = inputs[k];
    const size = parameters?.binary_data_size;
    const path = `${where}/${k}/parameters/binary_data_size`;
    if (size === undefined) {
      slices.push(undefined);
      continue;
    }
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      framingError(path, `input '${name}' parameters.binary_data_size must be a non-negative integer`);
    if (data !== undefined) framingError(path, `input '${name}' has both data and binary_data_size`);
    if (!binary) {
      framingError(
        path,
        `input '${name}' has parameters.binary_data_size but the request has no Inference-Header-Content-Length header`,
      );
    }
    const bytes = binary as Buffer;
    const n = size as number;
    if (offset + n > bytes.length) {
      framingError(
        path,
        `the binary data ends too soon: input '${name}' needs ${n} bytes from byte ${offset}, only ${bytes.length - offset} remain`,
      );
    }
    slices.push(bytes.subarray(offset, offset + n));
    offset += n;
  }
  const rest = (binary?.length ?? 0) - offset;
  if (rest > 0) framingError(where, `${rest} bytes of binary data follow the last input's`);
  return slices;
};

/**
 * Decodes each input by the datatype it declares; the signature is checked afterwards (validateInputs).
 * `binary` is the body after the JSON header under the binary tensor data extension.
 */
export const decodeInputs = (
  inputs: readonly RequestInput[],
  where = '/inputs',
  binary?: Buffer,
): Tensors => {
  const slices = sliceBinary(inputs, binary, where);
  // No prototype: an input named `__proto__` is just an unknown input.
  const tensors: Tensors = Object.create(null);
  const errors: FieldError[] = [];
  for (let k = 0; k < inputs.length; k++) {
    const { name } = inputs[k];
    if (Object.hasOwn(tensors, name)) {
      errors.push({ path: `${where}/${k}/name`, message: `input '${name}' is given more than once` });
      continue;
    }
    const decoded = decodeOne(inputs[k], slices[k], `${where}/${k}`);
    if ('message' in decoded) errors.push(decoded);
    else tensors[name] = decoded;
  }
  if (errors.length > 0)
    throw new QuiverError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
  return tensors;
};

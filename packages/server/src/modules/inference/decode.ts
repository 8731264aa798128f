// Turns OIP JSON inputs (flat or nested `data`) into engine tensors, naming exactly what is wrong.
import { type FieldError, QuiverError } from '../../kernel/index.ts';
import {
  allocate,
  DATATYPES,
  type Datatype,
  elementCount,
  type Tensor,
  type Tensors,
  type TensorValues,
} from './engine/index.ts';
import type { RequestInput } from './schemas.ts';

/** Datatypes accepted over JSON: the engine's, less FP16 (which has no JSON form here). */
export const WIRE_DATATYPES: readonly Datatype[] = DATATYPES.filter((d) => d !== 'FP16');
const WIRE = new Set<string>(WIRE_DATATYPES);

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

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 40);

/** What an element of `datatype` must be, for error messages. */
const expectation = (datatype: Datatype): string => {
  if (datatype === 'BOOL') return 'true or false';
  if (datatype === 'BYTES') return 'a string';
  const ints = INT_RANGE[datatype] ?? BIG_RANGE[datatype];
  return ints ? `an integer in [${ints[0]}, ${ints[1]}]` : 'a number';
};

/** Writes `values` into `out`; returns the index of the first element that does not fit, or -1. */
const fill = (datatype: Datatype, values: readonly unknown[], out: TensorValues): number => {
  const n = values.length;
  if (datatype === 'BYTES') {
    const strings = out as string[];
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'string') return i;
      strings[i] = v;
    }
    return -1;
  }
  const nums = out as Float64Array;
  if (datatype === 'FP32' || datatype === 'FP64') {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number') return i;
      nums[i] = v;
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
    if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
    else if (typeof v === 'string' && DECIMAL.test(v)) b = BigInt(v);
    else return i;
    if (b < min || b > max) return i;
    bigs[i] = b;
  }
  return -1;
};

/** Flat data as is; nested data must match `shape` level by level. Returns the values or a problem. */
const flatten = (data: readonly unknown[], shape: readonly number[]): readonly unknown[] | string => {
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

/** One input as a tensor, or what is wrong with it. */
const decodeOne = (input: RequestInput, path: string): Tensor | FieldError => {
  const { name, shape } = input;
  if (!WIRE.has(input.datatype)) {
    return {
      path: `${path}/datatype`,
      message: `input '${name}' has datatype '${input.datatype}'; use one of ${WIRE_DATATYPES.join(', ')}`,
    };
  }
  const datatype = input.datatype as Datatype;
  const values = flatten(input.data, shape);
  if (typeof values === 'string') return { path: `${path}/data`, message: `input '${name}' data ${values}` };
  const count = elementCount(shape);
  if (values.length !== count) {
    return {
      path: `${path}/data`,
      message: `input '${name}' has ${values.length} elements; shape ${fmt(shape)} needs ${count}`,
    };
  }
  const data = allocate(datatype, count);
  const bad = fill(datatype, values, data);
  if (bad >= 0) {
    return {
      path: `${path}/data/${bad}`,
      message: `input '${name}' element ${bad} is ${show(values[bad])}; ${datatype} needs ${expectation(datatype)}`,
    };
  }
  return { datatype, shape: [...shape], data };
};

/** Decodes each input by the datatype it declares; the signature is checked afterwards (validateInputs). */
export const decodeInputs = (inputs: readonly RequestInput[], where = '/inputs'): Tensors => {
  // No prototype: an input named `__proto__` is just an unknown input.
  const tensors: Tensors = Object.create(null);
  const errors: FieldError[] = [];
  for (let k = 0; k < inputs.length; k++) {
    const { name } = inputs[k];
    if (Object.hasOwn(tensors, name)) {
      errors.push({ path: `${where}/${k}/name`, message: `input '${name}' is given more than once` });
      continue;
    }
    const decoded = decodeOne(inputs[k], `${where}/${k}`);
    if ('message' in decoded) errors.push(decoded);
    else tensors[name] = decoded;
  }
  if (errors.length > 0)
    throw new QuiverError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
  return tensors;
};

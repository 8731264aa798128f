// Triton's classification extension: an output asked with `parameters.classification: k` (tritonclient's
// `class_count`) answers its top k classes per row as BYTES "value:index", highest value first.
import { QuiverError } from '../../kernel/index.ts';
import { DATATYPES, type Tensor } from '../engine/index.ts';
import { fromHalf } from './fp16.ts';

/** The datatypes with numeric values: every one but BOOL and BYTES. */
const NUMERIC: ReadonlySet<string> = new Set(DATATYPES.filter((d) => d !== 'BOOL' && d !== 'BYTES'));

/** Values as Triton's classification writes them (C++ std::to_string of a float: six decimals). */
const valueText = (v: number): string => (Number.isFinite(v) ? v.toFixed(6) : String(v).toLowerCase());

/** The k a request asked for, or a 400 naming the parameter. */
export const classCount = (given: unknown, output: string, datatype: string, path: string): number => {
  if (!NUMERIC.has(datatype)) {
    throw new QuiverError(
      'validation_failed',
      `output '${output}' is ${datatype}; classification needs a numeric output`,
      {
        errors: [{ path, message: `classification needs a numeric output, not ${datatype}` }],
      },
    );
  }
  if (typeof given !== 'number' || !Number.isInteger(given) || given < 1) {
    throw new QuiverError(
      'validation_failed',
      `output '${output}' parameters.classification must be an integer ≥ 1`,
      {
        errors: [{ path, message: 'classification (class_count) must be an integer ≥ 1' }],
      },
    );
  }
  return given;
};

/**
 * The top `k` classes of `t` per row (rows along dim 0 when the model batches, else the whole tensor as one
 * row), each "value:index"; the answer's shape is [rows, k'] (or [k']), k' = min(k, classes).
 */
export const classify = (t: Tensor, k: number, batched: boolean): Tensor => {
  const rows = batched ? (t.shape[0] ?? 1) : 1;
  const data = t.data as ArrayLike<number | bigint>;
  const classes = rows === 0 ? 0 : data.length / rows;
  const top = Math.min(k, classes);
  const value = (i: number) => {
    const v = data[i];
    return t.datatype === 'FP16' ? fromHalf(v as number) : Number(v);
  };
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    const order = Array.from({ length: classes }, (_, i) => i);
    // Highest first; ties keep the lower index first, NaN last.
    order.sort((a, b) => {
      const va = value(base + a);
      const vb = value(base + b);
      if (Number.isNaN(va) || Number.isNaN(vb)) return Number.isNaN(va) ? (Number.isNaN(vb) ? a - b : 1) : -1;
      return vb - va || a - b;
    });
    for (let j = 0; j < top; j++) out.push(`${valueText(value(base + order[j]))}:${order[j]}`);
  }
  return { datatype: 'BYTES', shape: batched ? [rows, top] : [top], data: out };
};

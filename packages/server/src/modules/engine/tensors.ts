// Tensor plumbing for batching: rows along dim 0, shape grouping keys, concatenation, splitting, transfer lists.
import { QuiverError } from '../../kernel/errors.ts';
import { allocate } from './dtypes.ts';
import type { Tensor, Tensors, TensorValues } from './types.ts';

export const elementCount = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

/** The batch size of a request: dim 0, which every input must share. */
export const rowsOf = (inputs: Tensors): number => {
  let rows: number | undefined;
  for (const [name, t] of Object.entries(inputs)) {
    const r = t.shape[0] ?? 1;
    if (rows !== undefined && r !== rows) {
      throw new QuiverError(
        'validation_failed',
        `input '${name}' has ${r} rows along dim 0; other inputs have ${rows}`,
      );
    }
    rows = r;
  }
  return rows ?? 0;
};

/** Requests may share a batch only when names, datatypes and every dim after the first agree. */
export const shapeKey = (inputs: Tensors): string =>
  Object.keys(inputs)
    .sort()
    .map((name) => `${name}:${inputs[name].datatype}:${inputs[name].shape.slice(1).join('x')}`)
    .join('|');

const concatOne = (parts: readonly Tensor[]): Tensor => {
  const first = parts[0];
  const rows = parts.reduce((n, p) => n + p.shape[0], 0);
  const shape = [rows, ...first.shape.slice(1)];
  if (first.datatype === 'BYTES') {
    return { datatype: first.datatype, shape, data: parts.flatMap((p) => p.data as string[]) };
  }
  const data = allocate(first.datatype, elementCount(shape)) as Exclude<TensorValues, string[]>;
  let offset = 0;
  for (const p of parts) {
    (data as Float32Array).set(p.data as Float32Array, offset);
    offset += p.data.length;
  }
  return { datatype: first.datatype, shape, data };
};

/** One request made of many, stacked along dim 0 in order; every part must have the same shape key. */
export const concatRows = (parts: readonly Tensors[]): Tensors => {
  const out: Tensors = {};
  for (const name of Object.keys(parts[0])) out[name] = concatOne(parts.map((p) => p[name]));
  return out;
};

/**
 * Splits batch outputs back into per-request outputs of `rows[i]` rows each. Numeric parts are views
 * (subarray) over the batch's buffers: nothing is copied. Throws when an output does not have the batch's rows.
 */
export const splitRows = (outputs: Tensors, rows: readonly number[]): Tensors[] => {
  const total = rows.reduce((a, b) => a + b, 0);
  const parts: Tensors[] = rows.map(() => ({}));
  for (const [name, t] of Object.entries(outputs)) {
    if (t.shape[0] !== total) {
      throw new QuiverError('internal', `output '${name}' has ${t.shape[0]} rows for a batch of ${total}`);
    }
    const rowSize = total === 0 ? 0 : t.data.length / total;
    let start = 0;
    rows.forEach((r, i) => {
      const end = start + r * rowSize;
      const data = Array.isArray(t.data) ? t.data.slice(start, end) : t.data.subarray(start, end);
      parts[i][name] = { datatype: t.datatype, shape: [r, ...t.shape.slice(1)], data };
      start = end;
    });
  }
  return parts;
};

/**
 * Buffers that can move to another thread without a copy: those a typed array spans whole. A view into a
 * larger buffer (a Node Buffer pool slice, an output split) is left out, so transferring never detaches
 * memory the view does not own; structured clone copies it instead.
 */
export const transferListOf = (tensors: Tensors): ArrayBuffer[] => {
  const list = new Set<ArrayBuffer>();
  for (const t of Object.values(tensors)) {
    if (Array.isArray(t.data)) continue;
    const buf = t.data.buffer;
    if (buf instanceof ArrayBuffer && t.data.byteOffset === 0 && t.data.byteLength === buf.byteLength)
      list.add(buf);
  }
  return [...list];
};

/** Gives every numeric tensor a buffer of its own (copying only views into larger buffers), for transfer. */
export const ownBuffers = (tensors: Tensors): Tensors => {
  const out: Tensors = {};
  for (const [name, t] of Object.entries(tensors)) {
    const d = t.data;
    const whole = Array.isArray(d) || (d.byteOffset === 0 && d.byteLength === d.buffer.byteLength);
    out[name] = whole ? t : { ...t, data: d.slice() };
  }
  return out;
};

// Reads the `data` array of an infer input straight from the body's bytes into a typed array when it is a flat
// array of JSON numbers (the common case: 1,024 floats), instead of JSON.parse building a JS array that
// decode.ts then copies; the rest of the body is read from the same bytes by byte-json.ts. Each number is read digit by digit; the value is exactly what JSON.parse gives (see readNumber).
// An input whose `datatype` "FP32" comes before its `data` (as every client writes it) gets the Float32Array
// that goes to the engine as it is (each value JSON.parse's double rounded to float32, as Math.fround does);
// other inputs a Float64Array. Anything else (nested data, strings, booleans, long integers, malformed
// text) is left to the text parsers (body.ts).
import { NOT_READ, parseJsonBytes } from './byte-json.ts';

/** 10^k for k ≤ 22: every one is an exact double, the bound of the fast path below. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Values read before they are copied out at their exact length: one array for every body (parsing is synchronous). */
let scratch = new Float64Array(1024);
/** Past this many values the scratch array is not kept for the next body. */
const KEEP_VALUES = 1 << 20;

/**
 * FP32 values of up to SLAB_VALUES are handed out as views into a shared slab instead of one ArrayBuffer each:
 * a batch copies them into its own buffer anyway (engine tensors.ts), and a request sent alone has its view
 * copied for transfer (engine pool.ts), so a fresh backing store per body is only allocation and GC work.
 * A slab is freed when no view into it is left.
 */
const SLAB_BYTES = 64 * 1024;
const SLAB_VALUES = SLAB_BYTES / 16;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** `values` rounded to float32 (the typed array's store rounds each double, as Math.fround does). */
const float32Of = (values: Float64Array): Float32Array => {
  const n = values.length;
  if (n > SLAB_VALUES) return new Float32Array(values);
  if (slabUsed + n * 4 > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const view = new Float32Array(slab, slabUsed, n);
  view.set(values);
  slabUsed += n * 4;
  return view;
};

/** Values read by readNumberArray: doubles, or already rounded to float32 for an FP32 input. */
export type NumericData = Float64Array | Float32Array;

/** The typed values behind a placeholder `data` array (see parseTensorJson). */
const numeric = new WeakMap<readonly unknown[], NumericData>();

/** A fresh empty array that stands for `values` in the parsed body, so schema validation sees an array. */
export const placeholderFor = (values: NumericData): unknown[] => {
  const placeholder: unknown[] = [];
  numeric.set(placeholder, values);
  return placeholder;
};

/** The values a `data` array stands for, when the fast reader read it; undefined for an ordinary array. */
export const numericData = (data: readonly unknown[] | undefined): NumericData | undefined =>
  data === undefined ? undefined : numeric.get(data);

/**
 * The flat array of JSON numbers at `bytes[start]` (which must be `[`) and the index after its `]`;
 * undefined when it is anything else (empty, nested, other values, malformed text) or holds a literal
 * beyond the fast path, for JSON.parse (or the exact parser) to read, and to refuse with its own message.
 * Each value is m × 10^e computed in one correctly rounded operation, which needs the significand's digits
 * m to be below 2^53 and |e| ≤ 22 (Clinger's fast path: both factors are exact doubles): so it is the
 * double JSON.parse gives. Longer literals (17-digit doubles, INT64 beyond 2^53) are JSON.parse's and the
 * exact parser's business; the first one ends the attempt. One loop, no call or allocation per number.
 * With `float32`, the values come as a Float32Array (a view into a shared slab when small): each double rounded
 * to float32 by the array's store.
 */
export function readNumberArray(
  bytes: Uint8Array,
  start: number,
): { values: Float64Array; end: number } | undefined;
export function readNumberArray(
  bytes: Uint8Array,
  start: number,
  float32: true,
): { values: Float32Array; end: number } | undefined;
export function readNumberArray(
  bytes: Uint8Array,
  start: number,
  float32 = false,
): { values: NumericData; end: number } | undefined {
  let i = start + 1;
  // Read into the shared scratch array (grown by doubling, kept up to KEEP_VALUES); the answer is an exact copy.
  let out = scratch;
  let count = 0;
  for (;;) {
    let c = bytes[i];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = bytes[++i];
    const negative = c === 0x2d;
    if (negative) c = bytes[++i];
    // The integer part: digits, no leading zero.
    const intStart = i;
    let m = 0;
    while (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      c = bytes[++i];
    }
    const digits = i - intStart;
    if (digits === 0 || (digits > 1 && bytes[intStart] === 0x30)) return undefined;
    let e = 0;
    if (c === 0x2e) {
      const fracStart = ++i;
      c = bytes[i];
      while (c >= 0x30 && c <= 0x39) {
        m = m * 10 + (c - 0x30);
        c = bytes[++i];
      }
      if (i === fracStart) return undefined;
      e = fracStart - i;
    }
    if (c === 0x65 || c === 0x45) {
      c = bytes[++i];
      const minus = c === 0x2d;
      if (minus || c === 0x2b) c = bytes[++i];
      const expStart = i;
      let x = 0;
      while (c >= 0x30 && c <= 0x39) {
        // Past 10^9 the exponent's exact size no longer matters: such a literal leaves the fast path.
        if (x < 1e9) x = x * 10 + (c - 0x30);
        c = bytes[++i];
      }
      if (i === expStart) return undefined;
      e += minus ? -x : x;
    }
    let value: number;
    // m is exact while it stays within 2^53 (and past it, it never comes back below).
    if (m <= Number.MAX_SAFE_INTEGER && e <= 22 && e >= -22) {
      value = e === 0 ? m : e > 0 ? m * POW10[e] : m / POW10[-e];
      if (negative) value = -value;
    } else return undefined;
    if (count === out.length) {
      const bigger = new Float64Array(out.length * 2);
      bigger.set(out);
      out = bigger;
      if (bigger.length <= KEEP_VALUES) scratch = bigger;
    }
    out[count++] = value;
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = bytes[++i];
    i++;
    if (c === 0x5d) {
      // One exact-length copy: the typed array's set converts double → float32 natively.
      const values = float32 ? float32Of(out.subarray(0, count)) : out.slice(0, count);
      return { values, end: i };
    }
    if (c !== 0x2c) return undefined;
  }
}

const dataArray = (bytes: Buffer, start: number, input: Record<string, unknown>) => {
  const read =
    input.datatype === 'FP32' ? readNumberArray(bytes, start, true) : readNumberArray(bytes, start);
  if (!read) throw NOT_READ;
  return { value: placeholderFor(read.values), end: read.end };
};

/**
 * True when every input read as float32 still says FP32: a body naming `datatype` twice, FP32 before `data`
 * and another type after it (JSON's last key wins), has its data read again as doubles.
 */
const float32Consistent = (body: unknown): boolean => {
  const inputs = (body as { inputs?: unknown }).inputs;
  if (!Array.isArray(inputs)) return true;
  for (const input of inputs) {
    if (typeof input !== 'object' || input === null) continue;
    const { data, datatype } = input as { data?: unknown; datatype?: unknown };
    if (Array.isArray(data) && numeric.get(data) instanceof Float32Array && datatype !== 'FP32') return false;
  }
  return true;
};

/**
 * The body (UTF-8 bytes) as JSON.parse reads its text, except that each `inputs[i].data` is a placeholder whose
 * values numericData gives; undefined when any input's data is not a flat array of numbers or the text is not
 * valid JSON (the caller then parses the text as before, and a syntax error gets JSON.parse's message).
 */
export const parseTensorJson = (bytes: Buffer): unknown => {
  // An object at the root: then every bare NaN or Infinity token follows `[`, `,` or `:`, where body.ts sees
  // it and takes the exact parser instead, so this one accepts exactly what JSON.parse accepts.
  let i = 0;
  while (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09) i++;
  if (bytes[i] !== 0x7b) return undefined;
  try {
    const body = parseJsonBytes(bytes, dataArray);
    return float32Consistent(body) ? body : undefined;
  } catch {
    return undefined;
  }
};

// FP32 output values as JSON text: the shortest decimal that reads back to the same float32 (`0.42336002`, not the
// double's `0.42336001992225647`), written byte by byte into one scratch buffer. A reader that parses the number
// as a double and rounds it to float32 (numpy's float32 arrays, tritonclient, Math.fround) gets the exact value;
// the text is about 40% shorter and costs about half the CPU of JSON.stringify on the widened doubles.

/** 10^k for k ≤ 22: every one is an exact double, so n × 10^k and n / 10^k are correctly rounded for n < 2^53. */
const POW10 = new Float64Array(23).map((_, k) => 10 ** k);
/** Significant digits tried first: a float32 always needs at least 6 to come back when it has more than 6. */
const MIN_DIGITS = 6;
/** Nine significant digits always round-trip a float32. */
const MAX_DIGITS = 9;
/** Bytes one value can take: sign, nine digits, point, up to six leading zeros or an exponent (`e-45`). */
const MAX_VALUE_BYTES = 20;
/** Scratch buffers larger than this are not kept between answers. */
const KEEP_BYTES = 1 << 20;

const digits = new Uint8Array(MAX_DIGITS + 1);
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/** Copies `text` (ASCII) to out[pos]; returns the index after it. */
const writeAscii = (text: string, out: Uint8Array, pos: number): number => {
  for (let k = 0; k < text.length; k++) out[pos++] = text.charCodeAt(k);
  return pos;
};

/** Non-finite values as Triton's JSON writes them (bare tokens), and values that are not float32s exactly. */
const special = (v: number): string =>
  Number.isNaN(v)
    ? 'NaN'
    : v === Number.POSITIVE_INFINITY
      ? 'Infinity'
      : v === Number.NEGATIVE_INFINITY
        ? '-Infinity'
        : String(v);

/**
 * Writes the digits n (an integer below 10^9 without trailing zeros) times 10^q as a JSON number, in fixed
 * notation where JavaScript's own Number → string would use it (decimal exponent -7 < E < 21), else as d.ddde±E.
 */
const writeDecimal = (negative: boolean, n: number, q: number, out: Uint8Array, pos: number): number => {
  let length = 0;
  while (n > 0) {
    const t = (n / 10) | 0;
    digits[length++] = 0x30 + n - t * 10;
    n = t;
  }
  if (negative) out[pos++] = 0x2d;
  const exponent = length + q - 1;
  if (exponent > -7 && exponent < 21) {
    if (q >= 0) {
      for (let k = length - 1; k >= 0; k--) out[pos++] = digits[k];
      for (let k = 0; k < q; k++) out[pos++] = 0x30;
      return pos;
    }
    const point = length + q; // digits before the decimal point
    if (point > 0) {
      for (let k = length - 1; k >= length - point; k--) out[pos++] = digits[k];
      out[pos++] = 0x2e;
      for (let k = length - point - 1; k >= 0; k--) out[pos++] = digits[k];
      return pos;
    }
    out[pos++] = 0x30;
    out[pos++] = 0x2e;
    for (let k = 0; k < -point; k++) out[pos++] = 0x30;
    for (let k = length - 1; k >= 0; k--) out[pos++] = digits[k];
    return pos;
  }
  out[pos++] = digits[length - 1];
  if (length > 1) {
    out[pos++] = 0x2e;
    for (let k = length - 2; k >= 0; k--) out[pos++] = digits[k];
  }
  out[pos++] = 0x65;
  out[pos++] = exponent > 0 ? 0x2b : 0x2d;
  return writeAscii(String(exponent > 0 ? exponent : -exponent), out, pos);
};

/** The slow path: the shortest of toPrecision(1..9) that reads back, for values beyond the fast path's scale. */
const writeSlow = (v: number, out: Uint8Array, pos: number): number => {
  for (let p = 1; p <= MAX_DIGITS; p++) {
    const candidate = Number(v.toPrecision(p));
    if (Math.fround(candidate) === v) return writeAscii(String(candidate), out, pos);
  }
  return writeAscii(String(v), out, pos);
};

/** Below this, `x | 0` truncates a non-negative double exactly. */
const INT32_LIMIT = 2 ** 31 - 1;

/**
 * Math.floor for |x| < 2^31 by integer truncation: V8's Math.floor and Math.round measured here, they
 * cost 40% of writing FP32 text (256 values: 29-31 → 17-18 µs, in process, output identical).
 */
const floorOf = (x: number): number => {
  const t = x | 0;
  return x < t ? t - 1 : t;
};

/**
 * Writes `v` at out[pos] (room for MAX_VALUE_BYTES needed); returns the index after it. A float32 gets the
 * fewest significant digits p (6 ≤ p ≤ 9, fewer when the p-digit form ends in zeros) whose decimal reads back to
 * it: for each p, n = round(v × 10^s) and the double n / 10^s (one correctly rounded operation, Clinger's fast
 * path, so the very double a JSON reader makes of that text) is checked with Math.fround. Anything else (NaN,
 * ±Infinity, a double that is not a float32) is written exactly as before.
 */
export const writeFloat32 = (v: number, out: Uint8Array, pos: number): number => {
  if (v === 0) {
    if (1 / v < 0) out[pos++] = 0x2d;
    out[pos++] = 0x30;
    return pos;
  }
  if (!Number.isFinite(v) || Math.fround(v) !== v) return writeAscii(special(v), out, pos);
  const a = v < 0 ? -v : v;
  const e = floorOf(Math.log10(a));
  for (let p = MIN_DIGITS; p <= MAX_DIGITS; p++) {
    const s = p - 1 - e;
    if (s > 22 || s < -22) break;
    const scaled = s >= 0 ? a * POW10[s] : a / POW10[-s];
    // Math.round, without its call: scaled is at least 10^4 here and below 2^52, so scaled + 0.5 is exact and
    // truncating it is rounding half up; past int32 (a 10-digit n, rejected below anyway) Math.round itself.
    const n = scaled < INT32_LIMIT ? (scaled + 0.5) | 0 : Math.round(scaled);
    const back = s >= 0 ? n / POW10[s] : n * POW10[-s];
    if (Math.fround(back) !== a) continue;
    // n has p digits (p + 1 when log10 was one low): past int32 the digit loop below would overflow.
    if (n > 0x7fffffff) break;
    let m = n | 0;
    let q = -s;
    for (let t = (m / 10) | 0; m === t * 10; t = (m / 10) | 0) {
      m = t;
      q++;
    }
    return writeDecimal(v < 0, m, q, out, pos);
  }
  return writeSlow(v, out, pos);
};

/** Bytes a JSON array of `count` FP32 values may take (see writeFloat32Array). */
export const float32TextBytes = (count: number): number => count * (MAX_VALUE_BYTES + 1) + 2;

/** Writes the JSON array of FP32 `values` (see writeFloat32) at out[pos]; returns the index after it. */
export const writeFloat32Array = (values: ArrayLike<number>, out: Uint8Array, pos: number): number => {
  out[pos++] = 0x5b;
  for (let k = 0; k < values.length; k++) {
    if (k > 0) out[pos++] = 0x2c;
    pos = writeFloat32(values[k], out, pos);
  }
  out[pos++] = 0x5d;
  return pos;
};

/** A JSON array of FP32 values (see writeFloat32). */
export const float32ArrayText = (values: ArrayLike<number>): string => {
  const need = float32TextBytes(values.length);
  const out = need <= scratch.length ? scratch : Buffer.allocUnsafeSlow(need);
  if (out !== scratch && need <= KEEP_BYTES) scratch = out;
  return out.toString('latin1', 0, writeFloat32Array(values, out, 0));
};

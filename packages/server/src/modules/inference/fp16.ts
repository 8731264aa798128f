// IEEE 754 half precision (FP16) to and from JS numbers, for FP16 tensors over JSON (the engine holds raw halves).

/** The largest finite half; anything from 65520 up rounds to infinity. */
export const FP16_MAX = 65504;
const OVERFLOW = 65520;

const roundEven = (x: number): number => {
  const f = Math.floor(x);
  const r = x - f;
  return r > 0.5 || (r === 0.5 && f % 2 === 1) ? f + 1 : f;
};

/** The half nearest to `v` (ties to even) as its 16 bits, or -1 when `v` is out of the half range. */
export const toHalf = (v: number): number => {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= OVERFLOW) return -1;
  // Subnormals are multiples of 2^-24; scaling by a power of two is exact. 1024 carries into the exponent.
  if (a < 2 ** -14) return sign | roundEven(a * 2 ** 24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  // A mantissa that rounds up to 1024 carries into the exponent, which the addition does by itself.
  return sign | (((e + 15) << 10) + roundEven((a / 2 ** e - 1) * 1024));
};

/** The number a half's 16 bits stand for. */
export const fromHalf = (h: number): number => {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
};

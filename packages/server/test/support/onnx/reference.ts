// Plain-JS reference computations for the test models, independent of onnxruntime (float64 accumulation).

/** y[r] = x[r]·W + b for `rows` rows; W is row-major [in, out]. */
export const linearReference = (
  x: ArrayLike<number>,
  weights: Float32Array,
  bias: Float32Array,
): Float64Array => {
  const out = bias.length;
  const inF = weights.length / out;
  const rows = x.length / inF;
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < out; j++) {
      let s = bias[j];
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * weights[i * out + j];
      y[r * out + j] = s;
    }
  }
  return y;
};

/** The MLP forward pass: linear layers with ReLU between them, none after the last. */
export const mlpReference = (
  x: ArrayLike<number>,
  layers: readonly { weights: Float32Array; bias: Float32Array }[],
): Float64Array => {
  let h: ArrayLike<number> = x;
  layers.forEach((l, i) => {
    const z = linearReference(h, l.weights, l.bias);
    if (i + 1 < layers.length) for (let k = 0; k < z.length; k++) z[k] = Math.max(0, z[k]);
    h = z;
  });
  return Float64Array.from(h);
};

/** Masked mean of table rows; `ids` and `mask` are row-major [rows, seq]. */
export const embeddingPoolReference = (
  ids: ArrayLike<bigint | number>,
  mask: ArrayLike<bigint | number>,
  seq: number,
  table: Float32Array,
  dim: number,
): Float64Array => {
  const rows = ids.length / seq;
  const out = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let count = 0;
    for (let t = 0; t < seq; t++) {
      const m = Number(mask[r * seq + t]);
      if (m === 0) continue;
      count += m;
      const id = Number(ids[r * seq + t]);
      for (let d = 0; d < dim; d++) out[r * dim + d] += m * table[id * dim + d];
    }
    for (let d = 0; d < dim; d++) out[r * dim + d] /= Math.max(count, 1e-9);
  }
  return out;
};

// Small dense linear algebra for the trainers: the inverse of a symmetric positive-definite matrix.

/**
 * The inverse of an SPD row-major n×n matrix by Cholesky (A = LLᵀ, then A⁻¹ = L⁻ᵀL⁻¹). Throws if not SPD.
 * Every inner loop runs along a row (contiguous memory), so n in the thousands stays fast: ≈ n³ multiply-adds.
 */
export const invertSpd = (a: Float64Array, n: number): Float64Array => {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const li = i * n;
    for (let j = 0; j <= i; j++) {
      const lj = j * n;
      let s = a[li + j];
      for (let k = 0; k < j; k++) s -= l[li + k] * l[lj + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('matrix is not positive definite');
        l[li + i] = Math.sqrt(s);
      } else l[li + j] = s / l[lj + j];
    }
  }
  // L⁻¹ row by row: row i = (e_i − Σ_{k<i} L_ik · row k of L⁻¹) / L_ii (row k is zero past column k).
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const mi = i * n;
    m[mi + i] = 1;
    for (let k = 0; k < i; k++) {
      const f = l[mi + k];
      if (f === 0) continue;
      const mk = k * n;
      for (let c = 0; c <= k; c++) m[mi + c] -= f * m[mk + c];
    }
    const d = l[mi + i];
    for (let c = 0; c <= i; c++) m[mi + c] /= d;
  }
  // A⁻¹ = L⁻ᵀL⁻¹: (A⁻¹)_ij = Σ_k M_ki·M_kj, accumulated row k of M at a time (lower triangle, then mirrored).
  const inv = l; // L is no longer needed
  inv.fill(0);
  for (let k = 0; k < n; k++) {
    const mk = k * n;
    for (let i = 0; i <= k; i++) {
      const v = m[mk + i];
      if (v === 0) continue;
      const ii = i * n;
      for (let j = 0; j <= i; j++) inv[ii + j] += v * m[mk + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) inv[j * n + i] = inv[i * n + j];
  return inv;
};

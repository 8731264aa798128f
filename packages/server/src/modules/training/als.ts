// Implicit matrix factorization by alternating least squares (Hu, Koren & Volinsky 2008) with confidence
// c_ui = 1 + α·r_ui, each row solved by a few conjugate-gradient steps (Takács et al. 2011).
import { prng } from '../../kernel/random.ts';
import { type Interactions, type SparseRows, sparseRows } from './interactions.ts';
import { invertSpd } from './linalg.ts';
import { trainPopularity } from './popularity.ts';

export interface AlsParams {
  factors: number;
  iterations: number;
  /** λ on both factor matrices. */
  regularization: number;
  /** Confidence slope: c_ui = 1 + alpha · r_ui, r_ui = the summed event weights of user u on item i. */
  alpha: number;
  /** Conjugate-gradient steps per row and iteration (3 is the usual choice; warm starts keep it enough). */
  cgSteps: number;
  /** λ of the fold-in projection P = (QᵀQ + λI)⁻¹ that serving uses to turn context items into a user. */
  foldInRegularization: number;
  /** r_ui sums each event's weight times 2^(−age / halfLife), age from the end of the data; 0 = no decay. */
  halfLifeDays: number;
  /**
   * β of a popularity prior carried in the same factors graph: two extra columns [1, b_i] per item (b = decayed
   * popularity scaled to max 1) and a projection entry that turns the context's weight sum W into W·β·b_i
   * added to every item's score. 0 = pure ALS.
   */
  popularityWeight: number;
  popularityHalfLifeDays: number;
  seed: number;
}

export const DEFAULT_ALS: AlsParams = {
  factors: 64,
  iterations: 15,
  regularization: 10,
  alpha: 5,
  cgSteps: 3,
  foldInRegularization: 1,
  halfLifeDays: 30,
  popularityWeight: 0.01,
  popularityHalfLifeDays: 3,
  seed: 42,
};

const DAY_MS = 86_400_000;

/** Row-major factor matrices; `projection` is F×F (see AlsParams.foldInRegularization). */
export interface Factors {
  f: number;
  items: Float32Array;
  users: Float32Array;
  projection: Float32Array;
}

/** Gram matrix AᵀA of a row-major [rows, f] matrix. */
export const gram = (a: Float64Array, rows: number, f: number): Float64Array => {
  const g = new Float64Array(f * f);
  for (let r = 0; r < rows; r++) {
    const o = r * f;
    for (let i = 0; i < f; i++) {
      const ai = a[o + i];
      if (ai === 0) continue;
      for (let j = i; j < f; j++) g[i * f + j] += ai * a[o + j];
    }
  }
  for (let i = 0; i < f; i++) for (let j = 0; j < i; j++) g[i * f + j] = g[j * f + i];
  return g;
};

const transpose = (rows: SparseRows, n: number): SparseRows => {
  const offsets = new Int32Array(n + 1);
  for (const i of rows.items) offsets[i + 1]++;
  for (let i = 0; i < n; i++) offsets[i + 1] += offsets[i];
  const fill = offsets.slice(0, n);
  const items = new Int32Array(rows.items.length);
  const values = new Float32Array(rows.items.length);
  for (let u = 0; u + 1 < rows.offsets.length; u++)
    for (let p = rows.offsets[u]; p < rows.offsets[u + 1]; p++) {
      const i = rows.items[p];
      items[fill[i]] = u;
      values[fill[i]++] = rows.values[p];
    }
  return { offsets, items, values };
};

/**
 * One half-iteration: re-solves every row x_u of X against the fixed Y, minimizing
 * Σ_i c_ui (p_ui − x_u·y_i)² + λ|x_u|² (p_ui = 1 where r_ui > 0). The system (YᵀY + Yᵀ(C_u − I)Y + λI) x = Yᵀ C_u p
 * is solved by CG started from the current x_u, touching only the rows of Y the user has.
 */
const solveRows = (x: Float64Array, y: Float64Array, rows: SparseRows, f: number, p: AlsParams): void => {
  const yty = gram(y, y.length / f, f);
  const r = new Float64Array(f);
  const d = new Float64Array(f);
  const ad = new Float64Array(f);
  const n = rows.offsets.length - 1;
  for (let u = 0; u < n; u++) {
    const xo = u * f;
    // r = b − A·x
    for (let i = 0; i < f; i++) {
      let s = 0;
      for (let j = 0; j < f; j++) s += yty[i * f + j] * x[xo + j];
      r[i] = -s - p.regularization * x[xo + i];
    }
    for (let q = rows.offsets[u]; q < rows.offsets[u + 1]; q++) {
      const yo = rows.items[q] * f;
      const c = 1 + p.alpha * rows.values[q];
      let dot = 0;
      for (let j = 0; j < f; j++) dot += y[yo + j] * x[xo + j];
      const k = c - (c - 1) * dot;
      for (let j = 0; j < f; j++) r[j] += k * y[yo + j];
    }
    d.set(r);
    let rs = 0;
    for (let j = 0; j < f; j++) rs += r[j] * r[j];
    for (let step = 0; step < p.cgSteps && rs > 1e-20; step++) {
      for (let i = 0; i < f; i++) {
        let s = 0;
        for (let j = 0; j < f; j++) s += yty[i * f + j] * d[j];
        ad[i] = s + p.regularization * d[i];
      }
      for (let q = rows.offsets[u]; q < rows.offsets[u + 1]; q++) {
        const yo = rows.items[q] * f;
        const c = 1 + p.alpha * rows.values[q];
        let dot = 0;
        for (let j = 0; j < f; j++) dot += y[yo + j] * d[j];
        const k = (c - 1) * dot;
        for (let j = 0; j < f; j++) ad[j] += k * y[yo + j];
      }
      let dad = 0;
      for (let j = 0; j < f; j++) dad += d[j] * ad[j];
      const a = rs / dad;
      let next = 0;
      for (let j = 0; j < f; j++) {
        x[xo + j] += a * d[j];
        r[j] -= a * ad[j];
        next += r[j] * r[j];
      }
      const beta = next / rs;
      for (let j = 0; j < f; j++) d[j] = r[j] + beta * d[j];
      rs = next;
    }
  }
};

export const trainAls = (
  x: Interactions,
  params: AlsParams = DEFAULT_ALS,
  progress: (fraction: number) => void = () => {},
): Factors => {
  const f = params.factors;
  const byUser = sparseRows(decayed(x, params.halfLifeDays), x.user, x.users.length, 'sum');
  const byItem = transpose(byUser, x.items.length);
  const random = prng(params.seed);
  const init = (rows: number) => Float64Array.from({ length: rows * f }, () => (random() - 0.5) * 0.02);
  const users = init(x.users.length);
  const items = init(x.items.length);
  for (let it = 0; it < params.iterations; it++) {
    solveRows(users, items, byUser, f, params);
    solveRows(items, users, byItem, f, params);
    progress((it + 1) / params.iterations);
  }
  const g = gram(items, x.items.length, f);
  for (let i = 0; i < f; i++) g[i * f + i] += params.foldInRegularization;
  const factors = {
    f,
    items: Float32Array.from(items),
    users: Float32Array.from(users),
    projection: Float32Array.from(invertSpd(g, f)),
  };
  return params.popularityWeight > 0 ? withPopularityPrior(x, factors, params) : factors;
};

/** The interactions with each event's weight decayed by its age (the same arrays when there is no decay). */
const decayed = (x: Interactions, halfLifeDays: number): Interactions => {
  if (!(halfLifeDays > 0) || x.length === 0) return x;
  const end = x.time[x.length - 1];
  const weight = Float32Array.from(
    x.weight,
    (w, e) => w * 2 ** (-(end - x.time[e]) / (halfLifeDays * DAY_MS)),
  );
  return { ...x, weight };
};

/** Appends the prior's two columns [1, b_i] and the projection block [[0, β], [0, 0]] (see popularityWeight). */
const withPopularityPrior = (x: Interactions, m: Factors, params: AlsParams): Factors => {
  const f = m.f + 2;
  const b = trainPopularity(x, { halfLifeDays: params.popularityHalfLifeDays });
  let max = 0;
  for (const s of b) max = Math.max(max, s);
  const n = x.items.length;
  const items = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    items.set(m.items.subarray(i * m.f, (i + 1) * m.f), i * f);
    items[i * f + m.f] = 1;
    items[i * f + m.f + 1] = max > 0 ? b[i] / max : 0;
  }
  const users = new Float32Array(x.users.length * f);
  for (let u = 0; u < x.users.length; u++) users.set(m.users.subarray(u * m.f, (u + 1) * m.f), u * f);
  const projection = new Float32Array(f * f);
  for (let r = 0; r < m.f; r++) projection.set(m.projection.subarray(r * m.f, (r + 1) * m.f), r * f);
  projection[m.f * f + m.f + 1] = params.popularityWeight;
  return { f, items, users, projection };
};

// Online Retail as the recommend benchmark uses it: the catalog and purchases (through the importer's
// mapping), and simple in-bench recommenders of the contract's shapes built from them. The training module
// builds the real ones from events; these exist so the serving path can be measured without a training run:
// - cooccurrence: items bought in the same invoice, count / √(count_i · count_j), top 50 per item;
// - popularity: purchases decayed with a 30-day half-life from the last day of the data;
// - content: hashed bag of words of the titles (64 dimensions, L2-normalized);
// - als: random 32-dimensional factors with the least-squares fold-in (QᵀQ + λI)⁻¹: latency, not quality.
import { readFileSync } from 'node:fs';
import type { BatchItem, QuiverEvent } from '@quiver/contracts';
import { parseCsvRecord } from '../../packages/cli/src/csv.ts';
import { FORMATS } from '../../packages/cli/src/formats/index.ts';
import type {
  FactorsSpec,
  NeighboursSpec,
  ScoresSpec,
} from '../../packages/server/src/modules/recommend/index.ts';

export const RETAIL_CSV = new URL('../../../shared/datasets/online-retail/online-retail.csv', import.meta.url)
  .pathname;
const NEIGHBOURS = 50;
const MAX_BASKET = 100;
const HALF_LIFE_MS = 30 * 86_400_000;
const CONTENT_DIM = 64;
const ALS_DIM = 32;
const ALS_LAMBDA = 0.1;

export interface Retail {
  items: BatchItem[];
  purchases: QuiverEvent[];
}

export const readRetail = (path = RETAIL_CSV): Retail => {
  const format = FORMATS['online-retail'];
  if (format.kind !== 'csv') throw new Error('online-retail is a CSV format');
  const lines = readFileSync(path, 'utf8').split('\n');
  const items = new Map<string, BatchItem>();
  const purchases: QuiverEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const mapped = format.map(parseCsvRecord(lines[i]), i + 1);
    for (const item of mapped.items) if (!items.has(item.id)) items.set(item.id, item);
    for (const e of mapped.events) if (e.type === 'purchase') purchases.push(e);
  }
  purchases.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  return { items: [...items.values()], purchases };
};

export const cooccurrence = (ids: readonly string[], purchases: readonly QuiverEvent[]): NeighboursSpec => {
  const n = ids.length;
  const row = new Map(ids.map((id, i) => [id, i]));
  const baskets = new Map<string, Set<number>>();
  for (const e of purchases) {
    const r = row.get(e.itemId!);
    if (r === undefined || !e.sessionId) continue;
    const b = baskets.get(e.sessionId) ?? new Set<number>();
    baskets.set(e.sessionId, b);
    if (b.size < MAX_BASKET) b.add(r);
  }
  const pairs = new Float32Array(n * n);
  const count = new Float32Array(n);
  for (const b of baskets.values()) {
    const list = [...b];
    for (const i of list) count[i]++;
    for (let x = 0; x < list.length; x++)
      for (let y = x + 1; y < list.length; y++) {
        pairs[list[x] * n + list[y]]++;
        pairs[list[y] * n + list[x]]++;
      }
  }
  const neighbours = new Int32Array(n * NEIGHBOURS).fill(-1);
  const weights = new Float32Array(n * NEIGHBOURS);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const w = (j: number) => (pairs[i * n + j] > 0 ? pairs[i * n + j] / Math.sqrt(count[i] * count[j]) : 0);
    for (let j = 0; j < n; j++) order[j] = j;
    const top = [...order].filter((j) => j !== i && pairs[i * n + j] > 0).sort((a, b) => w(b) - w(a));
    top.slice(0, NEIGHBOURS).forEach((j, k) => {
      neighbours[i * NEIGHBOURS + k] = j;
      weights[i * NEIGHBOURS + k] = w(j);
    });
  }
  return { ids, m: NEIGHBOURS, neighbours, weights };
};

export const popularity = (ids: readonly string[], purchases: readonly QuiverEvent[]): ScoresSpec => {
  const row = new Map(ids.map((id, i) => [id, i]));
  const end = Date.parse(purchases.at(-1)?.timestamp ?? '');
  const scores = new Float32Array(ids.length);
  for (const e of purchases) {
    const r = row.get(e.itemId!);
    if (r !== undefined) scores[r] += 0.5 ** ((end - Date.parse(e.timestamp)) / HALF_LIFE_MS);
  }
  return { ids, scores };
};

const hashWord = (w: string) => {
  let h = 2166136261;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
  return (h >>> 0) % CONTENT_DIM;
};

const normalizeRows = (m: Float32Array, dim: number) => {
  for (let i = 0; i < m.length; i += dim) {
    let s = 0;
    for (let f = 0; f < dim; f++) s += m[i + f] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let f = 0; f < dim; f++) m[i + f] *= inv;
  }
};

export const content = (items: readonly BatchItem[]): FactorsSpec => {
  const factors = new Float32Array(items.length * CONTENT_DIM);
  items.forEach((item, i) => {
    for (const w of item.title.toLowerCase().split(/[^a-z0-9]+/))
      if (w.length > 1) factors[i * CONTENT_DIM + hashWord(w)] += 1;
  });
  normalizeRows(factors, CONTENT_DIM);
  return { ids: items.map((i) => i.id), factors, dim: CONTENT_DIM };
};

/** Inverse of a small symmetric positive definite matrix (Gauss-Jordan). */
const invert = (a: Float64Array, d: number): Float32Array => {
  const m = new Float64Array(d * 2 * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) m[i * 2 * d + j] = a[i * d + j];
    m[i * 2 * d + d + i] = 1;
  }
  for (let c = 0; c < d; c++) {
    const p = m[c * 2 * d + c];
    for (let j = 0; j < 2 * d; j++) m[c * 2 * d + j] /= p;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r * 2 * d + c];
      for (let j = 0; j < 2 * d; j++) m[r * 2 * d + j] -= f * m[c * 2 * d + j];
    }
  }
  const out = new Float32Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j] = m[i * 2 * d + d + j];
  return out;
};

export const randomFactors = (ids: readonly string[]): FactorsSpec => {
  let seed = 42;
  const next = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const factors = Float32Array.from({ length: ids.length * ALS_DIM }, next);
  const gram = new Float64Array(ALS_DIM * ALS_DIM);
  for (let i = 0; i < ids.length; i++)
    for (let a = 0; a < ALS_DIM; a++)
      for (let b = 0; b < ALS_DIM; b++)
        gram[a * ALS_DIM + b] += factors[i * ALS_DIM + a] * factors[i * ALS_DIM + b];
  for (let a = 0; a < ALS_DIM; a++) gram[a * ALS_DIM + a] += ALS_LAMBDA;
  return { ids, factors, dim: ALS_DIM, projection: invert(gram, ALS_DIM) };
};

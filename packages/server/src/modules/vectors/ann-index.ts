// One HNSW index (usearch, cosine over unit vectors) with the mapping between item ids and usearch's
// integer keys; saved as `<base>.usearch` + `<base>.json` (ids and the feed position it reflects).
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Index, type Matches, MetricKind, ScalarKind } from 'usearch';

/** HNSW graph degree and search breadth: recall@10 ≥ 0.95 on the icecat bench (see bench/vectors.ts). */
export const DEFAULT_CONNECTIVITY = 16;
export const DEFAULT_EXPANSION_SEARCH = 128;

export interface AnnIndexOptions {
  dim: number;
  quantization?: 'f32' | 'f16' | 'i8';
  connectivity?: number;
  expansionSearch?: number;
}

interface SavedMeta {
  dim: number;
  position: number;
  nextKey: number;
  ids: Array<[string, number]>;
}

export interface AnnIndex {
  readonly dim: number;
  /** The catalog feed position this index reflects (every change at or below it is applied). */
  position: number;
  size(): number;
  has(id: string): boolean;
  upsert(entries: ReadonlyArray<{ id: string; vector: Float32Array }>): void;
  remove(ids: Iterable<string>): void;
  search(vector: Float32Array, k: number): Array<{ id: string; score: number }>;
  save(base: string): Promise<void>;
}

const SCALARS = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 } as const;

const open = (o: AnnIndexOptions) =>
  new Index({
    dimensions: o.dim,
    metric: MetricKind.Cos,
    quantization: SCALARS[o.quantization ?? 'f32'],
    connectivity: o.connectivity ?? DEFAULT_CONNECTIVITY,
    expansion_add: 0,
    expansion_search: o.expansionSearch ?? DEFAULT_EXPANSION_SEARCH,
    multi: false,
  });

const wrap = (index: Index, dim: number, keys: Map<string, number>, nextKey: number, position: number) => {
  const ids = new Map<number, string>();
  for (const [id, key] of keys) ids.set(key, id);
  const ann: AnnIndex = {
    dim,
    position,
    size: () => keys.size,
    has: (id) => keys.has(id),
    upsert(entries) {
      if (entries.length === 0) return;
      const stale = entries.map((e) => keys.get(e.id)).filter((k): k is number => k !== undefined);
      if (stale.length > 0) index.remove(BigUint64Array.from(stale, BigInt));
      // A fresh key per write: usearch keeps removed keys' slots, so reusing one could resurface the old vector.
      const batch = new BigUint64Array(entries.length);
      const flat = new Float32Array(entries.length * dim);
      entries.forEach((e, i) => {
        const old = keys.get(e.id);
        if (old !== undefined) ids.delete(old);
        const key = nextKey++;
        keys.set(e.id, key);
        ids.set(key, e.id);
        batch[i] = BigInt(key);
        flat.set(e.vector, i * dim);
      });
      index.add(batch, flat);
    },
    remove(removed) {
      const gone: number[] = [];
      for (const id of removed) {
        const key = keys.get(id);
        if (key === undefined) continue;
        keys.delete(id);
        ids.delete(key);
        gone.push(key);
      }
      if (gone.length > 0) index.remove(BigUint64Array.from(gone, BigInt));
    },
    search(vector, k) {
      if (keys.size === 0) return [];
      const found = index.search(vector, Math.min(k, keys.size), 0) as Matches;
      const out: Array<{ id: string; score: number }> = [];
      found.keys.forEach((key, i) => {
        const id = ids.get(Number(key));
        if (id !== undefined) out.push({ id, score: 1 - found.distances[i] });
      });
      return out;
    },
    async save(base) {
      await mkdir(dirname(base), { recursive: true });
      // Written beside and renamed into place, so a crash mid-save leaves the previous pair readable.
      index.save(`${base}.usearch.tmp`);
      const meta: SavedMeta = { dim, position: ann.position, nextKey, ids: [...keys] };
      await writeFile(`${base}.json.tmp`, JSON.stringify(meta));
      await rename(`${base}.usearch.tmp`, `${base}.usearch`);
      await rename(`${base}.json.tmp`, `${base}.json`);
    },
  };
  return ann;
};

export const createAnnIndex = (o: AnnIndexOptions): AnnIndex => wrap(open(o), o.dim, new Map(), 1, 0);

/** The saved index at `base`, or undefined when there is none (or it cannot be read: it is rebuilt then). */
export const loadAnnIndex = async (
  base: string,
  o: Omit<AnnIndexOptions, 'dim'>,
): Promise<AnnIndex | undefined> => {
  if (!existsSync(`${base}.json`) || !existsSync(`${base}.usearch`)) return undefined;
  try {
    const meta = JSON.parse(await readFile(`${base}.json`, 'utf8')) as SavedMeta;
    const index = open({ ...o, dim: meta.dim });
    index.load(`${base}.usearch`);
    return wrap(index, meta.dim, new Map(meta.ids), meta.nextKey, meta.position);
  } catch {
    return undefined;
  }
};

export const deleteSavedIndex = async (base: string): Promise<void> => {
  await Promise.all([rm(`${base}.usearch`, { force: true }), rm(`${base}.json`, { force: true })]);
};

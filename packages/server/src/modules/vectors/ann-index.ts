// One HNSW index (usearch, cosine over unit vectors) with the mapping between item ids and usearch's
// integer keys, and the live vectors it is rebuilt from; saved as `<base>.usearch` + `<base>.vectors` +
// `<base>.json` (ids, keys and the feed position it reflects).
//
// usearch's `remove` is never called: in 2.25.3 its key→slot hash set (`flat_hash_multi_set_gt`) marks an
// erased entry "deleted", does not count deleted entries towards its load factor, so it never grows or
// rehashes, and its probes stop only at an empty entry. Each remove + add of a fresh key turns one empty
// entry into a deleted one; once none is left (≈68 cycles on a 60-vector index) the next lookup probes
// forever on the calling thread (issue 14). Adding fresh keys only, never duplicates, never erasing, it has
// no deleted entries and grows with its load. So a superseded or deleted item's key stays in the graph as a
// tombstone: searches over-fetch by the tombstone count and drop keys the maps no longer name, and once
// tombstones pass a share of the live entries a fresh index is built from the live vectors and swapped in.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Index, type Matches, MetricKind, ScalarKind } from 'usearch';

/** HNSW graph degree and search breadth: recall@10 ≥ 0.95 on the icecat bench (see bench/vectors.ts). */
export const DEFAULT_CONNECTIVITY = 16;
export const DEFAULT_EXPANSION_SEARCH = 128;
/** A rebuild starts once tombstones exceed this share of the live entries (and REBUILD_MIN_TOMBSTONES). */
export const REBUILD_TOMBSTONE_SHARE = 0.25;
export const REBUILD_MIN_TOMBSTONES = 64;
/**
 * While a rebuild runs, tombstones past this share of the live entries (and REBUILD_MIN_TOMBSTONES) finish
 * it synchronously, so a burst of writes cannot grow searches' over-fetch without bound.
 */
export const REBUILD_FORCE_SHARE = 1;
/** Vectors added to the rebuilt index per event-loop turn: a few ms to tens of ms of HNSW inserts. */
export const REBUILD_CHUNK = 128;

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
  /** Live ids and their keys, in the row order of `<base>.vectors`. */
  ids: Array<[string, number]>;
}

export interface AnnIndex {
  readonly dim: number;
  /** The catalog feed position this index reflects (every change at or below it is applied). */
  position: number;
  size(): number;
  /** Superseded or deleted entries still in the graph (filtered out of searches until the next rebuild). */
  tombstones(): number;
  has(id: string): boolean;
  upsert(entries: ReadonlyArray<{ id: string; vector: Float32Array }>): void;
  remove(ids: Iterable<string>): void;
  search(vector: Float32Array, k: number): Array<{ id: string; score: number }>;
  /** Resolves when no rebuild is under way. */
  settled(): Promise<void>;
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

const sameVector = (a: Float32Array, b: Float32Array) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** Adds rows under fresh keys (usearch's only safe write, see the top of this file). */
const addRows = (index: Index, dim: number, rows: ReadonlyArray<readonly [number, Float32Array]>) => {
  if (rows.length === 0) return;
  const keys = new BigUint64Array(rows.length);
  const flat = new Float32Array(rows.length * dim);
  rows.forEach(([key, vector], i) => {
    keys[i] = BigInt(key);
    flat.set(vector, i * dim);
  });
  index.add(keys, flat);
};

interface Rebuild {
  index: Index;
  /** Live [id, key] pairs when it started, added in chunks. */
  todo: Array<[string, number]>;
  at: number;
  added: Set<number>;
}

interface State {
  keys: Map<string, number>;
  vectors: Map<string, Float32Array>;
  nextKey: number;
  position: number;
}

const wrap = (native: Index, o: AnnIndexOptions, state: State) => {
  const { dim } = o;
  const { keys, vectors } = state;
  let { nextKey } = state;
  const ids = new Map<number, string>();
  for (const [id, key] of keys) ids.set(key, id);
  let rebuild: Rebuild | undefined;
  let settled: { promise: Promise<void>; resolve: () => void } | undefined;

  const tombstones = () => native.size() - keys.size;
  const limit = (share: number) => Math.max(REBUILD_MIN_TOMBSTONES, share * keys.size);

  /** Adds the next chunk of the rebuild; swaps the new index in once every live entry is in it. */
  const step = (r: Rebuild, chunk: number) => {
    const rows: Array<[number, Float32Array]> = [];
    for (const end = Math.min(r.todo.length, r.at + chunk); r.at < end; r.at++) {
      const [id, key] = r.todo[r.at];
      // Skipped when written since: its current key is added at the swap.
      if (keys.get(id) === key) rows.push([key, vectors.get(id)!]);
    }
    addRows(r.index, dim, rows);
    for (const [key] of rows) r.added.add(key);
    if (r.at < r.todo.length) return;
    addRows(
      r.index,
      dim,
      [...keys].filter(([, key]) => !r.added.has(key)).map(([id, key]) => [key, vectors.get(id)!] as const),
    );
    native = r.index;
    rebuild = undefined;
    settled?.resolve();
    settled = undefined;
  };

  const drive = (r: Rebuild) => {
    if (rebuild !== r) return;
    step(r, REBUILD_CHUNK);
    if (rebuild === r) setImmediate(drive, r);
  };

  const maintain = () => {
    if (rebuild && tombstones() > limit(REBUILD_FORCE_SHARE)) step(rebuild, Number.POSITIVE_INFINITY);
    if (rebuild || tombstones() <= limit(REBUILD_TOMBSTONE_SHARE)) return;
    const r: Rebuild = { index: open(o), todo: [...keys], at: 0, added: new Set() };
    rebuild = r;
    drive(r);
  };

  const ann: AnnIndex = {
    dim,
    position: state.position,
    size: () => keys.size,
    tombstones,
    has: (id) => keys.has(id),
    upsert(entries) {
      const rows: Array<[number, Float32Array]> = [];
      for (const e of entries) {
        const old = keys.get(e.id);
        if (old !== undefined) {
          // The same vector (a change to a field the text leaves out, like a price) leaves no tombstone.
          if (sameVector(vectors.get(e.id)!, e.vector)) continue;
          ids.delete(old);
        }
        const key = nextKey++;
        keys.set(e.id, key);
        ids.set(key, e.id);
        // A copy: the encoder's output may be a view into a whole batch.
        const vector = e.vector.slice();
        vectors.set(e.id, vector);
        rows.push([key, vector]);
      }
      addRows(native, dim, rows);
      maintain();
    },
    remove(removed) {
      for (const id of removed) {
        const key = keys.get(id);
        if (key === undefined) continue;
        keys.delete(id);
        ids.delete(key);
        vectors.delete(id);
      }
      maintain();
    },
    search(vector, k) {
      if (keys.size === 0 || k <= 0) return [];
      // Every live entry is in `native` (a rebuild adds to its own index and swaps when complete), and at
      // most `tombstones()` of the nearest are stale.
      const found = native.search(vector, Math.min(k + tombstones(), native.size()), 0) as Matches;
      const out: Array<{ id: string; score: number }> = [];
      for (let i = 0; i < found.keys.length && out.length < k; i++) {
        const id = ids.get(Number(found.keys[i]));
        if (id !== undefined) out.push({ id, score: 1 - found.distances[i] });
      }
      return out;
    },
    settled() {
      if (!rebuild) return Promise.resolve();
      if (!settled) {
        let resolve = () => {};
        const promise = new Promise<void>((r) => {
          resolve = r;
        });
        settled = { promise, resolve };
      }
      return settled.promise;
    },
    async save(base) {
      await mkdir(dirname(base), { recursive: true });
      // Written beside and renamed into place, the json last, so a crash mid-save leaves a readable set
      // (a mismatched one is refused at load, and the index rebuilt from the catalog).
      native.save(`${base}.usearch.tmp`);
      const live = [...keys];
      const rows = new Float32Array(live.length * dim);
      live.forEach(([id], i) => {
        rows.set(vectors.get(id)!, i * dim);
      });
      const meta: SavedMeta = { dim, position: ann.position, nextKey, ids: live };
      await writeFile(`${base}.vectors.tmp`, new Uint8Array(rows.buffer));
      await writeFile(`${base}.json.tmp`, JSON.stringify(meta));
      await rename(`${base}.usearch.tmp`, `${base}.usearch`);
      await rename(`${base}.vectors.tmp`, `${base}.vectors`);
      await rename(`${base}.json.tmp`, `${base}.json`);
    },
  };
  return ann;
};

export const createAnnIndex = (o: AnnIndexOptions): AnnIndex =>
  wrap(open(o), o, { keys: new Map(), vectors: new Map(), nextKey: 1, position: 0 });

const FILES = ['usearch', 'vectors', 'json'] as const;

/**
 * The saved index at `base`, or undefined when there is none or it cannot be read (it is rebuilt then): also
 * one saved before the vectors were kept beside it, or whose files do not match.
 */
export const loadAnnIndex = async (
  base: string,
  o: Omit<AnnIndexOptions, 'dim'>,
): Promise<AnnIndex | undefined> => {
  if (!FILES.every((ext) => existsSync(`${base}.${ext}`))) return undefined;
  try {
    const meta = JSON.parse(await readFile(`${base}.json`, 'utf8')) as SavedMeta;
    const bytes = await readFile(`${base}.vectors`);
    if (bytes.byteLength !== meta.ids.length * meta.dim * 4) return undefined;
    const rows = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const options = { ...o, dim: meta.dim };
    const index = open(options);
    index.load(`${base}.usearch`);
    // Safe to look keys up: a loaded index has never erased one.
    const keys = BigUint64Array.from(meta.ids, ([, key]) => BigInt(key));
    if (keys.length > 0 && ![index.contains(keys)].flat().every(Boolean)) return undefined;
    const vectors = new Map(meta.ids.map(([id], i) => [id, rows.subarray(i * meta.dim, (i + 1) * meta.dim)]));
    return wrap(index, options, {
      keys: new Map(meta.ids),
      vectors,
      nextKey: meta.nextKey,
      position: meta.position,
    });
  } catch {
    return undefined;
  }
};

export const deleteSavedIndex = async (base: string): Promise<void> => {
  await Promise.all(FILES.map((ext) => rm(`${base}.${ext}`, { force: true })));
};

// The HNSW wrapper under churn (issue 14): thousands of rewrites and deletes of the same few ids answer, and
// searches return current vectors only, during and after rebuilds and across a save and load.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type AnnIndex,
  createAnnIndex,
  loadAnnIndex,
  REBUILD_CHUNK,
  REBUILD_MIN_TOMBSTONES,
} from '../../../src/modules/vectors/ann-index.ts';
import { normalized } from './testing.ts';

const DIM = 16;

const randomVectors = (seed: number) => {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
  return () => normalized(Array.from({ length: DIM }, next));
};

/** Rewrites and deletes ids in `0..n` for `cycles` rounds; returns the current vector of each live id. */
const churn = (ann: AnnIndex, n: number, cycles: number, seed = 7) => {
  const vector = randomVectors(seed);
  const live = new Map<string, Float32Array>();
  const put = (id: string) => {
    const v = vector();
    ann.upsert([{ id, vector: v }]);
    live.set(id, v);
  };
  for (let i = 0; i < n; i++) put(`sku-${i}`);
  for (let c = 0; c < cycles; c++) {
    // Most writes hit one item, like the PATCH loop; the rest spread over the others.
    const id = `sku-${c % 3 === 0 ? c % n : 5}`;
    if (c % 11 === 0 && live.has(id)) {
      ann.remove([id]);
      live.delete(id);
    } else put(id);
  }
  return live;
};

const assertCurrent = (ann: AnnIndex, live: ReadonlyMap<string, Float32Array>, n: number) => {
  assert.equal(ann.size(), live.size);
  // Each live id among the few nearest to its own current vector. HNSW is approximate (usearch's parallel
  // inserts also vary the graph run to run): a node can be left unreachable now and then, at any size (57 of
  // 58 seen once in a CI run). Two misses, or 2%, are allowed; a stale or lost vector would miss far more.
  const allowedMisses = Math.max(2, Math.ceil(0.02 * live.size));
  let found = 0;
  for (const [id, v] of live) {
    const hit = ann.search(v, 5).find((h) => h.id === id);
    if (hit) assert.ok(hit.score > 0.999, `${id} ${hit.score}`);
    if (hit) found++;
  }
  assert.ok(found >= live.size - allowedMisses, `${found} of ${live.size}`);
  // A wide search lists live ids only, each once: nothing deleted, no superseded copy.
  const wide = ann.search(live.values().next().value!, n).map((h) => h.id);
  assert.equal(new Set(wide).size, wide.length);
  for (const id of wide) assert.ok(live.has(id), id);
};

test('thousands of rewrites and deletes of the same ids on a 60-vector index answer; only current vectors are found', () => {
  const ann = createAnnIndex({ dim: DIM });
  const live = churn(ann, 60, 5_000);
  assertCurrent(ann, live, 60);
  // Rebuilt as it went: stale entries stay a bounded share.
  assert.ok(ann.tombstones() <= Math.max(REBUILD_MIN_TOMBSTONES, live.size), `${ann.tombstones()}`);
});

test('an index larger than a rebuild chunk is rebuilt across event-loop turns and answers meanwhile', async () => {
  const n = REBUILD_CHUNK * 4;
  const ann = createAnnIndex({ dim: DIM });
  const live = churn(ann, n, n);
  // Writes and searches between the chunks of a rebuild.
  const more = churn(ann, n, 200, 11);
  assertCurrent(ann, more, n);
  await ann.settled();
  assertCurrent(ann, more, n);
  assert.ok(ann.tombstones() <= Math.max(REBUILD_MIN_TOMBSTONES, live.size));
});

test('a saved index loads with its tombstones still filtered out, and keeps taking writes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-ann-'));
  try {
    const ann = createAnnIndex({ dim: DIM });
    const live = churn(ann, 60, 1_000);
    ann.position = 42;
    await ann.settled();
    await ann.save(join(dir, 'idx'));
    const loaded = await loadAnnIndex(join(dir, 'idx'), {});
    assert.ok(loaded);
    assert.equal(loaded.position, 42);
    assert.equal(loaded.tombstones(), ann.tombstones());
    assertCurrent(loaded, live, 60);
    assertCurrent(loaded, churn(loaded, 60, 1_000, 13), 60);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

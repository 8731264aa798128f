// The trees run's choices by inner cross-validation of the train queries: stable folds, the current linear
// ranker kept (with no trees) when nothing beats it on the inner folds, and a wide linear part chosen when
// it ranks the judged items first where the current weights cannot.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WIDE_RANKER_FEATURES, WIDE_WIDTH } from '../../../src/modules/search/index.ts';
import { foldQueries, type LtrQuery } from '../../../src/modules/training/ltr.ts';
import { treeRankerOfflineRun } from '../../../src/modules/training/ltr-trees.ts';

const TITLE = WIDE_RANKER_FEATURES.indexOf('title_bm25');
const GRID = [{ trees: 5, depth: 2, learningRate: 0.1, minLeaf: 2 }];

/** 20 candidates, keyword decreasing; the judged ones have title BM25 1 and sit at `judged` in keyword order. */
const query = (name: string, judged: readonly number[]): LtrQuery => {
  const ids = Array.from({ length: 20 }, (_, i) => `${name}-${i}`);
  const wide = new Float32Array(ids.length * WIDE_WIDTH);
  const features = new Float32Array(ids.length * 3);
  ids.forEach((_, r) => {
    wide[r * WIDE_WIDTH] = 1 - r / 20;
    if (judged.includes(r)) wide[r * WIDE_WIDTH + TITLE] = 1;
    features.set(wide.subarray(r * WIDE_WIDTH, r * WIDE_WIDTH + 3), r * 3);
  });
  return { query: name, ids, features, wide, gains: new Map(judged.map((r) => [ids[r], 1])) };
};

const CURRENT = { weights: { keyword: 1, vector: 0, coverage: 0 } };

describe('trees run chosen on inner folds', () => {
  test('folds by a stable hash: every query held out once, whatever the order; too few queries, none', () => {
    const qs = Array.from({ length: 12 }, (_, i) => ({ query: `query ${i}` }));
    const folds = foldQueries(qs, 5);
    assert.equal(folds.length, 5);
    const held = folds.flatMap((f) => f.test.map((q) => q.query)).sort();
    assert.deepEqual(held, qs.map((q) => q.query).sort());
    for (const f of folds) assert.equal(f.train.length + f.test.length, qs.length);
    assert.deepEqual(
      foldQueries([...qs].reverse(), 5).map((f) => f.test),
      folds.map((f) => f.test),
    );
    assert.deepEqual(foldQueries(qs.slice(0, 1), 5), []);
  });

  test('the current weights, already perfect on every inner fold, are kept with no trees', () => {
    const qs = Array.from({ length: 10 }, (_, i) => query(`top ${i}`, [0, 1, 2]));
    const run = treeRankerOfflineRun(qs, [], CURRENT, undefined, GRID);
    assert.equal(run.params?.linear, 'current');
    assert.equal(run.params?.trees, 0);
    assert.equal(run.params?.validNdcg, 1);
  });

  test('a linear part reading the title column wins when the judged items sit deep in keyword order', () => {
    const qs = Array.from({ length: 10 }, (_, i) => query(`deep ${i}`, [12, 15, 18]));
    const run = treeRankerOfflineRun(qs, [], CURRENT, undefined, GRID);
    assert.notEqual(run.params?.linear, 'current');
    assert.ok(run.params!.validNdcg > 0.99, JSON.stringify(run.params));
  });
});

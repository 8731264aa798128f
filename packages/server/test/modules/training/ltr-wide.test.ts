// The linear part over wide columns: coordinate ascent finds a wide column that ranks the judged items first
// (and leaves it at 0 when the set does not name it); a current trees ranker over an older prefix of the wide
// columns is measured on its own columns; a version's columns are read from its metadata.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WIDE_RANKER_FEATURES, WIDE_WIDTH } from '../../../src/modules/search/index.ts';
import { rankerColumns } from '../../../src/modules/search/ranker-features.ts';
import { type LtrQuery, measureCurrent } from '../../../src/modules/training/ltr.ts';
import { fitWideLinear, LINEAR_COLUMN_SETS } from '../../../src/modules/training/ltr-wide.ts';

const TITLE = WIDE_RANKER_FEATURES.indexOf('title_bm25');

/** 20 candidates; keyword decreasing; the judged ones (3 of them, deep in keyword order) have title BM25 1. */
const query = (name: string): LtrQuery => {
  const ids = Array.from({ length: 20 }, (_, i) => `${name}-${i}`);
  const wide = new Float32Array(ids.length * WIDE_WIDTH);
  const judged = [12, 15, 18];
  ids.forEach((_, r) => {
    wide[r * WIDE_WIDTH] = 1 - r / 20;
    if (judged.includes(r)) wide[r * WIDE_WIDTH + TITLE] = 1;
  });
  const features = new Float32Array(ids.length * 3);
  ids.forEach((_, r) => {
    features.set(wide.subarray(r * WIDE_WIDTH, r * WIDE_WIDTH + 3), r * 3);
  });
  return { query: name, ids, features, wide, gains: new Map(judged.map((r) => [ids[r], 1])) };
};

describe('linear part over wide columns', () => {
  const queries = Array.from({ length: 6 }, (_, i) => query(`q${i}`));

  test('a set naming the helpful column weighs it; the narrow set leaves it at 0', () => {
    const title = fitWideLinear(queries, WIDE_RANKER_FEATURES, LINEAR_COLUMN_SETS.title);
    assert.ok(title[TITLE] > 0, JSON.stringify(title));
    const narrow = fitWideLinear(queries, WIDE_RANKER_FEATURES, LINEAR_COLUMN_SETS.narrow);
    assert.equal(narrow[TITLE], 0);
    assert.equal(narrow.length, WIDE_WIDTH);
  });

  test('a current trees ranker over the first 15 columns is measured on them', () => {
    const features = WIDE_RANKER_FEATURES.slice(0, 15);
    // Linear on keyword alone: the judged rows sit at ranks 13, 16, 19.
    const trees = { features: [...features], trees: [], linear: features.map((_, i) => (i === 0 ? 1 : 0)) };
    const m = measureCurrent(queries, { trees });
    assert.ok(m, 'measured');
    assert.ok(m['ndcg@10'] < 0.5, JSON.stringify(m));
    assert.equal(
      measureCurrent(queries, { trees: { ...trees, features: ['no such column'], linear: [1] } }),
      null,
    );
  });

  test("a version's columns: named in its metadata, else its sample input's width", () => {
    assert.deepEqual(rankerColumns({ ranker: { features: ['title_bm25', 'keyword'] } }), [
      'title_bm25',
      'keyword',
    ]);
    assert.deepEqual(rankerColumns({ sampleInput: [{ shape: [1, 3] }] }), ['keyword', 'vector', 'coverage']);
    assert.deepEqual(rankerColumns({ sampleInput: [{ shape: [1, 15] }] }), WIDE_RANKER_FEATURES.slice(0, 15));
    assert.equal(rankerColumns({}), undefined);
  });
});

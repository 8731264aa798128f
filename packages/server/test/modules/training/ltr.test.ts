// The search ranker's fitting: NDCG@10 counted per judged row (checked against a sort), ties broken by id as
// the server breaks them, and coordinate ascent that finds weights ranking the judged items first.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { linearRankerVersion, linearRankerWeights } from '../../../src/modules/search/index.ts';
import { RERANK_FEATURES } from '../../../src/modules/search/rerank.ts';
import {
  fitRanker,
  KEYWORD_ONLY,
  type LtrQuery,
  ndcgScorer,
  RANKER_FEATURES,
  rankerOfflineRun,
  rankIds,
  splitQueries,
} from '../../../src/modules/training/ltr.ts';

const query = (rows: Array<[string, number, number, number]>, gains: Record<string, number>): LtrQuery => ({
  query: 'q',
  ids: rows.map((r) => r[0]),
  features: Float32Array.from(rows.flatMap((r) => r.slice(1) as number[])),
  gains: new Map(Object.entries(gains)),
});

/** NDCG@10 by sorting (gain = judgment; ideal from all judgments). */
const ndcgBySort = (q: LtrQuery, ranked: string[]) => {
  const d = (i: number) => 1 / Math.log2(i + 2);
  const dcg = ranked.slice(0, 10).reduce((s, id, i) => s + (q.gains.get(id) ?? 0) * d(i), 0);
  const ideal = [...q.gains.values()]
    .sort((a, b) => b - a)
    .slice(0, 10)
    .reduce((s, g, i) => s + g * d(i), 0);
  return ideal > 0 ? dcg / ideal : 0;
};

describe('learning to rank', () => {
  test('the features are the search ranker’s columns', () => {
    assert.deepEqual(RANKER_FEATURES, RERANK_FEATURES);
  });

  test('NDCG@10 by counting equals NDCG@10 by sorting, ties by id included', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let t = 0; t < 30; t++) {
      const rows: Array<[string, number, number, number]> = [];
      const gains: Record<string, number> = {};
      for (let i = 0; i < 40; i++) {
        // Coarse values make ties common.
        rows.push([
          `i${(i * 37) % 41}`,
          Math.round(rnd() * 4) / 4,
          Math.round(rnd() * 2) / 2,
          rnd() < 0.5 ? 0 : 1,
        ]);
        if (rnd() < 0.3) gains[rows[i][0]] = Math.round(rnd() * 30) / 10;
      }
      gains['not-a-candidate'] = 1;
      const q = query(rows, gains);
      const w = { keyword: rnd() * 2 - 0.5, vector: rnd(), coverage: rnd() * 2 };
      const counted = ndcgScorer([q]).mean(w);
      assert.ok(Math.abs(counted - ndcgBySort(q, rankIds(q, w))) < 1e-12, `trial ${t}`);
    }
  });

  test('rankIds breaks ties by id, as the server does', () => {
    const q = query(
      [
        ['b', 1, 0, 0],
        ['a', 1, 0, 0],
        ['c', 2, 0, 0],
      ],
      {},
    );
    assert.deepEqual(rankIds(q, KEYWORD_ONLY), ['c', 'a', 'b']);
  });

  test('coordinate ascent learns to weigh coverage when the judged items are the covered ones', () => {
    // Keyword favours the uncovered items; the judged (clicked) ones cover the query.
    const queries = [0, 1, 2, 3].map((n) =>
      query(
        [
          [`x${n}`, 1, 0.5, 0],
          [`y${n}`, 0.9, 0.5, 0],
          [`good${n}`, 0.7, 0.5, 1],
        ],
        { [`good${n}`]: 2 },
      ),
    );
    const scorer = ndcgScorer(queries);
    assert.ok(scorer.mean(KEYWORD_ONLY) < 0.6);
    const rounds: number[] = [];
    const w = fitRanker(queries, KEYWORD_ONLY, (_, best) => rounds.push(best));
    assert.equal(scorer.mean(w), 1);
    assert.ok(w.coverage > 0.3 * w.keyword, JSON.stringify(w));
    assert.equal(rounds.at(-1), 1);
    for (const q of queries) assert.equal(rankIds(q, w)[0], `good${q.ids[0].slice(1)}`);
  });

  test('no queries: NDCG 0 and the start weights', () => {
    assert.equal(ndcgScorer([]).mean(KEYWORD_ONLY), 0);
    assert.deepEqual(fitRanker([]), KEYWORD_ONLY);
  });

  test('queries split by a stable hash: the same test queries whatever their order, at least one held out', () => {
    const qs = Array.from({ length: 10 }, (_, i) => ({ query: `query ${i}` }));
    const a = splitQueries(qs, 0.2);
    const b = splitQueries([...qs].reverse(), 0.2);
    assert.equal(a.test.length, 2);
    assert.equal(a.train.length, 8);
    assert.deepEqual(a.test, b.test);
    assert.equal(splitQueries(qs.slice(0, 2), 0.01).test.length, 1);
    assert.deepEqual(splitQueries(qs.slice(0, 1), 0.5), { train: qs.slice(0, 1), test: [] });
  });

  test('the offline run measures the fit and the current ranker on the test queries only', () => {
    const make = (n: number) =>
      query(
        [
          [`x${n}`, 1, 0, 0],
          [`good${n}`, 0.5, 0, 1],
        ],
        { [`good${n}`]: 1 },
      );
    const run = rankerOfflineRun([make(1), make(2)], [make(3)], { weights: KEYWORD_ONLY });
    assert.equal(run.metrics?.queries, 1);
    assert.equal(run.metrics?.['ndcg@10'], 1);
    assert.equal(run.baseline?.['ndcg@10'], 1 / Math.log2(3));
    assert.ok(run.weights);
    assert.equal(rankIds(make(4), run.weights)[0], 'good4');
    const none = rankerOfflineRun([make(1)], [], null);
    assert.equal(none.metrics, null);
    assert.equal(none.baseline, null);
  });

  test('a linear ranker version names its weights; the current ranker is read back from them', () => {
    const w = { keyword: 0.5, vector: 0.25, coverage: 2 };
    const { metadata } = linearRankerVersion(w, { framework: 'x', description: 'y', runId: 'trn_1' });
    assert.deepEqual(metadata.ranker, {
      features: [...RANKER_FEATURES],
      weights: [0.5, 0.25, 2],
      runId: 'trn_1',
    });
    assert.deepEqual(linearRankerWeights(metadata), w);
    // Built-in versions registered before the metadata named weights: the built-in weights.
    assert.deepEqual(linearRankerWeights({ framework: 'quiver-builtin' }), {
      keyword: 1,
      vector: 0.15,
      coverage: 1.4,
    });
    // A tenant's own ranker, or other features: unknown.
    assert.equal(linearRankerWeights({ framework: 'onnx' }), undefined);
    assert.equal(
      linearRankerWeights({ ranker: { features: ['a', 'b', 'c'], weights: [1, 2, 3] } }),
      undefined,
    );
  });
});

// The wide ranker features (input contract v2) from index-time analysis, and exploration's shuffle of ranks
// 3–20 (the first two stay; nothing is lost or repeated; ε 0 never shuffles).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { prng } from '../../../src/kernel/random.ts';
import { coverageOfItems } from '../../../src/modules/search/coverage-terms.ts';
import { explore, shuffleRanks } from '../../../src/modules/search/explore.ts';
import { analyzeQuery } from '../../../src/modules/search/query.ts';
import { FieldTerms, WIDE_RANKER_FEATURES, wideRows } from '../../../src/modules/search/ranker-features.ts';

const col = (name: (typeof WIDE_RANKER_FEATURES)[number]) => WIDE_RANKER_FEATURES.indexOf(name);

describe('wide ranker features', () => {
  const fields = new FieldTerms();
  fields.put('a', { title: 'Acme XPS 13 laptop', brand: 'Acme', categories: ['computers/laptops'] });
  fields.put('b', { title: 'Laptop bag for XPS', brand: 'Other' });
  const coverageOf = coverageOfItems([
    { id: 'a', title: 'Acme XPS 13 laptop', brand: 'Acme' },
    { id: 'b', title: 'Laptop bag for XPS', brand: 'Other', description: 'Fits the XPS 13 and 15' },
  ]);
  const items = new Map([
    ['a', { price: { amount: 900, currency: 'EUR' }, createdAt: '2026-12-01T00:00:00Z' }],
    ['b', { price: { amount: 30, currency: 'EUR' }, createdAt: '2026-01-01T00:00:00Z' }],
  ]);
  const now = Date.parse('2026-12-01T00:00:00Z');
  const rows = wideRows(
    analyzeQuery('acme xps 13 laptops'),
    [
      { id: 'a', features: [1, 0.5, 1] },
      { id: 'b', features: [0.4, 0, 0.5] },
      { id: 'unknown', features: [0.1, 0, 0] },
    ],
    { fields, items, coverageOf },
    now,
  );

  test('the narrow three come first, then the text and item features', () => {
    assert.equal(rows[0].length, WIDE_RANKER_FEATURES.length);
    assert.deepEqual(rows[0].slice(0, 3), [1, 0.5, 1]);
    const [a, b, unknown] = rows;
    assert.equal(a[col('title_coverage')], 1);
    assert.equal(b[col('title_coverage')], 0.5);
    assert.equal(a[col('title_phrase')], 1);
    assert.equal(a[col('title_prefix')], 1);
    assert.equal(b[col('title_prefix')], 0);
    assert.equal(a[col('title_exact')], 1);
    assert.equal(a[col('model_number')], 1);
    assert.equal(b[col('model_number')], 0);
    assert.equal(a[col('query_has_number')], 1);
    assert.equal(a[col('brand_match')], 1);
    assert.equal(b[col('brand_match')], 0);
    assert.equal(a[col('category_match')], 0.25);
    assert.equal(a[col('price_position')], 1);
    assert.equal(b[col('price_position')], 0);
    assert.equal(a[col('freshness')], 1);
    assert.ok(b[col('freshness')] < 0.1);
    assert.equal(unknown[col('price_position')], -1);
    assert.equal(unknown[col('title_coverage')], 0);
    // The title BM25 relative to the best candidate's; the model number read from the description too.
    assert.equal(a[col('title_bm25')], 1);
    assert.ok(b[col('title_bm25')] > 0 && b[col('title_bm25')] < 1);
    assert.equal(unknown[col('title_bm25')], 0);
    assert.equal(b[col('model_number_text')], 1);
    assert.equal(unknown[col('model_number_text')], 0);
    assert.equal(a[col('keyword_rank')], 1);
    assert.equal(b[col('keyword_rank')], 1 / Math.log2(3));
  });

  test("title BM25's statistics follow puts, updates and removals", () => {
    const f = new FieldTerms();
    f.put('x', { title: 'red lamp' });
    f.put('y', { title: 'blue lamp' });
    const q = f.termIds(['red']);
    const before = f.titleBm25(q, f.get('x')!.title);
    f.put('z', { title: 'red chair' });
    // "red" is in more titles now: worth less.
    assert.ok(f.titleBm25(q, f.get('x')!.title) < before);
    f.remove('z');
    assert.equal(f.titleBm25(q, f.get('x')!.title), before);
    f.put('y', { title: 'blue lamp' });
    assert.equal(f.titleBm25(q, f.get('x')!.title), before);
    assert.equal(f.titleBm25(q, f.get('y')!.title), 0);
  });

  test('exploration shuffles ranks 3–20 only, and only for a share ε', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `i${i}`);
    const shuffled = shuffleRanks(ids, prng(1));
    assert.deepEqual(shuffled.slice(0, 2), ids.slice(0, 2));
    assert.deepEqual(shuffled.slice(20), ids.slice(20));
    assert.notDeepEqual(shuffled.slice(2, 20), ids.slice(2, 20));
    assert.deepEqual([...shuffled].sort(), [...ids].sort());
    const never = explore(prng(2), 0);
    assert.equal(never(ids), ids);
    const some = explore(prng(3), 0.3);
    let n = 0;
    for (let i = 0; i < 1000; i++) if (some(ids) !== ids) n++;
    assert.ok(n > 200 && n < 400, `${n} of 1000 explored`);
  });
});

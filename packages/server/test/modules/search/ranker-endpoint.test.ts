// Search through the `search-ranker` endpoint: a tenant's first hybrid search creates it (routing to the
// built-in ranker), every hybrid answer names the variant that ranked it, an A/B split assigns users
// stickily and reorders their results, and clicks and purchases carrying the searchId are attributed to the
// variant in the endpoint's experiment results. Versions reading narrow rows, the first 15 wide columns (a
// version fitted before columns 16–18 existed) or named columns in any order serve side by side, each sent
// the columns its metadata names; the served columns equal the training rows (`rankerCandidates`).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ExperimentResults } from '@quiver/contracts';
import { RANKER_MODEL } from '../../../src/modules/search/onnx-ranker.ts';
import { WIDE_RANKER_FEATURES } from '../../../src/modules/search/ranker-features.ts';
import { linearRankerGraph, RANKER_INPUT } from '../../../src/modules/search/ranker-graph.ts';
import { type TreeEnsemble, treeRankerVersion } from '../../../src/modules/search/tree-ranker.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import {
  OAK_AND_LIGHTS as ITEMS,
  searchOk,
  searchTenant,
  oakAndLightsVectors as vectors,
} from '../../support/search.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

describe('search through the search-ranker endpoint', () => {
  let t: TestApp;
  let h: Record<string, string>;
  const hybrid = (userId?: string) => searchOk(t, h, { query: 'oak lamp', ...(userId ? { userId } : {}) });

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 }, undefined, { vectors });
    h = await searchTenant(t, 'ranker-ep', ITEMS, { vectors: true });
  });
  after(() => t.close());

  test('the first hybrid search creates the endpoint; the answer names its variant', async () => {
    const r = await hybrid();
    assert.deepEqual(r.ranker, {
      endpoint: 'search-ranker',
      variant: `${RANKER_MODEL}@champion`,
      model: RANKER_MODEL,
      version: '1',
    });
    assert.match(r.searchId, /^srch_[^.]+\.[0-9a-z]+\.rt1~search-ranker~/);
    const ep = await t.request({ method: 'GET', url: '/v1/endpoints/search-ranker', headers: h });
    assert.equal(ep.statusCode, 200, ep.body);
    assert.equal(ep.json().routes[0].model, RANKER_MODEL);
    const keyword = await t.request({
      method: 'POST',
      url: '/v1/search',
      headers: h,
      payload: { query: 'oak lamp', mode: 'keyword' },
    });
    assert.equal(keyword.json().ranker, undefined, 'a keyword answer has no second phase');
  });

  test('an A/B split assigns users stickily, reorders, and attributes clicks by the searchId', async () => {
    // Version 2 ranks by vector similarity only: the nearest item (v2) first.
    const { version } = await t.registry.uploadVersion('ranker-ep', RANKER_MODEL, {
      artifact: linearRankerGraph({ keyword: 0, vector: 1, coverage: 0 }),
      metadata: { sampleInput: [{ name: RANKER_INPUT, datatype: 'FP32', shape: [1, 3], data: [0, 0, 0] }] },
    });
    const put = await t.request({
      method: 'PUT',
      url: '/v1/endpoints/search-ranker',
      headers: h,
      payload: {
        routes: [
          { model: RANKER_MODEL, version: 1, weight: 50, variant: 'shipped' },
          { model: RANKER_MODEL, version: version.version, weight: 50, variant: 'vector-first' },
        ],
        stickyBy: 'userId',
      },
    });
    assert.equal(put.statusCode, 200, put.body);
    const events: object[] = [];
    const seen = new Map<string, string>();
    for (let u = 0; u < 40; u++) {
      const userId = `user-${u}`;
      const r = await hybrid(userId);
      const again = await hybrid(userId);
      assert.equal(again.ranker?.variant, r.ranker?.variant, 'sticky by user');
      seen.set(userId, r.ranker!.variant);
      assert.equal(r.hits[0].item.id, r.ranker!.variant === 'vector-first' ? 'v2' : 'k1');
      // Users of vector-first click and buy; users of shipped only click.
      const base = { userId, itemId: r.hits[0].item.id, timestamp: new Date().toISOString() };
      const properties = { searchId: r.searchId };
      events.push({ id: `click-${u}`, type: 'click', ...base, properties });
      if (r.ranker!.variant === 'vector-first')
        events.push({ id: `buy-${u}`, type: 'purchase', ...base, properties });
    }
    const variants = new Set(seen.values());
    assert.deepEqual([...variants].sort(), ['shipped', 'vector-first']);
    const sent = await t.request({ method: 'POST', url: '/v1/events', headers: h, payload: { events } });
    assert.equal(sent.statusCode, 202, sent.body);
    await t.routing.flush();
    const byVariant = (r: ExperimentResults) => Object.fromEntries(r.variants.map((v) => [v.variant, v]));
    const expected = (name: string) => [...seen.values()].filter((v) => v === name).length;
    const end = Date.now() + 20_000;
    for (;;) {
      const res = await t.request({
        method: 'GET',
        url: '/v1/endpoints/search-ranker/results?metric=purchase',
        headers: h,
      });
      assert.equal(res.statusCode, 200, res.body);
      const v = byVariant(res.json());
      if (v['vector-first']?.conversions === expected('vector-first')) {
        assert.equal(v.shipped.conversions, 0);
        assert.equal(v['vector-first'].exposures, expected('vector-first'));
        assert.equal(v.shipped.exposures, expected('shipped'));
        break;
      }
      if (Date.now() > end) throw new Error(`purchases not attributed: ${res.body}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  /** A version scoring by one column alone (linear, weight 1), reading `columns`. */
  const oneColumn = async (columns: readonly string[], column: string) => {
    const e: TreeEnsemble = {
      features: [...columns],
      // One tree of a single zero leaf: the score is the linear part's.
      trees: [{ feature: [-1], threshold: [0], left: [0], right: [0], value: [0] }],
      linear: columns.map((c) => (c === column ? 1 : 0)),
    };
    const { version } = await t.registry.uploadVersion(
      'ranker-ep',
      RANKER_MODEL,
      treeRankerVersion(e, { framework: 'test', description: `${column} alone` }),
    );
    return version.version;
  };
  const route = async (routes: Array<{ version: number; weight: number; variant: string }>) => {
    const put = await t.request({
      method: 'PUT',
      url: '/v1/endpoints/search-ranker',
      headers: h,
      payload: { routes: routes.map((r) => ({ model: RANKER_MODEL, ...r })), stickyBy: 'userId' },
    });
    assert.equal(put.statusCode, 200, put.body);
  };

  test('each version is sent the columns its metadata names: narrow, an older wide prefix, named ones', async () => {
    const old = await oneColumn(WIDE_RANKER_FEATURES.slice(0, 15), 'title_coverage');
    const named = await oneColumn(['title_bm25', 'keyword'], 'title_bm25');
    await route([
      { version: 1, weight: 34, variant: 'narrow' },
      { version: old, weight: 33, variant: 'old-wide' },
      { version: named, weight: 33, variant: 'named' },
    ]);
    const training = new Map(
      (await t.search.rankerCandidates('ranker-ep', 'oak lamp')).map((c) => [c.id, c.features]),
    );
    const col = (name: string) => WIDE_RANKER_FEATURES.indexOf(name as (typeof WIDE_RANKER_FEATURES)[number]);
    const seen = new Set<string>();
    for (let u = 0; u < 30; u++) {
      const r = await hybrid(`wide-${u}`);
      assert.deepEqual(r.notices, [], JSON.stringify(r.notices));
      const variant = r.ranker!.variant;
      seen.add(variant);
      if (variant === 'narrow') continue;
      const column = col(variant === 'old-wide' ? 'title_coverage' : 'title_bm25');
      for (const hit of r.hits) {
        const row = training.get(hit.item.id);
        assert.ok(row, hit.item.id);
        assert.ok(
          Math.abs(hit.score - row[column]) < 1e-6,
          `${variant} ${hit.item.id}: ${hit.score} vs ${row[column]}`,
        );
      }
    }
    assert.deepEqual([...seen].sort(), ['named', 'narrow', 'old-wide']);
  });

  test('every served column equals the training row of the same query and item', async () => {
    const training = await t.search.rankerCandidates('ranker-ep', 'oak lamp');
    for (const [c, column] of WIDE_RANKER_FEATURES.entries()) {
      await route([{ version: await oneColumn(WIDE_RANKER_FEATURES, column), weight: 100, variant: column }]);
      const r = await hybrid('anyone');
      assert.equal(r.ranker?.variant, column);
      const served = new Map(r.hits.map((hit) => [hit.item.id, hit.score]));
      for (const row of training)
        assert.ok(
          Math.abs(served.get(row.id)! - Math.fround(row.features[c])) < 1e-6,
          `${column} of ${row.id}: served ${served.get(row.id)}, trained on ${row.features[c]}`,
        );
    }
  });
});

// Search through the `search-ranker` endpoint: a tenant's first hybrid search creates it (routing to the
// built-in ranker), every hybrid answer names the variant that ranked it, an A/B split assigns users
// stickily and reorders their results, and clicks and purchases carrying the searchId are attributed to the
// variant in the endpoint's experiment results.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ExperimentResults } from '@quiver/contracts';
import { RANKER_MODEL } from '../../../src/modules/search/onnx-ranker.ts';
import { linearRankerGraph, RANKER_INPUT } from '../../../src/modules/search/ranker-graph.ts';
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
});

// explain: true on POST /v1/search: each hit's score parts (keyword BM25 and rank, vector similarity and rank,
// fusion contributions, the second phase's score and ranker variant) agree with the hit's score and its retrievers; pins say
// so; without the flag nothing changes; storefront keys (scoped or search-only) are refused with problem+json.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BatchItem } from '@quiver/contracts';
import type { VectorRetriever } from '../../../src/modules/search/ports.ts';
import { bearer, startTestApp, type TestApp } from '../../support/app.ts';
import { searchOk, searchTenant } from '../../support/search.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const NOUNS = ['lamp', 'speaker', 'chair'];
const catalog: BatchItem[] = Array.from({ length: 30 }, (_, i) => ({
  id: `item-${String(i).padStart(2, '0')}`,
  title: `${i % 2 ? 'oak' : 'brass'} ${NOUNS[i % 3]} ${i % 5 === 0 ? 'lamp lamp' : ''} model ${i}`,
  brand: i % 2 ? 'Acme' : 'Sonic',
}));

// Vector "model": items whose number is a multiple of 3, highest number first, similarity falling by 0.01.
const vectors: VectorRetriever = {
  async query(_tenant, _text, k) {
    return catalog
      .filter((_, i) => i % 3 === 0)
      .reverse()
      .slice(0, k)
      .map((c, i) => ({ id: c.id, score: 0.9 - i / 100 }));
  },
};

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

describe('search explain (score parts)', () => {
  let app: TestApp;
  let admin: Record<string, string>;
  const search = (payload: object, headers = admin) =>
    app.request({ method: 'POST', url: '/v1/search', headers, payload });
  const ok = (payload: object, headers = admin) => searchOk(app, headers, payload);

  before(async () => {
    app = await startTestApp(STORAGE_KINDS[0], {}, undefined, { vectors });
    admin = await searchTenant(app, 'explain-a', catalog, { vectors: true });
  });
  after(() => app.close());

  test('keyword mode: each hit has its BM25 score and its rank among the keyword matches', async () => {
    const r = await ok({ query: 'lamp', mode: 'keyword', explain: true, limit: 5 });
    assert.equal(r.hits.length, 5);
    r.hits.forEach((h, i) => {
      assert.deepEqual(h.scoreParts, { keyword: { bm25: h.score, rank: i + 1 } });
    });
    // The second page's ranks continue where the first ended.
    const next = await ok({ query: 'lamp', mode: 'keyword', explain: true, limit: 5, page: 2 });
    assert.equal(next.hits[0].scoreParts?.keyword?.rank, 6);
  });

  test("hybrid: retrievers, fusion contributions and the ranker's score and variant agree with the hit", async () => {
    for (const body of [{}, { facets: ['brand'] }]) {
      const r = await ok({ query: 'oak lamp', explain: true, limit: 30, ...body });
      assert.equal(r.mode, 'hybrid');
      let both = 0;
      let second = 0;
      for (const h of r.hits) {
        const parts = h.scoreParts!;
        const what = `${h.item.id} ${JSON.stringify(parts)}`;
        assert.equal(parts.keyword !== undefined, h.retrievers.includes('keyword'), what);
        assert.equal(parts.vector !== undefined, h.retrievers.includes('vector'), what);
        if (parts.keyword && parts.vector) both++;
        if (parts.vector) {
          const n = Number(h.item.id.slice(5));
          assert.equal(parts.vector.rank, (27 - n) / 3 + 1, what);
          assert.ok(close(parts.vector.similarity, 0.9 - (parts.vector.rank - 1) / 100), what);
        }
        const fusion = parts.fusion!;
        assert.equal(fusion.method, 'rrf', what);
        assert.ok(close(fusion.keyword, parts.keyword ? 1 / (60 + parts.keyword.rank) : 0), what);
        assert.ok(close(fusion.vector, parts.vector ? 1 / (60 + parts.vector.rank) : 0), what);
        assert.ok(close(fusion.score, fusion.keyword + fusion.vector), what);
        if (parts.secondPhase) {
          second++;
          assert.equal(parts.secondPhase.score, h.score, what);
          // The app's default second phase is the tenant's ONNX ranker endpoint, named in the answer.
          assert.equal(parts.secondPhase.ranker, 'model', what);
          assert.equal(parts.secondPhase.variant, r.ranker?.variant, what);
        }
      }
      assert.ok(both > 0 && second > 0, JSON.stringify(body));
      // Keyword ranks are the keyword mode's own order.
      const keyword = await ok({ query: 'oak lamp', mode: 'keyword', limit: 30 });
      for (const h of r.hits.filter((x) => x.scoreParts?.keyword))
        assert.equal(keyword.hits[h.scoreParts!.keyword!.rank - 1].item.id, h.item.id);
    }
  });

  test('a pinned hit says so; without explain no hit carries score parts', async () => {
    const rules = await app.request({
      method: 'PUT',
      url: '/v1/search/rules',
      headers: admin,
      payload: { synonyms: [], curations: [{ query: 'speaker', pin: ['item-00'] }] },
    });
    assert.equal(rules.statusCode, 200, rules.body);
    const r = await ok({ query: 'speaker', mode: 'keyword', explain: true });
    assert.equal(r.hits[0].item.id, 'item-00');
    assert.equal(r.hits[0].scoreParts?.pinned, true);
    assert.ok(r.hits[1].scoreParts?.keyword);
    const plain = await ok({ query: 'speaker', mode: 'keyword' });
    assert.ok(plain.hits.length > 0 && plain.hits.every((h) => h.scoreParts === undefined));
  });

  test('storefront keys (scoped or search-only) asking for score parts get 403 problem+json', async () => {
    const minted = await app.request({
      method: 'POST',
      url: '/v1/tenants/explain-a/keys/scoped',
      headers: admin,
      payload: {},
    });
    assert.equal(minted.statusCode, 201, minted.body);
    const created = await app.request({
      method: 'POST',
      url: '/v1/tenants/explain-a/keys',
      headers: admin,
      payload: { name: 'storefront', scopes: ['search'] },
    });
    assert.equal(created.statusCode, 201, created.body);
    for (const key of [bearer(minted.json().secret), bearer(created.json().secret)]) {
      const res = await search({ query: 'lamp', explain: true }, key);
      assert.equal(res.statusCode, 403, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const problem = res.json();
      assert.equal(problem.code, 'forbidden');
      assert.deepEqual(
        problem.errors.map((e: { path: string }) => e.path),
        ['/explain'],
      );
      const multi = await app.request({
        method: 'POST',
        url: '/v1/search/multi',
        headers: key,
        payload: { searches: [{ query: 'lamp' }, { query: 'lamp', explain: true }] },
      });
      assert.equal(multi.statusCode, 403, multi.body);
      assert.equal(multi.json().errors[0].path, '/searches/1/explain');
      // The same key without the flag searches as before.
      assert.equal((await search({ query: 'lamp' }, key)).statusCode, 200);
    }
  });
});

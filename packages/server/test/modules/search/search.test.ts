// POST /v1/search end to end on real storage: typo and prefix queries, filters and facet counts against a
// brute-force count, sort and paging, rules (synonyms, pins, hides), catalog sync within a second with
// deletes that never come back, vector and hybrid modes, tenant isolation and problem+json for bad input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BatchItem, Item, SearchResponse } from '@quiver/contracts';
import { facetValues } from '../../../src/modules/search/facets.ts';
import { type Filter, matches } from '../../../src/modules/search/filters.ts';
import type { VectorRetriever } from '../../../src/modules/search/ports.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { searchOk, searchTenant } from '../../support/search.ts';
import { putItems as putItemsOf } from '../../support/seed.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const BRANDS = ['Acme', 'Sonic', 'Nordic'];
const CATEGORIES = [
  'home/furniture/sofas',
  'home/lighting',
  'electronics/audio',
  'electronics/audio/headphones',
];
const NOUNS = ['sofa', 'lamp', 'speaker', 'headphones', 'chair', 'table'];
const ADJECTIVES = ['grey', 'brass', 'wireless', 'oak', 'velvet', 'compact'];

const catalog: BatchItem[] = Array.from({ length: 120 }, (_, i) => ({
  id: `item-${i}`,
  title: `${ADJECTIVES[i % 6]} ${NOUNS[(i * 7) % 6]} model ${i}`,
  description: i % 5 === 0 ? 'A favourite of reviewers' : undefined,
  brand: BRANDS[i % 3],
  categories: [CATEGORIES[i % 4]],
  price: { amount: 10 + ((i * 37) % 500), currency: 'EUR' },
  available: i % 4 !== 0,
  attributes: { color: ['red', 'blue', 'green'][i % 3], weight: (i % 10) + 0.5 },
}));
catalog.push({ id: 'rare', title: 'Panoramic telescope', brand: 'Acme', categories: ['optics'] });

const hitIds = (r: SearchResponse) => r.hits.map((h) => h.item.id);

// One vector "model" for hybrid tests: ranks items whose id ends in a 7 first; for a text with "model", also
// every even item, in reverse order (a long candidate list, many of them deep in the keyword ranking).
const fakeVectors: VectorRetriever = {
  async query(_tenant, text, k) {
    return catalog
      .filter((c) => c.id.endsWith('7') || (text.includes('model') && Number(c.id.slice(5)) % 2 === 0))
      .reverse()
      .slice(0, k)
      .map((c, i) => ({ id: c.id, score: 1 - i / 100 }));
  },
};

for (const kind of STORAGE_KINDS) {
  describe(`search API (${kind.name})`, () => {
    let app: TestApp;
    let headers: Record<string, string>;
    let other: Record<string, string>;
    const search = async (body: object, h = headers) =>
      app.request({ method: 'POST', url: '/v1/search', headers: h, payload: body });
    const ok = (body: object, h = headers) => searchOk(app, h, body);
    const putItems = (items: BatchItem[], h = headers) => putItemsOf(app, h, items);

    before(async () => {
      app = await startTestApp(kind, {}, undefined, { vectors: fakeVectors });
      headers = await searchTenant(app, 'search-a', catalog, { vectors: true });
      other = await searchTenant(app, 'search-b', [], { vectors: true });
    });
    after(() => app.close());

    test('a typo and a prefix find the intended item', async () => {
      assert.equal(hitIds(await ok({ query: 'telescpe', mode: 'keyword' }))[0], 'rare');
      assert.equal(hitIds(await ok({ query: 'panoramc telescope', mode: 'keyword' }))[0], 'rare');
      assert.equal(hitIds(await ok({ query: 'telesc', mode: 'keyword' }))[0], 'rare');
      const hit = (await ok({ query: 'pano', mode: 'keyword' })).hits[0];
      assert.equal(hit.item.id, 'rare');
      assert.deepEqual(hit.retrievers, ['keyword']);
      assert.ok(hit.score > 0);
    });

    test('a keyword answer (sent as bytes) is replayed byte for byte under its Idempotency-Key', async () => {
      const body = { query: 'brass lamp', mode: 'keyword', limit: 5 };
      const keyed = { ...headers, 'idempotency-key': `search-replay-${kind.name}` };
      const first = await search(body, keyed);
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.headers['content-type'], 'application/json; charset=utf-8');
      assert.ok((first.json() as SearchResponse).hits.length > 0);
      const again = await search(body, keyed);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.headers['content-type'], first.headers['content-type']);
      assert.equal(again.headers['content-length'], first.headers['content-length']);
      assert.ok(again.rawPayload.equals(first.rawPayload), 'the same bytes, searchId included');
      const other = await search({ ...body, query: 'oak chair' }, keyed);
      assert.equal(other.statusCode, 409, other.body);
      assert.equal(other.json().code, 'idempotency_key_reused');
    });

    test('filters and facet counts match a brute-force count', async () => {
      const filters: Filter[] = [
        { category: 'electronics/audio' },
        { brand: ['Sonic', 'Nordic'] },
        { and: [{ price: { gte: 100, lte: 300 } }, { available: true }] },
        {
          or: [
            { attribute: 'color', eq: 'red' },
            { attribute: 'weight', gte: 8 },
          ],
        },
        { and: [{ category: 'home' }, { or: [{ brand: ['Acme'] }, { attribute: 'weight', lte: 2 }] }] },
      ];
      const fields = ['brand', 'category', 'available', 'attributes.color', 'price'];
      const items = await Promise.all(
        catalog.map(
          async (c) =>
            (await app.request({ method: 'GET', url: `/v1/items/${c.id}`, headers })).json() as Item,
        ),
      );
      for (const filter of filters) {
        const r = await ok({ query: '', filters: filter, facets: fields, limit: 100 });
        const expected = items.filter((it) => matches(it, filter));
        assert.equal(r.total, expected.length, JSON.stringify(filter));
        for (const field of fields) {
          const counts = new Map<string, number>();
          for (const it of expected)
            for (const v of facetValues(it, field)) counts.set(v, (counts.get(v) ?? 0) + 1);
          assert.deepEqual(
            Object.fromEntries(r.facets[field].map((f) => [f.value, f.count])),
            Object.fromEntries(counts),
            `${field} under ${JSON.stringify(filter)}`,
          );
        }
        // Independent of the evaluator under test, for the first filter: category prefix by hand.
        if ('category' in filter)
          assert.ok(r.hits.every((h) => h.item.categories![0].startsWith('electronics/audio')));
      }
      // A keyword query with a filter: every hit matches both.
      const sofas = await ok({ query: 'sofa', filters: { brand: 'Acme' }, mode: 'keyword', limit: 100 });
      const bruteSofas = items.filter((it) => it.brand === 'Acme' && /\bsofa\b/.test(it.title));
      assert.deepEqual(new Set(hitIds(sofas)), new Set(bruteSofas.map((it) => it.id)));
    });

    test('sort by price and paging with an opaque cursor cover every match once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let last = -1;
      do {
        const r: SearchResponse = await ok({
          query: 'lamp',
          mode: 'keyword',
          sort: 'price_asc',
          limit: 7,
          ...(cursor ? { cursor } : {}),
        });
        for (const h of r.hits) {
          assert.ok(h.item.price!.amount >= last);
          last = h.item.price!.amount;
          seen.push(h.item.id);
        }
        cursor = r.nextCursor;
      } while (cursor);
      assert.equal(new Set(seen).size, seen.length);
      assert.equal(seen.length, catalog.filter((c) => c.title.includes('lamp')).length);
      // Relevance pages (built from a window of the matches) concatenate to the one-page answer.
      const whole = await ok({ query: 'oak lamp', mode: 'keyword', limit: 100 });
      const paged: string[] = [];
      for (let c: string | null | undefined; ; ) {
        const r: SearchResponse = await ok({
          query: 'oak lamp',
          mode: 'keyword',
          limit: 3,
          ...(c ? { cursor: c } : {}),
        });
        assert.equal(r.total, whole.total);
        paged.push(...hitIds(r));
        c = r.nextCursor;
        if (!c) break;
      }
      assert.deepEqual(paged, hitIds(whole));
      const bad = await search({ query: 'sofa', cursor: 'not-a-cursor' });
      assert.equal(bad.statusCode, 400);
      const first = await ok({ query: 'lamp', mode: 'keyword', limit: 2 });
      const mismatched = await search({ query: 'sofa', mode: 'keyword', cursor: first.nextCursor });
      assert.equal(mismatched.statusCode, 400);
    });

    test('rules: multi-way and one-way synonyms, pinned and hidden items', async () => {
      assert.equal((await ok({ query: 'couch', mode: 'keyword' })).total, 0);
      const put = await app.request({
        method: 'PUT',
        url: '/v1/search/rules',
        headers,
        payload: {
          synonyms: [{ terms: ['couch', 'sofa', 'settee'] }, { from: 'scope', terms: ['telescope'] }],
          curations: [{ query: 'Lamp', pin: ['rare', 'item-3'], hide: ['item-1'] }],
        },
      });
      assert.equal(put.statusCode, 200, put.body);
      const couch = await ok({ query: 'couch', mode: 'keyword' });
      assert.ok(couch.total > 0 && couch.hits.every((h) => h.item.title.includes('sofa')));
      assert.equal(hitIds(await ok({ query: 'scope', mode: 'keyword' }))[0], 'rare');
      // One-way: "telescope" does not find things called "scope" by way of the rule (nothing to find either way).
      const lamp = await ok({ query: 'lamp', mode: 'keyword', limit: 100 });
      assert.deepEqual(hitIds(lamp).slice(0, 2), ['rare', 'item-3']);
      assert.deepEqual(lamp.hits[0].retrievers, ['pinned']);
      assert.ok(!hitIds(lamp).includes('item-1'));
      const rules = await app.request({ method: 'GET', url: '/v1/search/rules', headers });
      assert.equal(rules.json().curations[0].query, 'Lamp');
      // Rules are admin-only.
      const searcher = await app.tenant('search-c', ['search']);
      assert.equal(
        (await app.request({ method: 'GET', url: '/v1/search/rules', headers: searcher })).statusCode,
        403,
      );
    });

    test('a catalog update is found with its new text within a second; a deleted item never comes back', async () => {
      await ok({ query: 'warmup' });
      const started = Date.now();
      const res = await app.request({
        method: 'PUT',
        url: '/v1/items/item-5',
        headers,
        payload: { title: 'Zeppelin shaped lamp' },
      });
      assert.equal(res.statusCode, 200, res.body);
      let found = false;
      while (!found && Date.now() - started < 1000) {
        found = hitIds(await ok({ query: 'zeppelin', mode: 'keyword' }))[0] === 'item-5';
        if (!found) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(found, 'updated text searchable within a second');
      assert.equal(
        (await ok({ query: 'sofa model 5', mode: 'keyword' })).hits.some((h) => h.item.id === 'item-5'),
        false,
      );

      await app.request({ method: 'DELETE', url: '/v1/items/item-5', headers });
      const deletedAt = Date.now();
      let gone = false;
      while (!gone && Date.now() - deletedAt < 1000) {
        gone = (await ok({ query: 'zeppelin', mode: 'keyword' })).total === 0;
        if (!gone) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(gone, 'deleted item gone within a second');
      // Replaying the whole change feed (the upsert messages included) must not bring it back.
      await app.stream.seek('search', 0);
      await new Promise((r) => setTimeout(r, 600));
      assert.equal((await ok({ query: 'zeppelin', mode: 'keyword' })).total, 0);
      assert.equal(
        (await ok({ query: '', limit: 100, filters: { brand: BRANDS[5 % 3] } })).hits.some(
          (h) => h.item.id === 'item-5',
        ),
        false,
      );
    });

    test('an item deleted and created again is found with its new text', async () => {
      await ok({ query: 'warmup' });
      for (const title of ['Platypus lamp one', 'Platypus lamp two'])
        await app.request({ method: 'PUT', url: '/v1/items/item-9', headers, payload: { title } });
      await app.request({ method: 'DELETE', url: '/v1/items/item-9', headers });
      const res = await app.request({
        method: 'PUT',
        url: '/v1/items/item-9',
        headers,
        payload: { title: 'Quokka mug' },
      });
      assert.ok(res.statusCode < 300, res.body);
      const started = Date.now();
      let found = false;
      while (!found && Date.now() - started < 1000) {
        found = hitIds(await ok({ query: 'quokka', mode: 'keyword' }))[0] === 'item-9';
        if (!found) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(found, 'the re-created item is searchable with its new text');
      assert.equal((await ok({ query: 'platypus', mode: 'keyword' })).total, 0);
    });

    test('vector and hybrid modes say which retriever found each hit', async () => {
      const vector = await ok({ query: 'anything', mode: 'vector' });
      assert.ok(vector.hits.every((h) => h.item.id.endsWith('7') && h.retrievers.join() === 'vector'));
      const hybrid = await ok({ query: 'oak', limit: 100 });
      assert.equal(hybrid.mode, 'hybrid');
      const kinds = new Set(hybrid.hits.map((h) => h.retrievers.join('+')));
      assert.ok(
        kinds.has('keyword+vector') && kinds.has('keyword') && kinds.has('vector'),
        [...kinds].join(),
      );
      assert.match(hybrid.searchId, /^srch_/);
    });

    test('a page read from the ranking head equals the page of the complete ranking', async () => {
      // Facet counts need every match, so a request with facets takes the complete (unwindowed) path.
      const filters = [undefined, { brand: 'Acme' }, { price: { lte: 40 } }, { category: 'optics' }];
      for (const mode of ['keyword', 'hybrid'] as const)
        for (const query of ['oak sofa', 'grey', 'lamp speaker chair table', 'wireles', 'model', 'model 17'])
          for (const f of filters) {
            let cursor: string | undefined;
            for (let pageNo = 0; pageNo < 5; pageNo++) {
              const body = { query, mode, limit: 3, cursor, ...(f ? { filters: f } : {}) };
              const head = await ok(body);
              const full = await ok({ ...body, facets: ['brand'] });
              const what = `${mode} '${query}' ${JSON.stringify(f)} page ${pageNo}`;
              assert.equal(head.total, full.total, what);
              assert.deepEqual(
                head.hits.map((h) => [h.item.id, h.score, h.retrievers.join('+')]),
                full.hits.map((h) => [h.item.id, h.score, h.retrievers.join('+')]),
                what,
              );
              cursor = head.nextCursor ?? undefined;
              if (!cursor) break;
            }
          }
    });

    test('tenant isolation: another tenant sees none of these items or rules', async () => {
      assert.equal((await ok({ query: 'telescope', mode: 'keyword' }, other)).total, 0);
      assert.equal((await ok({ query: '' }, other)).total, 0);
      await putItems([{ id: 'rare', title: 'Other tenant kettle' }], other);
      let r: SearchResponse;
      const started = Date.now();
      do r = await ok({ query: '', mode: 'keyword' }, other);
      while (r.total === 0 && Date.now() - started < 2000);
      assert.deepEqual(hitIds(r), ['rare']);
      assert.equal((await ok({ query: 'lamp', mode: 'keyword' }, other)).total, 0);
      assert.equal(hitIds(await ok({ query: 'telescope', mode: 'keyword' }))[0], 'rare');
    });

    test('bad input is answered with problem+json', async () => {
      for (const body of [
        { query: 'x', filters: { price: { gte: 'cheap' } } },
        { query: 'x', filters: { and: [] } },
        { query: 'x', filters: { colour: 'red' } },
        { query: 'x', limit: 0 },
        { query: 'x', mode: 'semantic' },
        { query: 'x', facets: ['secret'] },
        { nothing: true },
      ]) {
        const res = await search(body);
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      }
      const badRules = await app.request({
        method: 'PUT',
        url: '/v1/search/rules',
        headers,
        payload: { synonyms: 'x' },
      });
      assert.equal(badRules.statusCode, 400);
      assert.equal((await search({ query: 'x' }, {})).statusCode, 401);
    });
  });
}

describe('search without a vector retriever', () => {
  let app: TestApp;
  let headers: Record<string, string>;
  before(async () => {
    app = await startTestApp(STORAGE_KINDS[0], {}, undefined, { vectors: null });
    headers = await app.tenant('novec');
    await app.request({ method: 'PUT', url: '/v1/items/a', headers, payload: { title: 'Oak table' } });
  });
  after(() => app.close());

  test('vector mode answers 503; hybrid falls back to keyword and says so', async () => {
    const vector = await app.request({
      method: 'POST',
      url: '/v1/search',
      headers,
      payload: { query: 'oak', mode: 'vector' },
    });
    assert.equal(vector.statusCode, 503);
    assert.match(vector.json().detail, /no vector index/);
    const hybrid = await searchOk(app, headers, { query: 'oak' });
    assert.equal(hybrid.mode, 'keyword');
    assert.match(hybrid.notices?.[0] ?? '', /keyword/);
    assert.equal(hybrid.hits[0].item.id, 'a');
  });
});

// The storefront features of search end to end on real storage: highlighting and snippets, numbered pages,
// the string filter syntax (with positioned errors), facet stats, facet-value search, multi-search,
// suggestions from the catalog and past queries, and analytics from events; each under a scoped key too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  BatchItem,
  FacetValuesResponse,
  MultiSearchResponse,
  SearchAnalytics,
  SearchResponse,
  SuggestResponse,
} from '@quiver/contracts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const BRANDS = ['Acme', 'Sonic', 'Nordic'];
const NOUNS = ['sofa', 'lamp', 'speaker', 'headphones'];
const catalog: BatchItem[] = Array.from({ length: 60 }, (_, i) => ({
  id: `p-${String(i).padStart(2, '0')}`,
  title: `${i % 2 ? 'Wireless' : 'Compact'} ${NOUNS[i % 4]} ${i}`,
  brand: BRANDS[i % 3],
  categories: [i % 4 === 1 ? 'home/lighting' : 'audio'],
  price: { amount: 5 + i * 4, currency: 'EUR' },
  attributes: { color: ['red', 'blue'][i % 2], weight: (i % 7) + 0.5 },
  description:
    i === 2
      ? 'Built for long days in the office and on the road with a battery that lasts through a week of use, ' +
        'these speakers fold flat and fit any bag without fuss, while the charging case adds two more days'
      : undefined,
}));
const ids = (r: SearchResponse) => r.hits.map((h) => h.item.id);
const until = async (check: () => Promise<boolean>, what: string, timeoutMs = 20_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

for (const kind of STORAGE_KINDS) {
  describe(`search parity features (${kind.name})`, () => {
    let app: TestApp;
    let admin: Record<string, string>;
    let scoped: Record<string, string>;
    const post = (url: string, payload: object, headers = admin) =>
      app.request({ method: 'POST', url, headers, payload });
    const ok = async <T = SearchResponse>(url: string, payload: object, headers = admin): Promise<T> => {
      const res = await post(url, payload, headers);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const get = async <T>(url: string, headers = admin): Promise<T> => {
      const res = await app.request({ method: 'GET', url, headers });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    before(async () => {
      app = await startTestApp(kind, {}, undefined, { vectors: null });
      admin = await app.tenant('parity-a');
      const put = await post('/v1/items/batch', { items: catalog });
      assert.equal(put.statusCode, 200, put.body);
      const minted = await post('/v1/tenants/parity-a/keys/scoped', {
        scopes: ['search'],
        filters: { brand: 'Acme' },
      });
      assert.equal(minted.statusCode, 201, minted.body);
      scoped = { authorization: `Bearer ${minted.json().secret}` };
    });
    after(() => app.close());

    test('the string filter syntax finds what the same JSON tree finds', async () => {
      const cases: Array<[string, object]> = [
        ['brand:Acme && price:<100', { and: [{ brand: 'Acme' }, { price: { lt: 100 } }] }],
        [
          '(category:home/lighting || brand:[Sonic, "Nordic"]) && color:red && weight:1..4',
          {
            and: [
              { or: [{ category: 'home/lighting' }, { brand: ['Sonic', 'Nordic'] }] },
              { attribute: 'color', eq: 'red' },
              { attribute: 'weight', gte: 1, lte: 4 },
            ],
          },
        ],
        [
          'price:>=200 && attributes.weight:>3',
          { and: [{ price: { gte: 200 } }, { attribute: 'weight', gt: 3 }] },
        ],
      ];
      for (const [text, tree] of cases) {
        const a = await ok('/v1/search', { query: '', filters: text, limit: 100 });
        const b = await ok('/v1/search', { query: '', filters: tree, limit: 100 });
        assert.ok(a.total > 0, text);
        assert.deepEqual(ids(a), ids(b), text);
      }
      // Strict bounds are strict: 5 + 4i < 25 holds for i ≤ 4 only.
      const under = await ok('/v1/search', { query: '', filters: 'price:<25', limit: 100 });
      assert.deepEqual(ids(under), ['p-00', 'p-01', 'p-02', 'p-03', 'p-04']);
    });

    test('a bad filter string is a problem naming the position', async () => {
      for (const [text, at] of [
        ['brand:Acme && price:<abc', 21],
        ['brand:Acme &&', 13],
        ['brand:Acme price:<5', 11],
        ['(brand:Acme', 11],
        ['available:maybe', 10],
      ] as const) {
        const res = await post('/v1/search', { query: '', filters: text });
        assert.equal(res.statusCode, 400, text);
        assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
        const body = res.json();
        assert.equal(body.code, 'validation_failed');
        assert.equal(body.errors[0].path, '/filters');
        assert.match(
          body.errors[0].message,
          new RegExp(`^position ${at}:`),
          `${text}: ${body.errors[0].message}`,
        );
      }
    });

    test('highlighting marks matched words, typos and prefixes included, and snippets long descriptions', async () => {
      const r = await ok('/v1/search', { query: 'compct speakr', highlight: true, mode: 'keyword' });
      const hit = r.hits.find((h) => h.item.id === 'p-02')!;
      assert.equal(hit.highlights?.title, '<mark>Compact</mark> <mark>speaker</mark> 2');
      assert.ok(hit.highlights?.snippet?.includes('<mark>speakers</mark>'), hit.highlights?.snippet);
      assert.ok(
        hit.highlights?.snippet?.startsWith('…'),
        'the snippet starts near the match, not at the text start',
      );
      const prefix = await ok('/v1/search', { query: 'headph', highlight: true, mode: 'keyword', limit: 1 });
      assert.match(prefix.hits[0].highlights!.title!, /<mark>headphones<\/mark>/);
      const plain = await ok('/v1/search', { query: 'speaker', mode: 'keyword' });
      assert.equal(plain.hits[0].highlights, undefined, 'only when asked');
    });

    test('page and hitsPerPage page like cursors, with totalPages', async () => {
      const first = await ok('/v1/search', { query: 'wireless', limit: 7, mode: 'keyword' });
      const second = await ok('/v1/search', {
        query: 'wireless',
        limit: 7,
        cursor: first.nextCursor,
        mode: 'keyword',
      });
      const paged = await ok('/v1/search', { query: 'wireless', page: 2, hitsPerPage: 7, mode: 'keyword' });
      assert.deepEqual(ids(paged), ids(second));
      assert.equal(paged.page, 2);
      assert.equal(paged.hitsPerPage, 7);
      assert.equal(paged.totalPages, Math.ceil(first.total / 7));
      const bad = await post('/v1/search', { query: 'wireless', page: 2, cursor: first.nextCursor });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].path, '/page');
      const wins = await ok('/v1/search', { query: 'wireless', hitsPerPage: 5, limit: 6, mode: 'keyword' });
      assert.equal(wins.hits.length, 5, 'hitsPerPage wins over limit');
    });

    test('facet stats summarize numeric fields over every match', async () => {
      const r = await ok('/v1/search', {
        query: 'lamp',
        facetStats: ['price', 'attributes.weight'],
        limit: 1,
        mode: 'keyword',
      });
      const lamps = catalog.filter((c) => c.title.includes('lamp'));
      const prices = lamps.map((c) => c.price!.amount);
      assert.equal(r.total, lamps.length);
      assert.deepEqual(r.facetStats?.price, {
        min: Math.min(...prices),
        max: Math.max(...prices),
        sum: prices.reduce((a, b) => a + b, 0),
        count: prices.length,
        avg: prices.reduce((a, b) => a + b, 0) / prices.length,
      });
      assert.equal(r.facetStats?.['attributes.weight'].count, lamps.length);
      const acme = await ok('/v1/search', { query: 'lamp', facetStats: ['price'], mode: 'keyword' }, scoped);
      assert.equal(acme.facetStats?.price.count, lamps.filter((c) => c.brand === 'Acme').length);
    });

    test('facet-value search counts matching values over the query, and a scoped key sees its own', async () => {
      const r = await ok<FacetValuesResponse>('/v1/search/facet-values', {
        facet: 'brand',
        facetQuery: 'so',
        query: 'speaker',
      });
      const speakers = catalog.filter((c) => c.title.includes('speaker'));
      assert.deepEqual(r.values, [
        {
          value: 'Sonic',
          count: speakers.filter((c) => c.brand === 'Sonic').length,
          highlighted: '<mark>So</mark>nic',
        },
      ]);
      const cats = await ok<FacetValuesResponse>('/v1/search/facet-values', {
        facet: 'category',
        facetQuery: 'light',
      });
      assert.deepEqual(
        cats.values.map((v) => v.value),
        ['home/lighting'],
      );
      const own = await ok<FacetValuesResponse>(
        '/v1/search/facet-values',
        { facet: 'brand', facetQuery: '' },
        scoped,
      );
      assert.deepEqual(
        own.values.map((v) => v.value),
        ['Acme'],
      );
    });

    test('multi-search answers each search in order; errors name the search', async () => {
      const r = await ok<MultiSearchResponse>(
        '/v1/search/multi',
        {
          searches: [
            { query: 'lamp', mode: 'keyword', limit: 3 },
            { query: '', filters: 'brand:Sonic', facets: ['category'] },
          ],
        },
        scoped,
      );
      assert.equal(r.results.length, 2);
      assert.ok(r.results[0].hits.every((h) => h.item.brand === 'Acme'));
      assert.equal(r.results[1].total, 0, "the key's embedded brand filter still applies");
      const bad = await post('/v1/search/multi', {
        searches: [{ query: 'a' }, { query: 'b', filters: 'price:<x' }],
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].path, '/searches/1/filters');
    });

    test('suggestions: catalog completions, then past queries once searched; a scoped key sees only its items', async () => {
      const s = await get<SuggestResponse>('/v1/search/suggestions?q=wireless%20headph');
      assert.deepEqual(s.suggestions[0], { text: 'wireless headphones', source: 'catalog', count: 15 });
      const typo = await get<SuggestResponse>('/v1/search/suggestions?q=lmap');
      assert.equal(typo.suggestions[0]?.text, 'lamp');
      // Shoppers searched "compact sofa" three times and "compressor unicorn" (no result) five.
      const events = [
        ...Array.from({ length: 3 }, (_, i) => ({ q: 'compact sofa', id: `sugg-${i}` })),
        ...Array.from({ length: 5 }, (_, i) => ({ q: 'compressor unicorn', id: `sugg-none-${i}` })),
      ];
      for (const e of events) {
        const answer = await ok('/v1/search', { query: e.q, mode: 'keyword' });
        const sent = await post('/v1/events', {
          events: [
            {
              id: e.id,
              type: 'search',
              userId: 'u1',
              query: e.q,
              timestamp: new Date().toISOString(),
              properties: { searchId: answer.searchId },
            },
          ],
        });
        assert.equal(sent.statusCode, 202, sent.body);
      }
      await until(async () => {
        const r = await get<SuggestResponse>('/v1/search/suggestions?q=comp');
        return r.suggestions[0]?.source === 'query';
      }, 'past queries to reach the suggestions');
      const r = await get<SuggestResponse>('/v1/search/suggestions?q=comp&limit=3');
      assert.deepEqual(r.suggestions[0], { text: 'compact sofa', source: 'query', count: 3 });
      assert.ok(
        !r.suggestions.some((x) => x.text === 'compressor unicorn'),
        'a query that found nothing is not suggested',
      );
      // "compact sofa" finds Acme sofas too (p-00 …), so the scoped key may see it; "sonic"-only text it may not.
      const own = await get<SuggestResponse>('/v1/search/suggestions?q=wireless%20s', scoped);
      for (const x of own.suggestions) {
        const found = await ok('/v1/search', { query: x.text, mode: 'keyword' }, scoped);
        assert.ok(found.total > 0, x.text);
      }
    });

    test('analytics: top queries, no-result queries, CTR and conversion per day, from events', async () => {
      const tenant = await app.tenant('parity-analytics');
      await post('/v1/items/batch', { items: catalog.slice(0, 20) }, tenant);
      const day = new Date().toISOString().slice(0, 10);
      const events: object[] = [];
      const searchOf = async (query: string, n: number) => {
        for (let i = 0; i < n; i++) {
          const answer = await ok('/v1/search', { query, mode: 'keyword' }, tenant);
          const id = `${query.replace(/\W/g, '-')}-${i}`;
          events.push({
            id: `s-${id}`,
            type: 'search',
            userId: `u${i}`,
            query,
            timestamp: new Date().toISOString(),
            properties: { searchId: answer.searchId },
          });
          const item = answer.hits[0]?.item.id;
          // Half the lamp searches are clicked, one of them bought.
          if (item && query === 'lamp' && i % 2 === 0) {
            events.push({
              id: `c-${id}`,
              type: 'click',
              userId: `u${i}`,
              itemId: item,
              timestamp: new Date().toISOString(),
              properties: { searchId: answer.searchId },
            });
            if (i === 0)
              events.push({
                id: `b-${id}`,
                type: 'purchase',
                userId: `u${i}`,
                itemId: item,
                timestamp: new Date().toISOString(),
                properties: { searchId: answer.searchId },
              });
          }
        }
      };
      await searchOf('lamp', 4);
      await searchOf('speaker', 2);
      await searchOf('unicorn saddle', 3);
      const sent = await post('/v1/events', { events }, tenant);
      assert.equal(sent.statusCode, 202, sent.body);
      // Redelivery-safe: sending the same events again changes nothing.
      await post('/v1/events', { events }, tenant);
      let a: SearchAnalytics | undefined;
      await until(async () => {
        a = await get<SearchAnalytics>('/v1/search/analytics', tenant);
        return a.totals.searches === 9 && a.totals.converted === 1;
      }, 'analytics to count the events');
      assert.equal(a!.to, day);
      assert.deepEqual(
        a!.days.map((d) => [d.day, d.searches, d.noResults, d.clicked, d.converted]),
        [[day, 9, 3, 2, 1]],
      );
      assert.deepEqual(
        a!.topQueries.map((q) => [q.query, q.searches, q.clickThroughRate, q.conversionRate]),
        [
          ['lamp', 4, 0.5, 0.25],
          ['unicorn saddle', 3, 0, 0],
          ['speaker', 2, 0, 0],
        ],
      );
      assert.deepEqual(a!.noResultQueries, [{ query: 'unicorn saddle', searches: 3 }]);
      assert.equal(a!.totals.clickThroughRate, 2 / 9);
      // Another tenant's analytics are its own; a search-only key may not read them.
      const other = await get<SearchAnalytics>('/v1/search/analytics', admin);
      assert.ok(!other.topQueries.some((q) => q.query === 'unicorn saddle'));
      const denied = await app.request({ method: 'GET', url: '/v1/search/analytics', headers: scoped });
      assert.equal(denied.statusCode, 403);
      const bad = await app.request({
        method: 'GET',
        url: '/v1/search/analytics?from=2026-02-01&to=2026-01-01',
        headers: tenant,
      });
      assert.equal(bad.statusCode, 400);
    });
  });
}

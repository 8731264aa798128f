// Heavy searches over a large tenant: facet counts and sorted pages equal a naive computation on a random
// corpus, and one tenant's burst of heavy searches queues behind itself while another tenant's search is
// answered first (the mechanism, by completion order; no timing threshold).
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import type { BatchItem, Item } from '@quiver/contracts';
import { countFacets, FacetIndex } from '../../../src/modules/search/facets.ts';
import { type Filter, matches } from '../../../src/modules/search/filters.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { searchOk, searchTenant } from '../../support/search.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const ITEMS = 3000;
const FACETS = ['brand', 'category', 'price', 'available', 'attributes.color', 'attributes.size'];
const LIMITS = { tenantPerSecond: 1e9, tenantBurst: 1e9, keyPerSecond: 1e9, keyBurst: 1e9 };

const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

/** Random items: missing prices and brands, repeated prices (ties), nested categories, list attributes. */
const corpus = (n: number, seed: number): BatchItem[] => {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: n }, (_, i) => ({
    id: `it-${Math.floor(r() * 1e6)}-${i}`,
    title: `${pick(['oak', 'brass', 'velvet', 'steel'])} ${pick(['lamp', 'sofa', 'chair', 'desk'])} ${i}`,
    ...(r() < 0.9 ? { brand: pick(['Acme', 'Sonic', 'Nordic', 'Lumen', 'Harbor']) } : {}),
    categories: Array.from({ length: 1 + Math.floor(r() * 2) }, () =>
      pick(['home/lighting', 'home/furniture/sofas', 'home/furniture', 'electronics/audio', 'garden']),
    ),
    ...(r() < 0.85 ? { price: { amount: Math.round(r() * 60) * 50 + 0.5, currency: 'EUR' } } : {}),
    available: r() < 0.7,
    attributes: {
      color: r() < 0.5 ? pick(['red', 'blue', 'green']) : [pick(['red', 'blue']), pick(['green', 'black'])],
      size: Math.floor(r() * 5),
    },
  }));
};

/** The reference order, written out separately: price (missing last) or newest, then id. */
const naiveOrder = (sort: string) => (a: Item, b: Item) => {
  const id = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  if (sort === 'newest') return a.createdAt === b.createdAt ? id : a.createdAt < b.createdAt ? 1 : -1;
  const x = a.price?.amount;
  const y = b.price?.amount;
  if (x === undefined && y === undefined) return id;
  if (x === undefined) return 1;
  if (y === undefined) return -1;
  return (sort === 'price_asc' ? x - y : y - x) || id;
};

describe('heavy searches (sqlite)', () => {
  let app: TestApp;
  let a: Record<string, string>;
  let b: Record<string, string>;
  const ok = (body: object, headers = a) => searchOk(app, headers, body);

  before(async () => {
    const sqlite = STORAGE_KINDS.find((k) => k.name === 'sqlite')!;
    app = await startTestApp(sqlite, {}, undefined, { vectors: null });
    a = await searchTenant(app, 'tenant-a', corpus(ITEMS, 7), { limits: LIMITS });
    b = await searchTenant(app, 'tenant-b', corpus(50, 8), { limits: LIMITS });
  });
  after(() => app.close());

  test('facet counts and sorted pages equal a naive computation over a random corpus', async () => {
    const all = [...(await app.search.items('tenant-a')).values()];
    const filters: Array<Filter | undefined> = [undefined, { available: true }, { brand: ['Acme', 'Lumen'] }];
    for (const filter of filters)
      for (const sort of ['price_asc', 'price_desc', 'newest'] as const) {
        const matched = all.filter((item) => !filter || matches(item, filter));
        const expected = [...matched].sort(naiveOrder(sort)).map((i) => i.id);
        for (const offset of [0, 37, matched.length - 5]) {
          const body = { query: '', mode: 'keyword', sort, facets: FACETS, limit: 25, filters: filter };
          // The cursor's fingerprint is the server's: take it from the first page's cursor.
          const first = await ok(body);
          const page =
            offset === 0 ? first : await ok({ ...body, cursor: withOffset(first.nextCursor!, offset) });
          assert.equal(page.total, matched.length);
          assert.deepEqual(
            page.hits.map((h) => h.item.id),
            expected.slice(offset, offset + 25),
            `${sort} ${JSON.stringify(filter)} @${offset}`,
          );
          assert.deepEqual(page.facets, countFacets(matched, FACETS));
        }
      }
  });

  test('FacetIndex counts what the string-map reference counts, as items change', () => {
    const facets = new FacetIndex();
    let items = corpus(800, 11).map(
      (x, i) => ({ ...x, createdAt: `${i}`, updatedAt: '', version: 1 }) as Item,
    );
    for (let round = 0; round < 4; round++) {
      assert.deepEqual(facets.count(items, FACETS), countFacets(items, FACETS), `round ${round}`);
      // New versions of a third of the items (new objects, as TenantIndex.put stores), new values included.
      const changed = corpus(items.length, 100 + round);
      items = items.map((item, i) =>
        i % 3 === round % 3 ? ({ ...item, ...changed[i], id: item.id, brand: `B${round}` } as Item) : item,
      );
    }
  });

  test("a tenant's burst of heavy searches queues behind itself: another tenant is answered first", async (t) => {
    const heavy = { query: '', mode: 'keyword', sort: 'price_asc', facets: FACETS, limit: 20 };
    await ok(heavy);
    await ok(heavy, b);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const done: string[] = [];
    const burst = Array.from({ length: 8 }, (_, i) => ok(heavy).then(() => done.push(`a${i}`)));
    // B's search arrives after all eight of A's.
    const other = ok(heavy, b).then(() => done.push('b'));
    await Promise.all([...burst, other]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    delay.disable();
    t.diagnostic(
      `completion order ${done.join(' ')}; event-loop delay max ${(delay.max / 1e6).toFixed(0)} ms, mean ${(delay.mean / 1e6).toFixed(1)} ms`,
    );
    // Without the per-tenant queue B finished last (ninth): every one of A's ran before it.
    assert.ok(done.indexOf('b') <= 1, `B finished ${done.indexOf('b') + 1}th: ${done.join(' ')}`);
    assert.deepEqual(
      done.filter((x) => x !== 'b'),
      ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'],
    );
  });
});

/** The same search's cursor moved to another offset (the fingerprint kept). */
const withOffset = (cursor: string, offset: number): string => {
  const c = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  return Buffer.from(JSON.stringify({ ...c, o: offset })).toString('base64url');
};

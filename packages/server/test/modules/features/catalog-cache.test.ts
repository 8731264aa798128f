// The feature store's catalog cache over the real catalog service (SQLite): one catalog read per batch of
// misses, absent items remembered as null, tenants kept apart, entries reused until their TTL runs out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../../src/kernel/index.ts';
import { createCatalogService } from '../../../src/modules/catalog/index.ts';
import { createCatalogCache } from '../../../src/modules/features/catalog-cache.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

describe('feature store catalog cache', () => {
  let t: TestApp;
  let shop: Record<string, string>;
  let other: Record<string, string>;
  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0]);
    shop = await t.tenant('cache-shop');
    other = await t.tenant('cache-other');
    for (const [headers, id, title] of [
      [shop, 'a', 'Shop A'],
      [shop, 'b', 'Shop B'],
      [other, 'c', 'Other C'],
    ] as const) {
      const res = await t.request({ method: 'PUT', url: `/v1/items/${id}`, headers, payload: { title } });
      assert.equal(res.statusCode, 201, res.body);
    }
  });
  after(() => t.close());

  const counted = () => {
    const catalog = createCatalogService({ db: t.db, clock: systemClock });
    const reads: string[][] = [];
    const clock = { at: 1_000, now: () => clock.at };
    const reader = {
      getMany: (tenantId: string, ids: readonly string[]) => {
        reads.push([...ids]);
        return catalog.getMany(tenantId, ids);
      },
    };
    return { reads, clock, cache: createCatalogCache({ catalog: reader, clock }, { ttlMs: 100 }) };
  };

  test('a batch of misses is one catalog read; absent and other tenants’ items answer null', async () => {
    const { reads, cache } = counted();
    const items = await cache.items('cache-shop', ['a', 'b', 'a', 'c', 'missing']);
    assert.deepEqual(reads, [['a', 'b', 'c', 'missing']]);
    assert.equal(items.get('a')?.title, 'Shop A');
    assert.equal(items.get('b')?.title, 'Shop B');
    assert.equal(items.get('c'), null, "another tenant's item is not this tenant's");
    assert.equal(items.get('missing'), null);
    assert.equal(items.size, 4);
  });

  test('fresh entries (found or absent) are reused; stale ones are read again', async () => {
    const { reads, clock, cache } = counted();
    await cache.items('cache-shop', ['a', 'missing']);
    clock.at += 99;
    const again = await cache.items('cache-shop', ['a', 'missing', 'b']);
    assert.deepEqual(reads, [['a', 'missing'], ['b']]);
    assert.equal(again.get('a')?.title, 'Shop A');
    assert.equal(again.get('missing'), null);
    clock.at += 1;
    await cache.items('cache-shop', ['a', 'b']);
    assert.deepEqual(reads.at(-1), ['a'], 'a is 100 ms old (stale), b only 1 ms');
    await cache.items('cache-other', ['a', 'c']);
    assert.deepEqual(reads.at(-1), ['a', 'c'], 'entries are per tenant');
    assert.equal(reads.length, 4);
  });
});

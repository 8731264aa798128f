// The start's warm-up: /readyz answers 503 `warming: ["search-indexes"]` while the tenants' keyword indexes
// are built from the catalog, and ready once they are; a new tenant's index is built from the change feed
// before any search; a failed warm-up does not keep the replica out of service. The catalog's page reads are
// held at a gate (a wrapper over the real database) so the warm-up is observed while it runs, not raced.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { eventually } from '../../support/cluster.ts';
import { type GatedApp, shutGate, startGatedApp } from '../../support/gated-db.ts';
import { keywordSearch } from '../../support/search.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { metric } from '../inference/testing.ts';

/** The catalog's page read (an index build), and nothing else. */
const isCatalogPage = (sql: string) =>
  /FROM items\s+WHERE tenant_id = \$1 AND id > \$2 ORDER BY id/.test(sql);

const gauge = (q: GatedApp, name: string) => metric(q, name, {});

/** A first app with two tenants' items (3 and 2), closed; its config opens the same storage again. */
const seeded = async (kind: (typeof STORAGE_KINDS)[number]): Promise<TestApp> => {
  const first = await startTestApp(kind);
  for (const [tenant, titles] of [
    ['warm-a', ['Brass lamp', 'Oak table', 'Linen throw']],
    ['warm-b', ['Steel kettle', 'Clay teapot']],
  ] as const) {
    const headers = await first.tenant(tenant);
    for (const [i, title] of titles.entries()) {
      const res = await first.request({
        method: 'PUT',
        url: `/v1/items/${tenant}-${i}`,
        headers,
        payload: { title },
      });
      assert.ok(res.statusCode < 300, res.body);
    }
  }
  await first.app.close();
  return first;
};

const keyFor = async (q: GatedApp, tenant: string) => {
  const key = await q.request({
    method: 'POST',
    url: `/v1/tenants/${tenant}/keys`,
    headers: q.operator,
    payload: { name: 'k', scopes: ['admin'] },
  });
  assert.equal(key.statusCode, 201, key.body);
  return { authorization: `Bearer ${key.json().secret}` };
};

const keywordHits = async (q: GatedApp, headers: Record<string, string>, query: string) =>
  (await keywordSearch(q, headers, query)).hits.map((h) => h.item.id);

for (const kind of STORAGE_KINDS) {
  describe(`search warm-up (${kind.name})`, () => {
    test('/readyz says warming search-indexes until the tenants are indexed, then ready; the gauges count them', async () => {
      const first = await seeded(kind);
      const gate = shutGate();
      const second = await startGatedApp(first.config, isCatalogPage, gate.wait);
      try {
        // (The endpoints' models warm-up, with no endpoint to load, may be named too for a moment.)
        const warming = await second.readyz();
        assert.equal(warming.status, 503);
        assert.equal(warming.body.status, 'warming');
        assert.ok(warming.body.warming.includes('search-indexes'), JSON.stringify(warming.body));
        assert.equal(await gauge(second, 'quiver_search_indexes'), 0);
        gate.open();
        await second.whenWarm();
        assert.deepEqual(await second.readyz(), { status: 200, body: { status: 'ready' } });
        assert.equal(await gauge(second, 'quiver_search_indexes'), 2);
        assert.equal(await gauge(second, 'quiver_search_index_items'), 5);

        // A tenant made after the warm-up: its first item's change builds its index, before any search.
        const created = await second.request({
          method: 'POST',
          url: '/v1/tenants',
          headers: second.operator,
          payload: { id: 'warm-c', name: 'C' },
        });
        assert.equal(created.statusCode, 201, created.body);
        const headers = await keyFor(second, 'warm-c');
        const put = await second.request({
          method: 'PUT',
          url: '/v1/items/c-1',
          headers,
          payload: { title: 'Wool blanket' },
        });
        assert.ok(put.statusCode < 300, put.body);
        await eventually(
          'the new tenant indexed from the change feed',
          async () => (await gauge(second, 'quiver_search_indexes')) === 3,
        );
        assert.equal(await gauge(second, 'quiver_search_index_items'), 6);
        assert.deepEqual(await keywordHits(second, headers, 'wool'), ['c-1']);
      } finally {
        gate.open();
        await second.app.close();
        await first.close();
      }
    });

    test('a warm-up that fails ends: the replica turns ready and builds the index on first search', async () => {
      const first = await seeded(kind);
      let failing = true;
      const second = await startGatedApp(first.config, isCatalogPage, async () => {
        if (failing) throw new Error('catalog read failed (test)');
      });
      try {
        await second.whenWarm();
        assert.deepEqual(await second.readyz(), { status: 200, body: { status: 'ready' } });
        assert.equal(await gauge(second, 'quiver_search_indexes'), 0);
        failing = false;
        assert.deepEqual(await keywordHits(second, await keyFor(second, 'warm-b'), 'kettle'), ['warm-b-0']);
      } finally {
        await second.app.close();
        await first.close();
      }
    });
  });
}

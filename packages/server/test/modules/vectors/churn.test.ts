// Issue 14 through the API: after a hybrid search built the vector index, thousands of patches, deletes and
// re-creations of the same items leave the server answering and searches sane (it used to hang at ≈70).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { FIXTURE_ITEMS } from './fixture.ts';
import { putItem, within } from './testing.ts';

const ITEMS = 60;
const ROUNDS = Number(process.env.CHURN_ROUNDS ?? 600);
const price = (amount: number) => ({ amount, currency: 'EUR' });
const item = (i: number) => {
  const { id: _, ...f } = FIXTURE_ITEMS[i % FIXTURE_ITEMS.length];
  return { ...f, price: price(i) };
};

let t: TestApp;
let acme: Record<string, string>;

before(async () => {
  t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
  acme = await t.tenant('acme');
  await t.vectorsOn('acme');
  const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `sku-${i}`, ...item(i) }));
  const res = await t.request({ method: 'POST', url: '/v1/items/batch', headers: acme, payload: { items } });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(
    res.json().results.filter((x: { status: string }) => x.status === 'error').length,
    0,
    res.body,
  );
});
after(() => t.close());

const search = async (query: string) => {
  const res = await t.request({
    method: 'POST',
    url: '/v1/search',
    headers: acme,
    payload: { query, mode: 'hybrid', limit: ITEMS },
  });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { hits: Array<{ item: { id: string } }> }).hits.map((h) => h.item.id);
};

test('thousands of patches, deletes and re-creations of the same items leave search answering', async () => {
  await search('sofa');
  await t.vectors.ready('acme');
  const titles = ['Leather sofa bed', 'Cordless power drill'];
  for (let r = 0; r < ROUNDS; r++) {
    // A new price (the loop: the same text), then a new title every other round (a new vector).
    const patch = r % 2 === 0 ? { price: price(r) } : { price: price(r), title: titles[r % 4 === 1 ? 0 : 1] };
    const res = await t.request({
      method: 'PATCH',
      url: '/v1/items/sku-5',
      headers: { ...acme, 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify(patch),
    });
    assert.equal(res.statusCode, 200, res.body);
    if (r % 3 === 0) {
      const del = await t.request({ method: 'DELETE', url: '/v1/items/sku-6', headers: acme });
      assert.equal(del.statusCode, 204, del.body);
      await putItem(t, acme, 'sku-6', { ...item(6), price: price(r) });
    }
    if (r % 5 === 0)
      await t.request({ method: 'DELETE', url: `/v1/items/sku-${10 + ((r / 5) % 40)}`, headers: acme });
  }
  const live = await t.request({ method: 'GET', url: '/livez' });
  assert.equal(live.statusCode, 200);
  // The last title given (round ROUNDS - 1 is odd, r % 4 === 3) is the drill; the deleted ones stay gone.
  await within(5_000, async () => {
    const hits = await search('cordless drill');
    return hits.includes('sku-5') && t.vectors.status('acme')?.items === ITEMS - 40;
  });
  const hits = await search('power drill');
  assert.equal(new Set(hits).size, hits.length);
  for (let i = 10; i < 50; i++) assert.ok(!hits.includes(`sku-${i}`), `sku-${i}`);
  assert.ok((await search('lamp')).includes('sku-2'));
  assert.ok((await t.vectors.query('acme', 'couch', ITEMS)).some((h) => h.id === 'sku-6'));
});

// The vector index's state in search answers: while a tenant's index is not built or still building, hybrid
// answers say so in `notices` (rather than silently lacking a vector part), `GET /v1/search/status` reports
// the state per tenant, and once the index is ready the notice is gone and the status counts its items.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SearchResponse, SearchStatus } from '@quiver/contracts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { FIXTURE_ITEMS, putFixture } from '../vectors/fixture.ts';

describe('vector index state in search', () => {
  let t: TestApp;
  let h: Record<string, string>;
  const search = async (mode: string): Promise<SearchResponse> => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/search',
      headers: h,
      payload: { query: 'couch', mode },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const status = async (): Promise<SearchStatus> => {
    const res = await t.request({ method: 'GET', url: '/v1/search/status', headers: h });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    h = await t.tenant('vec-state');
    await putFixture(async (id, item) => {
      const res = await t.request({ method: 'PUT', url: `/v1/items/${id}`, headers: h, payload: item });
      assert.ok(res.statusCode < 300, res.body);
    });
  });
  after(() => t.close());

  test('cold, then building, then ready: said in notices and in the status', async () => {
    assert.equal((await status()).vectors?.state, 'cold');
    const cold = await search('hybrid');
    assert.ok(
      cold.notices.includes('vector index not built yet: no vector results, keyword results only'),
      cold.notices.join(),
    );
    assert.ok(cold.hits.every((h) => !h.retrievers.includes('vector')));
    const during = await status();
    assert.ok(['building', 'ready'].includes(during.vectors!.state), JSON.stringify(during));
    assert.equal(during.items, FIXTURE_ITEMS.length);
    await t.vectors.ready('vec-state');
    const ready = await status();
    assert.equal(ready.vectors?.state, 'ready');
    assert.equal(ready.vectors?.items, FIXTURE_ITEMS.length);
    const warm = await search('hybrid');
    assert.ok(!warm.notices.some((n) => n.startsWith('vector index')), warm.notices.join());
    assert.ok(warm.hits.some((h) => h.retrievers.includes('vector')));
    assert.ok(!(await search('keyword')).notices.some((n) => n.startsWith('vector index')));
  });
});

// The vector index's lifecycle per tenant (issue 20): vectors are off by default (vector and hybrid searches
// retrieve by keyword only, say so in `notices`, and nothing is embedded); `PATCH /v1/tenants/{id}/settings`
// turns them on, which builds the index at once, ahead of any query (answers say `vectors warming` meanwhile),
// keeps it from the catalog feed, and at a restart builds it again before the first query; turning them off
// drops it. `GET /v1/search/status` reports the state per tenant.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SearchResponse, SearchStatus } from '@quiver/contracts';
import { VECTORS_OFF_NOTICE, VECTORS_WARMING_NOTICE } from '../../../src/modules/search/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import type { StorageKind } from '../../support/storage.ts';
import { FIXTURE_ITEMS, putFixture } from '../vectors/fixture.ts';
import { putItem, within } from '../vectors/testing.ts';

describe('vector index lifecycle per tenant', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-vector-state-'));
  // One SQLite file and data dir kept across a restart.
  const kind: StorageKind = {
    name: 'sqlite',
    create: async () => ({ url: `sqlite://${join(dir, 'quiver.db')}`, cleanup: async () => {} }),
  };
  const dataDir = join(dir, 'data');
  const start = () => startTestApp(kind, { inferenceWorkers: 1, dataDir });
  let t: TestApp;
  let h: Record<string, string>;
  let other: Record<string, string>;

  const search = async (mode: string, key = h): Promise<SearchResponse> => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/search',
      headers: key,
      payload: { query: 'sofa', mode },
    });
    assert.equal(res.statusCode, 200, `${mode}: ${res.body}`);
    return res.json();
  };
  const status = async (key = h): Promise<SearchStatus> => {
    const res = await t.request({ method: 'GET', url: '/v1/search/status', headers: key });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const patch = (payload: object, headers = h, tenant = 'vec-state') =>
    t.request({ method: 'PATCH', url: `/v1/tenants/${tenant}/settings`, headers, payload });

  before(async () => {
    t = await start();
    h = await t.tenant('vec-state');
    other = await t.tenant('vec-other');
    await putFixture((id, item) => putItem(t, h, id, item));
    await putItem(t, other, 'o-sofa', { title: 'Corner couch', categories: ['furniture/sofas'] });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('off by default: keyword results with a notice, and no index is built', async () => {
    const tenant = await t.request({ method: 'GET', url: '/v1/tenants/vec-state', headers: h });
    assert.deepEqual(tenant.json().settings, { vectors: false });
    assert.equal((await status()).vectors?.state, 'off');
    const hybrid = await search('hybrid');
    assert.equal(hybrid.mode, 'hybrid');
    assert.deepEqual(hybrid.notices, [VECTORS_OFF_NOTICE]);
    assert.ok(hybrid.hits.length > 0);
    assert.ok(hybrid.hits.every((x) => !x.retrievers.includes('vector')));
    const vector = await search('vector');
    assert.equal(vector.mode, 'keyword');
    assert.deepEqual(vector.notices, [VECTORS_OFF_NOTICE]);
    assert.deepEqual((await search('keyword')).notices, []);
    // No index exists and nothing was embedded: the searches did not start a build.
    assert.equal(t.vectors.status('vec-state'), undefined);
    assert.equal(t.vectors.encoders.embeddedTexts(), 0);
  });

  test('bad settings are refused with the failing field; another tenant cannot change them', async () => {
    const wrongType = await patch({ vectors: 'yes' });
    assert.equal(wrongType.statusCode, 400, wrongType.body);
    assert.match(wrongType.headers['content-type'] as string, /application\/problem\+json/);
    assert.equal(wrongType.json().code, 'validation_failed');
    assert.ok(
      wrongType.json().errors.some((e: { path: string }) => e.path === '/vectors'),
      wrongType.body,
    );
    assert.equal((await patch({})).statusCode, 400);
    assert.equal((await patch({ vectors: true, colour: 'red' })).statusCode, 400);
    const cross = await patch({ vectors: true }, other);
    assert.ok([403, 404].includes(cross.statusCode), cross.body);
    const missing = await patch({ vectors: true }, t.operator, 'no-such-tenant');
    assert.equal(missing.statusCode, 404, missing.body);
    assert.equal((await status()).vectors?.state, 'off');
  });

  test('on: built at once, ahead of queries; warming said meanwhile; kept from the feed', async () => {
    const on = await patch({ vectors: true });
    assert.equal(on.statusCode, 200, on.body);
    assert.deepEqual(on.json().settings, { vectors: true });
    // No query yet, and the build is under way.
    assert.equal((await status()).vectors?.state, 'building');
    const warming = await search('hybrid');
    assert.deepEqual(warming.notices, [VECTORS_WARMING_NOTICE]);
    await t.vectors.ready('vec-state');
    const ready = await status();
    assert.equal(ready.vectors?.state, 'ready');
    assert.equal(ready.vectors?.items, FIXTURE_ITEMS.length);
    const warm = await search('hybrid');
    assert.deepEqual(warm.notices, []);
    assert.ok(warm.hits.some((x) => x.retrievers.includes('vector')));
    // The other tenant's vectors are still off, and its items are not in this index.
    assert.deepEqual((await search('hybrid', other)).notices, [VECTORS_OFF_NOTICE]);
    assert.ok(!(await t.vectors.query('vec-state', 'corner couch', 50)).some((x) => x.id === 'o-sofa'));
    // A new item is embedded from the feed, no query asking for it.
    await putItem(t, h, 'lamp-9', { title: 'Floor lamp with shade', categories: ['lighting/lamps'] });
    await within(2000, async () => t.vectors.status('vec-state')?.items === FIXTURE_ITEMS.length + 1);
    const audit = await t.request({
      method: 'GET',
      url: '/v1/audit?tenantId=vec-state',
      headers: t.operator,
    });
    assert.ok(audit.json().entries.some((e: { action: string }) => e.action === 'tenant.settings'));
  });

  test('a restart builds the index of a tenant with vectors on before its first query', async () => {
    await t.close();
    // Without its saved index: it must be built again, from the catalog.
    rmSync(join(dataDir, 'vectors'), { recursive: true, force: true });
    t = await start();
    await within(60_000, async () => t.vectors.status('vec-state')?.items === FIXTURE_ITEMS.length + 1);
    assert.ok(t.vectors.encoders.embeddedTexts() >= FIXTURE_ITEMS.length);
    // The tenant with vectors off was not built.
    assert.equal(t.vectors.status('vec-other'), undefined);
  });

  test('off again: the index is dropped and answers say vectors are off', async () => {
    const off = await patch({ vectors: false });
    assert.equal(off.statusCode, 200, off.body);
    await within(2000, async () => t.vectors.status('vec-state') === undefined);
    assert.equal((await status()).vectors?.state, 'off');
    assert.deepEqual((await search('hybrid')).notices, [VECTORS_OFF_NOTICE]);
    assert.equal(t.vectors.status('vec-state'), undefined);
  });
});

// Exploration as a tenant setting (issue 20): `PATCH /v1/tenants/{id}/settings {"searchExploration": ε}`
// makes a share ε of relevance-ordered first pages shuffle ranks 3–20 before the page is cut; such answers
// say `explored: true` and their searchId carries it (decodeSearchId), which the click judgments read
// (training/click-judgments.test.ts measures the position bias on them). Off by default; later pages and other
// tenants are never explored, and pages after an explored one leave out what it showed (the cursor carries
// it); the rate is bounded (0–0.5), a bad value is a 400 naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BatchItem, SearchResponse } from '@quiver/contracts';
import { decodeSearchId } from '../../../src/modules/search/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { searchOk, searchTenant } from '../../support/search.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

// Titles with 1–30 repeats of "lamp": a strict keyword order of 30 matches.
const catalog: BatchItem[] = Array.from({ length: 30 }, (_, i) => ({
  id: `l-${String(i).padStart(2, '0')}`,
  title: `${'lamp '.repeat(30 - i)}model ${i}`,
}));
const ids = (r: SearchResponse) => r.hits.map((h) => h.item.id);

describe('search exploration setting', () => {
  let app: TestApp;
  let admin: Record<string, string>;
  let other: Record<string, string>;
  const search = (payload: object, headers = admin) => searchOk(app, headers, payload);
  const lamps = (headers = admin) => search({ query: 'lamp', mode: 'keyword', limit: 10 }, headers);
  const patch = (payload: object, tenant = 'explore-a') =>
    app.request({ method: 'PATCH', url: `/v1/tenants/${tenant}/settings`, headers: admin, payload });

  before(async () => {
    app = await startTestApp(STORAGE_KINDS[0], {}, undefined, { vectors: null });
    admin = await searchTenant(app, 'explore-a', catalog);
    other = await searchTenant(app, 'explore-b', catalog);
  });
  after(() => app.close());

  test('off by default: answers in score order, not explored', async () => {
    const r = await lamps();
    assert.deepEqual(
      ids(r),
      catalog.slice(0, 10).map((i) => i.id),
    );
    assert.equal(r.explored, undefined);
    assert.equal(decodeSearchId(r.searchId)?.explored, false);
  });

  test('a rate outside 0–0.5 is refused, naming the field', async () => {
    for (const searchExploration of [0.7, -0.1, 'often']) {
      const res = await patch({ searchExploration });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.headers['content-type']?.toString().startsWith('application/problem+json'), true);
      assert.match(res.body, /searchExploration/);
    }
  });

  test('at 0.5, about half the first pages shuffle ranks 3–20; they say so, and their searchId carries it', async () => {
    const res = await patch({ searchExploration: 0.5 });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().settings.searchExploration, 0.5);
    const top20 = new Set(catalog.slice(0, 20).map((i) => i.id));
    let explored = 0;
    let reordered = 0;
    for (let n = 0; n < 60; n++) {
      const r = await lamps();
      assert.equal(r.total, 30);
      assert.equal(r.hits.length, 10);
      assert.equal(decodeSearchId(r.searchId)?.explored, r.explored === true);
      if (!r.explored) {
        assert.deepEqual(
          ids(r),
          catalog.slice(0, 10).map((i) => i.id),
          'unexplored: the ranking as it is',
        );
        continue;
      }
      explored++;
      assert.deepEqual(ids(r).slice(0, 2), ['l-00', 'l-01'], 'the first two stay');
      assert.ok(
        ids(r).every((id) => top20.has(id)),
        'only ranks up to 20 come up',
      );
      assert.equal(new Set(ids(r)).size, 10);
      if (ids(r).some((id, i) => id !== catalog[i].id)) reordered++;
    }
    assert.ok(explored >= 15 && explored <= 45, `${explored} of 60 explored`);
    assert.ok(reordered >= explored - 1, 'explored pages are shuffled');
    // The other tenant's answers are never explored.
    for (let n = 0; n < 10; n++) assert.equal((await lamps(other)).explored, undefined);
  });

  test('pages after the first are not explored; after an unexplored page 1, page 2 is ranks 11–20', async () => {
    let first = await lamps();
    while (first.explored) first = await lamps();
    for (let n = 0; n < 20; n++) {
      const next = await search({ query: 'lamp', mode: 'keyword', limit: 10, cursor: first.nextCursor });
      assert.equal(next.explored, undefined);
      assert.deepEqual(
        ids(next),
        catalog.slice(10, 20).map((i) => i.id),
      );
    }
  });

  for (const mode of ['keyword', 'hybrid'] as const)
    test(`after an explored page 1, later pages leave out what it showed: each item once, none skipped (${mode})`, async () => {
      const body = { query: 'lamp', mode, limit: 10 };
      let first = await search(body);
      for (let n = 0; n < 60 && !first.explored; n++) first = await search(body);
      assert.equal(first.explored, true, 'an explored first page in 60 draws at 0.5');
      const pages = [first];
      for (let cursor = first.nextCursor; cursor; ) {
        const next = await search({ ...body, cursor });
        assert.equal(next.explored, undefined);
        assert.equal(next.total, 30);
        pages.push(next);
        cursor = next.nextCursor;
      }
      assert.deepEqual(
        pages.map((p) => p.hits.length),
        [10, 10, 10],
      );
      // The cursor carries ranks, not ids: a few bytes whatever the items' ids.
      assert.ok(first.nextCursor!.length < 100, first.nextCursor!);
      const all = pages.flatMap(ids);
      assert.equal(new Set(all).size, 30, 'every match once');
      if (mode === 'hybrid') return;
      // Keyword: page 2 onwards is the ranking without page 1's items, in score order.
      const shown = new Set(ids(first));
      assert.deepEqual(
        all.slice(10),
        catalog.map((i) => i.id).filter((id) => !shown.has(id)),
      );
    });

  test('a cursor carrying what page 1 showed is refused when it is not ours', async () => {
    const first = await lamps();
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(first.nextCursor!, 'base64url').toString()), x: 2 ** 20 }),
    ).toString('base64url');
    const res = await app.request({
      method: 'POST',
      url: '/v1/search',
      headers: admin,
      payload: { query: 'lamp', mode: 'keyword', limit: 10, cursor: forged },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.body, /\/cursor/);
  });

  test('back to 0: never explored', async () => {
    assert.equal((await patch({ searchExploration: 0 })).statusCode, 200);
    for (let n = 0; n < 20; n++) assert.equal((await lamps()).explored, undefined);
  });
});

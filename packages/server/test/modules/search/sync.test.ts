// Index sync over NATS JetStream (PostgreSQL catalog): an item written through the catalog is searchable
// within a second with its new text, and a deleted one stays gone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_NATS_URL } from '../../adapters/stream/testing.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { keywordSearch } from '../../support/search.ts';
import { putItems } from '../../support/seed.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

describe('search index sync on PostgreSQL + NATS JetStream', () => {
  let app: TestApp;
  let headers: Record<string, string>;
  const answer = (query: string) => keywordSearch(app, headers, query);
  const ids = async (query: string): Promise<string[]> => (await answer(query)).hits.map((h) => h.item.id);
  const within = async (ms: number, check: () => Promise<boolean>): Promise<boolean> => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (await check()) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  before(async () => {
    app = await startTestApp(STORAGE_KINDS[1], { streamUrl: TEST_NATS_URL });
    headers = await app.tenant(`sync-${Date.now().toString(36)}`);
    await app.request({ method: 'PUT', url: '/v1/items/k1', headers, payload: { title: 'Copper kettle' } });
  });
  after(() => app.close());

  test('create, update and delete through the catalog show in search within a second', async () => {
    assert.deepEqual(await ids('kettle'), ['k1']); // first search builds the index from the catalog
    let started = Date.now();
    await app.request({ method: 'PUT', url: '/v1/items/k2', headers, payload: { title: 'Enamel teapot' } });
    assert.ok(
      await within(1000, async () => (await ids('teapot'))[0] === 'k2'),
      `created: ${Date.now() - started} ms`,
    );
    started = Date.now();
    await app.request({
      method: 'PUT',
      url: '/v1/items/k1',
      headers,
      payload: { title: 'Steel percolator' },
    });
    assert.ok(await within(1000, async () => (await ids('percolator'))[0] === 'k1'), 'updated');
    assert.deepEqual(await ids('copper'), []);
    await app.request({ method: 'DELETE', url: '/v1/items/k2', headers });
    assert.ok(await within(1000, async () => (await ids('teapot')).length === 0), 'deleted');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await ids('teapot'), []);
  });

  test('a batch of 1,000 is searchable in full, and a second batch replaces its words', async () => {
    const batch = (word: string) =>
      Array.from({ length: 1000 }, (_, i) => ({ id: `b-${i}`, title: `${word} lantern ${i}` }));
    const write = (word: string) => putItems(app, headers, batch(word));
    // Freshness bounds here are generous (the machine is shared); the point is that every item arrives.
    await write('zircon');
    assert.ok(await within(10_000, async () => (await answer('zircon')).total === 1000), 'created');
    await write('quartz');
    assert.ok(await within(10_000, async () => (await answer('quartz')).total === 1000), 'updated');
    assert.equal((await answer('zircon')).total, 0);
  });
});

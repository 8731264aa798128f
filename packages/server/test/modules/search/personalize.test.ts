// Personal boost: a user's category affinity (built from their events by the feature store) lifts items
// in those categories above equally relevant ones; without userId or with personalize:false it does not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForFeatures } from '../../../src/modules/features/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { searchOk, searchTenant } from '../../support/search.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

describe('search personalization by category affinity', () => {
  let app: TestApp;
  let headers: Record<string, string>;
  const order = async (body: object): Promise<string[]> => {
    return (await searchOk(app, headers, body)).hits.map((h) => h.item.id);
  };

  before(async () => {
    app = await startTestApp(STORAGE_KINDS[0]);
    const items = [
      { id: 'a-audio', title: 'Desk lamp speaker', categories: ['electronics/audio'] },
      { id: 'b-light', title: 'Desk lamp speaker', categories: ['home/lighting'] },
      { id: 'c-light', title: 'Ceiling light', categories: ['home/lighting'] },
    ];
    headers = await searchTenant(app, 'perso', items);
    const events = Array.from({ length: 3 }, (_, i) => ({
      id: `view-${i}`,
      type: 'view',
      userId: 'u1',
      itemId: 'c-light',
      timestamp: new Date(Date.now() - i * 1000).toISOString(),
    }));
    const sent = await app.request({ method: 'POST', url: '/v1/events', headers, payload: { events } });
    assert.equal(sent.statusCode, 202, sent.body);
    await waitForFeatures(
      app.kv,
      'perso',
      events.map((e) => e.id),
    );
  });
  after(() => app.close());

  test('the user who browses lighting sees the lighting lamp first', async () => {
    assert.deepEqual(await order({ query: 'desk lamp', mode: 'keyword' }), ['a-audio', 'b-light']);
    assert.deepEqual(await order({ query: 'desk lamp', mode: 'keyword', userId: 'u1' }), [
      'b-light',
      'a-audio',
    ]);
    assert.deepEqual(await order({ query: 'desk lamp', mode: 'keyword', userId: 'u1', personalize: false }), [
      'a-audio',
      'b-light',
    ]);
    // A user with no history changes nothing.
    assert.deepEqual(await order({ query: 'desk lamp', mode: 'keyword', userId: 'nobody' }), [
      'a-audio',
      'b-light',
    ]);
  });
});

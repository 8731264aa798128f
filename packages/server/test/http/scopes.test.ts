// Every resource has a read-only scope, and keys minted before those scopes existed keep reading what they read.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Scope } from '@quiver/contracts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

const READS: Record<string, string[]> = {
  'events:read': ['/v1/events'],
  'models:read': ['/v1/models', '/v1/endpoints', '/v1/trainers/runs'],
  'features:read': ['/v1/feature-views', '/v1/feature-services'],
};

describe('read scopes', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  const key = async (scopes: Scope[]) => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/tenants/scopes/keys',
      headers: admin,
      payload: { name: scopes.join('+'), scopes },
    });
    assert.equal(res.statusCode, 201, res.body);
    return { authorization: `Bearer ${res.json().secret}` };
  };
  const status = async (
    headers: Record<string, string>,
    method: 'GET' | 'POST',
    url: string,
    payload?: object,
  ) => (await t.request({ method, url, headers, ...(payload ? { payload } : {}) })).statusCode;

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0]);
    admin = await t.tenant('scopes');
  });
  after(() => t.close());

  test('events:read, models:read and features:read read their resource and nothing else', async () => {
    for (const [scope, urls] of Object.entries(READS)) {
      const reader = await key([scope as Scope]);
      for (const url of urls) assert.equal(await status(reader, 'GET', url), 200, `${scope} GET ${url}`);
      for (const [other, otherUrls] of Object.entries(READS)) {
        if (other !== scope)
          assert.equal(await status(reader, 'GET', otherUrls[0]), 403, `${scope} ${other}`);
      }
    }
    const events = await key(['events:read']);
    const event = { id: 'e-1', type: 'view', userId: 'u', itemId: 'i', timestamp: '2026-11-25T10:00:00Z' };
    assert.equal(await status(events, 'POST', '/v1/events', { events: [event] }), 403);
    assert.equal(await status(await key(['models:read']), 'POST', '/v1/models', { name: 'm' }), 403);
  });

  test('keys from before the read scopes keep reading: the write scope, and infer for features', async () => {
    const granted: [Scope, string][] = [
      ['events:write', '/v1/events'],
      ['models:write', '/v1/models'],
      ['models:write', '/v1/endpoints'],
      ['infer', '/v1/feature-views'],
    ];
    for (const [scope, url] of granted) {
      assert.equal(await status(await key([scope]), 'GET', url), 200, `${scope} GET ${url}`);
    }
  });

  test('the read scopes are listed in the OpenAPI document', async () => {
    const doc = JSON.stringify((await t.request({ method: 'GET', url: '/v1/openapi.json' })).json());
    for (const scope of Object.keys(READS)) assert.ok(doc.includes(`"${scope}"`), scope);
  });
});

// The API contract: /v1 only grows. The live OpenAPI document must keep everything the committed one has.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { STORAGE_KINDS } from '../support/storage.ts';
import { breakingChanges } from './openapi-compat.ts';

const COMMITTED = new URL('../../../contracts/openapi.json', import.meta.url);

let t: TestApp;
before(async () => {
  t = await startTestApp(STORAGE_KINDS[0]);
});
after(() => t.close());

test('the live document keeps every operation, field and status of the committed one', async () => {
  const committed = JSON.parse(readFileSync(COMMITTED, 'utf8'));
  const live = (await t.request({ method: 'GET', url: '/v1/openapi.json' })).json();
  assert.deepEqual(
    breakingChanges(committed, live),
    [],
    'a breaking change: keep the old shape, or version the API',
  );
});

test('the check catches removals and newly required fields', () => {
  const op = (required: string[], response: string[]) => ({
    requestBody: { content: { 'application/json': { schema: { properties: { a: {}, b: {} }, required } } } },
    responses: {
      200: {
        content: {
          'application/json': { schema: { properties: Object.fromEntries(response.map((f) => [f, {}])) } },
        },
      },
    },
  });
  const before = { paths: { '/v1/x': { post: op(['a'], ['id', 'name']) }, '/v1/y': { get: op([], []) } } };
  const after = { paths: { '/v1/x': { post: op(['a', 'b'], ['id']) } } };
  assert.deepEqual(breakingChanges(before, after).sort(), [
    'GET /v1/y was removed',
    "POST /v1/x: request field 'b' became required",
    "POST /v1/x: response 200 lost field 'name'",
  ]);
  assert.deepEqual(breakingChanges(before, before), []);
});

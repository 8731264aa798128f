// Every operation of /v1/openapi.json has a unique operationId and a valid example; /docs is Quiver's page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { OPERATIONS } from '../../src/http/openapi-operations.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

type Json = Record<string, unknown>;
interface Operation {
  where: string;
  op: Json;
}

let t: TestApp;
let operations: Operation[];
before(async () => {
  t = await startTestApp(STORAGE_KINDS[0]);
  const doc = (await t.request({ method: 'GET', url: '/v1/openapi.json' })).json();
  operations = Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
  );
});
after(() => t.close());

const contents = (op: Json): Json[] => [
  ...Object.values(((op.requestBody as Json | undefined)?.content as Record<string, Json>) ?? {}),
  ...Object.values((op.responses as Record<string, Json>) ?? {}).flatMap((r) =>
    Object.values((r.content as Record<string, Json>) ?? {}),
  ),
];

test('every operation has a unique operationId and at least one example', () => {
  assert.ok(operations.length >= 70, `${operations.length} operations`);
  const ids = new Map<string, string>();
  for (const { where, op } of operations) {
    const id = op.operationId;
    assert.equal(typeof id, 'string', `${where} has no operationId`);
    assert.match(id as string, /^[a-z][A-Za-z0-9]+$/, where);
    assert.equal(
      ids.get(id as string),
      undefined,
      `${where} repeats the operationId of ${ids.get(id as string)}`,
    );
    ids.set(id as string, where);
    const examples =
      contents(op).filter((c) => c.example !== undefined).length +
      ((op.parameters as Json[] | undefined) ?? []).filter((p) => p.example !== undefined).length;
    assert.ok(examples > 0, `${where} has no example`);
  }
  // The table names no operation that does not exist (a renamed route would leave its entry behind).
  const live = new Set(operations.map((o) => o.where));
  assert.deepEqual(
    Object.keys(OPERATIONS).filter((k) => !live.has(k)),
    [],
  );
});

test('every example body is valid against its own schema', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  // ajv-formats is CommonJS with a default export that NodeNext types do not see as callable.
  (addFormats as unknown as (instance: Ajv) => void)(ajv);
  let checked = 0;
  for (const { where, op } of operations) {
    for (const content of contents(op)) {
      if (content.example === undefined || content.schema === undefined) continue;
      const validate = ajv.compile(content.schema as Json);
      assert.ok(validate(content.example), `${where}: ${JSON.stringify(validate.errors)}`);
      checked++;
    }
    for (const parameter of (op.parameters as Json[] | undefined) ?? []) {
      if (parameter.example === undefined || parameter.schema === undefined) continue;
      const schema = parameter.schema as Json;
      const value =
        schema.type === 'integer' || schema.type === 'number' ? Number(parameter.example) : parameter.example;
      const validate = ajv.compile(schema);
      assert.ok(validate(value), `${where} parameter ${parameter.name}: ${JSON.stringify(validate.errors)}`);
      checked++;
    }
  }
  assert.ok(checked >= 100, `${checked} examples checked`);
});

test('/docs is titled for Quiver and reads /v1/openapi.json', async () => {
  const page = await t.request({ method: 'GET', url: '/docs' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<title>Quiver API<\/title>/);
  const init = await t.request({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
  assert.equal(init.statusCode, 200);
  assert.match(init.body, /"urls":\[\{"url":"\/v1\/openapi\.json"/);
});

// Version refs in paths: one grammar for every registry route and for /v2 resolution. A version number is
// canonical decimal (1, 42; never 01, 0x1, 1e3, +1, 1.0); anything else must be an alias name; the rest is 400.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { linearModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

/** Refs that are neither a version number nor an alias name (URL-encoded where a path needs it). */
const BAD_REFS = [
  '0x1',
  '1e3',
  '01',
  '%2B1',
  '%201',
  '1%20',
  '1.0',
  '0',
  '-1',
  '1a',
  'Champion',
  '2147483648',
  '9007199254740993',
  '99999999999999999999',
];

for (const kind of STORAGE_KINDS) {
  describe(`version refs on ${kind.name}`, () => {
    let t: TestApp;
    let key: Record<string, string>;
    const get = (url: string) => t.request({ method: 'GET', url, headers: key });

    before(async () => {
      t = await startTestApp(kind, { inferenceWorkers: 1 });
      key = await t.tenant('acme', ['models:write', 'infer']);
      assert.equal(
        (await t.request({ method: 'POST', url: '/v1/models', headers: key, payload: { name: 'm' } }))
          .statusCode,
        201,
      );
      for (const seed of [1, 2]) {
        const res = await t.request({
          method: 'POST',
          url: '/v1/models/m/versions',
          headers: { ...key, 'content-type': 'application/octet-stream' },
          payload: linearModel({ inFeatures: 2, outFeatures: 1, seed }).bytes,
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const alias = await t.request({
        method: 'PUT',
        url: '/v1/models/m/aliases/champion',
        headers: key,
        payload: { version: 2 },
      });
      assert.equal(alias.statusCode, 200, alias.body);
    });
    after(() => t.close());

    const assertProblem = (res: Awaited<ReturnType<TestApp['request']>>, what: string) => {
      assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, what);
      assert.equal(res.json().code, 'validation_failed', what);
    };

    test('a ref that is neither a canonical version number nor an alias name is 400 on every /v1 route', async () => {
      for (const ref of BAD_REFS) {
        const del = await t.request({ method: 'DELETE', url: `/v1/models/m/versions/${ref}`, headers: key });
        assertProblem(del, `DELETE ${ref}`);
        assertProblem(await get(`/v1/models/m/versions/${ref}`), `GET ${ref}`);
        assertProblem(await get(`/v1/models/m/versions/${ref}/tokenizer`), `GET ${ref}/tokenizer`);
        const alias = await t.request({
          method: 'PUT',
          url: `/v1/models/m/aliases/${ref}`,
          headers: key,
          payload: { version: 1 },
        });
        assertProblem(alias, `PUT alias ${ref}`);
      }
      // Nothing was deleted or aliased on the way.
      const versions = (await get('/v1/models/m/versions')).json().versions as { version: number }[];
      assert.deepEqual(
        versions.map((v) => v.version),
        [2, 1],
      );
      assert.deepEqual((await get('/v1/models/m')).json().aliases, { champion: 2 });
    });

    test('an alias target beyond the version range is 400, not a storage error', async () => {
      for (const version of [2147483648, 1e20]) {
        const res = await t.request({
          method: 'PUT',
          url: '/v1/models/m/aliases/next',
          headers: key,
          payload: { version },
        });
        assertProblem(res, `alias to ${version}`);
      }
    });

    test('/v2 resolves refs with the same grammar', async () => {
      const body = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] };
      const infer = (ref: string) =>
        t.request({ method: 'POST', url: `/v2/models/m/versions/${ref}/infer`, headers: key, payload: body });
      for (const ref of BAD_REFS) {
        const res = await infer(ref);
        assert.equal(res.statusCode, 400, `infer ${ref}: ${res.body}`);
        assert.equal(typeof res.json().error, 'string');
        for (const path of ['', '/ready']) {
          const other = await get(`/v2/models/m/versions/${ref}${path}`);
          assert.equal(other.statusCode, 400, `GET ${ref}${path}: ${other.body}`);
        }
      }
      assert.equal((await infer('1')).json().model_version, '1');
      assert.equal((await infer('champion')).json().model_version, '2');
    });

    test('canonical numbers and alias names still resolve; unknown ones are 404', async () => {
      assert.equal((await get('/v1/models/m/versions/1')).json().version, 1);
      assert.equal((await get('/v1/models/m/versions/champion')).json().version, 2);
      assert.equal((await get('/v1/models/m/versions/2147483647')).statusCode, 404);
      assert.equal((await get('/v1/models/m/versions/nope')).statusCode, 404);
      assert.equal((await get('/v2/models/m/versions/2147483647')).statusCode, 404);
      const aliased = await t.request({ method: 'DELETE', url: '/v1/models/m/versions/2', headers: key });
      assert.equal(aliased.statusCode, 409, aliased.body);
      const byAlias = await t.request({
        method: 'DELETE',
        url: '/v1/models/m/versions/champion',
        headers: key,
      });
      assertProblem(byAlias, 'DELETE by alias');
      assert.match(byAlias.json().detail, /version number/);
      const gone = await t.request({ method: 'DELETE', url: '/v1/models/m/versions/1', headers: key });
      assert.equal(gone.statusCode, 204, gone.body);
      assert.equal((await get('/v1/models/m/versions/1')).statusCode, 404);
    });
  });
}

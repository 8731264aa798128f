// Deprecated routes announce it: Deprecation (RFC 9745), Sunset (RFC 8594) and a Link to the changelog,
// on successes and errors alike; the OpenAPI operation says deprecated; a short notice fails the start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from 'typebox';
import {
  CHANGELOG_PATH,
  createServer,
  registerChangelog,
  registerDeprecation,
  registerOpenApi,
} from '../../src/http/index.ts';

const config = { logLevel: 'silent' as const, bodyLimitBytes: 1 << 20 };
const deprecated = { since: '2026-12-01', sunset: '2027-06-30', successor: '/v1/new-thing' };

const build = async () => {
  const app = createServer(config);
  registerDeprecation(app);
  await registerOpenApi(app);
  registerChangelog(app);
  app.get('/v1/old-thing', { config: { deprecated }, schema: { tags: ['test'] } }, async () => ({
    ok: true,
  }));
  app.post(
    '/v1/old-thing',
    { config: { deprecated }, schema: { tags: ['test'], body: Type.Object({ n: Type.Integer() }) } },
    async () => ({ ok: true }),
  );
  app.get('/v1/new-thing', { schema: { tags: ['test'] } }, async () => ({ ok: true }));
  await app.ready();
  return app;
};

test('a deprecated route answers Deprecation, Sunset and Link headers, also on a 400', async () => {
  const app = await build();
  try {
    for (const res of [
      await app.inject({ method: 'GET', url: '/v1/old-thing' }),
      await app.inject({ method: 'POST', url: '/v1/old-thing', payload: { n: 'x' } }),
    ]) {
      assert.equal(res.headers.deprecation, `@${Date.parse('2026-12-01') / 1000}`);
      assert.equal(res.headers.sunset, 'Wed, 30 Jun 2027 00:00:00 GMT');
      assert.equal(
        res.headers.link,
        `<${CHANGELOG_PATH}>; rel="deprecation"; type="text/markdown", </v1/new-thing>; rel="successor-version"`,
      );
    }
    const fresh = await app.inject({ method: 'GET', url: '/v1/new-thing' });
    assert.equal(fresh.headers.deprecation, undefined);
    assert.equal(fresh.headers.sunset, undefined);
    const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    assert.equal(doc.paths['/v1/old-thing'].get.deprecated, true);
    assert.equal(doc.paths['/v1/new-thing'].get.deprecated, undefined);
    const changelog = await app.inject({ method: 'GET', url: CHANGELOG_PATH });
    assert.equal(changelog.statusCode, 200);
    assert.match(changelog.body, /^# Changelog/);
  } finally {
    await app.close();
  }
});

test('a deprecation with less than six months of notice, or a bad date, fails the start', async () => {
  for (const bad of [
    { since: '2026-12-01', sunset: '2027-01-15' },
    { since: 'soon', sunset: '2027-06-30' },
  ]) {
    const app = createServer(config);
    registerDeprecation(app);
    assert.throws(() => app.get('/v1/x', { config: { deprecated: bad } }, async () => ({})), /six months/);
    await app.close();
  }
});

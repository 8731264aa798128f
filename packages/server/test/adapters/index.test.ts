// The adapter table: the configuration accepts exactly its schemes, and both refusals name the accepted ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADAPTERS, openPort, urlProblem } from '../../src/adapters/index.ts';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

const URLS = {
  sql: 'DATABASE_URL',
  kv: 'REDIS_URL',
  stream: 'STREAM_URL',
  blob: 'ARTIFACTS_URL',
} as const;

test('every scheme in the table is a valid setting, and another is refused naming the accepted ones', () => {
  for (const [port, variable] of Object.entries(URLS) as [keyof typeof URLS, string][]) {
    const { adapter, setting } = ADAPTERS[port];
    assert.equal(adapter.variable, variable);
    for (const scheme of Object.keys(adapter.schemes)) {
      const url = `${scheme}://host/x`;
      assert.equal(urlProblem(adapter, url), undefined);
      // A shared database needs shared artifacts (config/load.ts): give it a blob store.
      const shared = port === 'blob' ? {} : { ARTIFACTS_URL: 's3://bucket/prefix' };
      assert.equal(loadConfig({ ...shared, [variable]: url })[setting], url);
    }
    try {
      loadConfig({ [variable]: 'nope://host' });
      assert.fail('should refuse');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const expected = Object.keys(adapter.schemes).map((s) => `${s}://`);
      assert.match(
        error.problems[0],
        new RegExp(`^${setting} \\(${variable}\\): unsupported scheme 'nope:'`),
      );
      for (const s of expected) assert.ok(error.problems[0].includes(s), `${error.problems[0]} names ${s}`);
    }
  }
});

test('openPort: no URL opens the embedded implementation; an unknown scheme throws naming the variable', async () => {
  const kv = openPort('kv', {}, { dataDir: '' });
  assert.equal(kv.kind, 'memory');
  await kv.close();
  assert.throws(
    () => openPort('sql', { databaseUrl: 'mysql://x' }, { dataDir: '' }),
    /unsupported DATABASE_URL scheme in 'mysql:'; expected postgres:\/\/, postgresql:\/\/ or sqlite:\/\//,
  );
});

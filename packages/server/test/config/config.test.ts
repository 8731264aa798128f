// Configuration: defaults, environment overrides, and a start-up refusal that lists every problem.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

test('defaults need nothing: port 8080, ./data, embedded storage, demo on', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.dataDir, './data');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.demo, true);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.defaultLimits));
});

test('environment variables override a config file, which overrides defaults', () => {
  const file = join(tmpdir(), `quiver-config-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ port: 9000, logLevel: 'warn', defaultLimits: { keyBurst: 7 } }));
  const c = loadConfig({
    QUIVER_CONFIG: file,
    PORT: '9100',
    QUIVER_DEMO: 'false',
    DATABASE_URL: 'postgres://db/x',
    ARTIFACTS_URL: 's3://models/quiver',
  });
  assert.equal(c.port, 9100);
  assert.equal(c.logLevel, 'warn');
  assert.equal(c.demo, false);
  assert.equal(c.databaseUrl, 'postgres://db/x');
  assert.equal(c.defaultLimits.keyBurst, 7);
  assert.equal(c.defaultLimits.tenantBurst, 4000);
});

test('every problem is listed at once, naming the variable', () => {
  try {
    loadConfig({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      QUIVER_OPERATOR_KEY: 'short',
      DATABASE_URL: 'mysql://x',
      QUIVER_KEY_RATE_PER_S: '-1',
    });
    assert.fail('should refuse');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const text = error.problems.join('\n');
    for (const name of [
      'PORT',
      'LOG_LEVEL',
      'QUIVER_OPERATOR_KEY',
      'DATABASE_URL',
      'QUIVER_KEY_RATE_PER_S',
    ]) {
      assert.match(text, new RegExp(name), `mentions ${name}`);
    }
    assert.equal(error.problems.length, 5);
  }
});

test('a missing or broken config file is a listed problem', () => {
  assert.throws(
    () => loadConfig({ QUIVER_CONFIG: '/nonexistent/quiver.json' }),
    (e: unknown) => e instanceof ConfigError && /QUIVER_CONFIG/.test(e.problems[0]),
  );
});

test('a PostgreSQL database without ARTIFACTS_URL is refused, saying what to set', () => {
  for (const url of ['postgres://db/x', 'postgresql://db/x']) {
    assert.throws(
      () => loadConfig({ DATABASE_URL: url, PORT: 'eighty' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.length === 2 &&
        e.problems.some((p) => /ARTIFACTS_URL/.test(p) && /s3:\/\//.test(p) && /file:\/\//.test(p)),
    );
  }
});

test('a shared blob store, or a directory every replica mounts, makes a PostgreSQL database valid', () => {
  for (const artifacts of ['s3://models/quiver', 'file:///mnt/shared/quiver-blobs']) {
    const c = loadConfig({ DATABASE_URL: 'postgres://db/x', ARTIFACTS_URL: artifacts });
    assert.equal(c.artifactsUrl, artifacts);
  }
  // Embedded storage keeps the default: blobs under the data directory.
  assert.equal(loadConfig({ DATABASE_URL: 'sqlite:///tmp/q.db' }).artifactsUrl, undefined);
});

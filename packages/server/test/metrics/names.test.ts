// The README's metric table is what /metrics emits: every documented series exists with its type and
// labels, every emitted series is documented, one `quiver_` prefix, standard `process_*`/`nodejs_*` names.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEST_REDIS_URL } from '../modules/features/testing.ts';
import { uploadModel } from '../modules/inference/testing.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { lookupModel } from '../support/onnx/index.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

const ROOT = join(import.meta.dirname, '../../../..');
const README = join(ROOT, 'README.md');
const DASHBOARD = join(ROOT, 'deploy/grafana/quiver.json');
const RULES = join(ROOT, 'deploy/prometheus/rules.yml');

/** Metric names in PromQL text (recording rules, named `level:metric:op`, are not metrics /metrics emits). */
const metricNamesIn = (promql: string): Set<string> =>
  new Set([...promql.matchAll(/\b((?:quiver|process|nodejs)_\w+)/g)].map((m) => m[1]));

/** A histogram's `_bucket`/`_sum`/`_count` series named by the histogram it belongs to. */
const baseName = (name: string, emitted: Map<string, string>): string => {
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  return m && emitted.get(m[1]) === 'histogram' ? m[1] : name;
};

export interface Documented {
  type: string;
  labels: string[];
}

/** The metric table of the README's Metrics section: name → type and labels. */
export const documentedMetrics = (): Map<string, Documented> => {
  const text = readFileSync(README, 'utf8');
  const out = new Map<string, Documented>();
  for (const line of text.split('\n')) {
    const m = /^\| `(quiver_\w+)` \| (\w+) \| ([^|]*) \|/.exec(line);
    if (!m) continue;
    const labels = [...m[3].matchAll(/`(\w+)`/g)].map((l) => l[1]);
    out.set(m[1], { type: m[2], labels });
  }
  return out;
};

/** `# TYPE` lines of a Prometheus text exposition (every registered metric, sampled or not). */
export const emittedTypes = (text: string): Map<string, string> =>
  new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));

describe('metric names', () => {
  let t: TestApp;
  let text: string;

  before(async () => {
    // With Redis, so the dependency gauge is registered as it is in a distributed deployment.
    t = await startTestApp(STORAGE_KINDS[0], {
      inferenceWorkers: 1,
      redisUrl: TEST_REDIS_URL,
      redisKeyPrefix: `quiver-test:metrics:${randomBytes(6).toString('hex')}:`,
    });
    const acme = await t.tenant('acme');
    await uploadModel(t, acme, 'lookup', lookupModel(10, 3, 1));
    const inputs = [{ name: 'idx', datatype: 'INT64', shape: [1, 1], data: [3] }];
    const infer = await t.request({
      method: 'POST',
      url: '/v2/models/lookup/infer',
      headers: acme,
      payload: { inputs },
    });
    assert.equal(infer.statusCode, 200, infer.body);
    const events = await t.request({
      method: 'POST',
      url: '/v1/events',
      headers: acme,
      payload: {
        events: [{ id: 'e1', type: 'view', userId: 'u1', itemId: 'i1', timestamp: new Date().toISOString() }],
      },
    });
    assert.equal(events.statusCode, 202, events.body);
    text = (await t.request({ method: 'GET', url: '/metrics', headers: t.operator })).body;
  });
  after(() => t.close());

  test('every documented metric is emitted with its type, and every emitted quiver_ metric is documented', () => {
    const documented = documentedMetrics();
    const emitted = emittedTypes(text);
    assert.ok(documented.size > 20, `the README table lists ${documented.size} metrics`);
    for (const [name, d] of documented) assert.equal(emitted.get(name), d.type, `${name} in /metrics`);
    const undocumented = [...emitted.keys()].filter((n) => n.startsWith('quiver_') && !documented.has(n));
    assert.deepEqual(undocumented, [], 'emitted but missing from the README table');
  });

  test('one quiver_ prefix; process metrics under their standard names', () => {
    const names = [...emittedTypes(text).keys()];
    assert.deepEqual(
      names.filter(
        (n) =>
          n.startsWith('quiver_quiver_') || n.startsWith('quiver_process_') || n.startsWith('quiver_nodejs_'),
      ),
      [],
    );
    assert.deepEqual(
      names.filter((n) => !/^(quiver|process|nodejs)_/.test(n)),
      [],
    );
    for (const standard of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      assert.ok(names.includes(standard), standard);
  });

  test('the samples carry the documented labels', () => {
    const documented = documentedMetrics();
    let checked = 0;
    for (const m of text.matchAll(/^(quiver_\w+?)(_bucket|_sum|_count)?\{([^}]*)\} \S+$/gm)) {
      const d = documented.get(m[1]) ?? documented.get(m[1] + (m[2] ?? ''));
      assert.ok(d, `${m[1]} is documented`);
      const labels = [...m[3].matchAll(/(\w+)="/g)].map((l) => l[1]).filter((l) => l !== 'le');
      assert.deepEqual(labels.sort(), [...d.labels].sort(), `labels of ${m[1]}`);
      checked++;
    }
    assert.ok(checked > 10, `${checked} labelled samples checked`);
  });

  test('every metric the Grafana dashboard and the Prometheus rules query is emitted', () => {
    const emitted = emittedTypes(text);
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { query?: { query?: string } | string }[] };
    };
    const queries = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      ...dashboard.templating.list.map((v) =>
        typeof v.query === 'object' ? (v.query.query ?? '') : (v.query ?? ''),
      ),
    ];
    const fromDashboard = metricNamesIn(queries.join('\n'));
    const fromRules = metricNamesIn(readFileSync(RULES, 'utf8'));
    assert.ok(fromDashboard.size >= 10 && fromRules.size >= 5);
    const missing = [...fromDashboard, ...fromRules].filter((n) => !emitted.has(baseName(n, emitted)));
    assert.deepEqual(missing, [], 'queried but not in /metrics');
  });
});

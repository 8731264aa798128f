// Series metrics scrape to exactly the text prom-client's own Counter and Histogram write for the same
// observations (bucket edges included), and a reset zeroes them as it does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS_S } from '../../src/metrics/index.ts';
import { seriesCounter, seriesHistogram } from '../../src/metrics/series.ts';

const LABELS = ['method', 'route'] as const;
/** Values on and around bucket edges, below the first and above the last. */
const VALUES = [0, 0.0001, 0.0005, 0.00051, 0.001, 0.003, 0.25, 0.2500001, 10, 11, 1e6];

const both = () => {
  const ours = new Registry();
  const theirs = new Registry();
  return {
    ours,
    theirs,
    counter: seriesCounter(ours, 'q_requests_total', 'Requests', [...LABELS, 'tenant'] as const),
    histogram: seriesHistogram(ours, 'q_latency_seconds', 'Latency', LABELS, LATENCY_BUCKETS_S),
    promCounter: new Counter({
      name: 'q_requests_total',
      help: 'Requests',
      labelNames: [...LABELS, 'tenant'],
      registers: [theirs],
    }),
    promHistogram: new Histogram({
      name: 'q_latency_seconds',
      help: 'Latency',
      labelNames: LABELS,
      buckets: LATENCY_BUCKETS_S,
      registers: [theirs],
    }),
  };
};

describe('series metrics', () => {
  test("scrape to prom-client's text for the same counts and observations", async () => {
    const m = both();
    const sets = [
      { method: 'GET', route: '/v1/items/:itemId', tenant: 'acme' },
      { method: 'GET', route: '/v1/items/:itemId', tenant: '' },
      { method: 'POST', route: '/v1/items/batch', tenant: 'a "quoted" \\ tenant\n' },
    ];
    for (const [i, labels] of sets.entries()) {
      const series = m.counter.series(labels);
      for (let n = 0; n <= i; n++) series.inc();
      m.counter.series(labels).inc(2.5);
      m.promCounter.inc(labels, i + 1);
      m.promCounter.inc(labels, 2.5);
      const { method, route } = labels;
      for (const v of VALUES) {
        m.histogram.series({ method, route }).observe(v * (i + 1));
        m.promHistogram.observe({ method, route }, v * (i + 1));
      }
    }
    assert.equal(await m.ours.metrics(), await m.theirs.metrics());
    assert.match(
      await m.ours.metrics(),
      /q_requests_total\{method="GET",route="\/v1\/items\/:itemId",tenant="acme"\} 3.5/,
    );
  });

  test('a reset zeroes every series, as prom-client does for what it keeps', async () => {
    const m = both();
    m.counter.series({ method: 'GET', route: '/x', tenant: 't' }).inc();
    m.histogram.series({ method: 'GET', route: '/x' }).observe(0.002);
    m.ours.resetMetrics();
    const text = await m.ours.metrics();
    assert.match(text, /q_requests_total\{method="GET",route="\/x",tenant="t"\} 0/);
    assert.match(text, /q_latency_seconds_count\{method="GET",route="\/x"\} 0/);
  });
});

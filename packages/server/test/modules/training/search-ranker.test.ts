// The search-ranker trainer end to end, at a small scale: chorus-icecat's first 24 judged queries over their
// judged products and some others; a deliberately poor ranker serves (it puts items missing the query's words
// first); simulated shoppers (test/support/click-simulator.ts) search through POST /v1/search, look down a
// page of 30 hits and send their clicks and purchases through POST /v1/events. A search-ranker run learns from those events alone, measures
// itself against the serving ranker on held-out queries and publishes a version; a rollout of it through
// the `search-ranker` endpoint then promotes on attributed conversions, and completes.
// The tenant's vectors setting is off (the default): hybrid reranks keyword matches alone, so the ranker's
// features here are the keyword score and coverage; what is under test is events → judgments → fit →
// version → endpoint rollout. The run fits LambdaMART trees (the default model), published as a wide-input
// (v2) version, and the rollout serves it next to the narrow (v1) linear champion through one endpoint.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Rollout, SearchResponse, TrainingRun } from '@quiver/contracts';
import { DEFAULT_ALIAS } from '../../../src/modules/registry/index.ts';
import {
  linearRankerVersion,
  RANKER_MODEL,
  WIDE_RANKER_FEATURES,
} from '../../../src/modules/search/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import {
  createClickSimulator,
  DEFAULT_CLICK_MODEL,
  type IcecatJudged,
  icecatItem,
  readIcecatJudged,
  readIcecatProducts,
  type SimulatedEvent,
} from '../../support/click-simulator.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { runTrainer } from '../../support/training.ts';

const TENANT = 'ltr-shop';
const QUERIES = 24;
/** Hits per page, all of which a shopper may look at (a page of 10 hid too much: see the README). */
const PAGE = 30;
const STEP = '1m';
const STEP_MS = 60_000;
/** The poor ranker that serves first: keyword score minus the share of the query's words the item has. */
const POOR = { keyword: 1, vector: 0, coverage: -1 };

describe('search-ranker training from simulated clicks', () => {
  let t: TestApp;
  let h: Record<string, string>;
  let now = Date.parse('2026-12-01T00:00:00Z');
  const clock = { now: () => now };
  const judged: IcecatJudged[] = readIcecatJudged()
    .filter((q) => [...q.grades.values()].some((g) => g >= 2))
    .slice(0, QUERIES);
  const simulate = createClickSimulator(20, { ...DEFAULT_CLICK_MODEL, depth: PAGE });
  let user = 0;

  /** Every query searched `rounds` times by new shoppers; their events sent; purchases per variant. */
  const traffic = async (rounds: number) => {
    const events: SimulatedEvent[] = [];
    const buyers = new Map<string, number>();
    const searches = new Map<string, number>();
    for (let r = 0; r < rounds; r++)
      for (const q of judged) {
        const userId = `shopper-${++user}`;
        const res = await t.request({
          method: 'POST',
          url: '/v1/search',
          headers: h,
          payload: { query: q.query, limit: PAGE, userId },
        });
        assert.equal(res.statusCode, 200, res.body);
        const answer = res.json() as SearchResponse;
        const variant = answer.ranker?.variant ?? 'none';
        const at = new Date(now).toISOString();
        const shown = answer.hits.map((hit) => hit.item.id);
        const session = simulate({ query: q.query, searchId: answer.searchId, shown, userId, at }, q.grades);
        events.push(...session.events);
        searches.set(variant, (searches.get(variant) ?? 0) + 1);
        if (session.purchases > 0) buyers.set(variant, (buyers.get(variant) ?? 0) + 1);
      }
    for (let i = 0; i < events.length; i += 1000) {
      const sent = await t.request({
        method: 'POST',
        url: '/v1/events',
        headers: h,
        payload: { events: events.slice(i, i + 1000) },
      });
      assert.equal(sent.statusCode, 202, sent.body);
      assert.equal(sent.json().rejected, 0, sent.body);
    }
    return { buyers, searches };
  };

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 }, clock);
    h = await t.tenant(TENANT);
    const wanted = new Set(judged.flatMap((q) => [...q.grades.keys()]));
    const products = readIcecatProducts();
    const items = products.filter((p, i) => wanted.has(p.id) || i % 40 === 0).map(icecatItem);
    for (let i = 0; i < items.length; i += 1000) {
      const res = await t.request({
        method: 'POST',
        url: '/v1/items/batch',
        headers: h,
        payload: { items: items.slice(i, i + 1000) },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    // The first hybrid search creates the endpoint (built-in ranker, v1); the poor ranker becomes champion.
    const first = await t.request({ method: 'POST', url: '/v1/search', headers: h, payload: { query: 'x' } });
    assert.equal(first.statusCode, 200, first.body);
    const poor = await t.registry.uploadVersion(
      TENANT,
      RANKER_MODEL,
      linearRankerVersion(POOR, { framework: 'test', description: 'coverage counts against an item' }),
    );
    await t.registry.setAlias(TENANT, RANKER_MODEL, DEFAULT_ALIAS, poor.version.version);
  });
  after(() => t.close());

  let trained: TrainingRun;

  test('bad parameters are a 400 naming the field; a tenant without search outcomes fails, saying why', async () => {
    const bad = await t.request({
      method: 'POST',
      url: '/v1/trainers/search-ranker/runs',
      headers: h,
      payload: { params: { propensityFloor: 0 } },
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().code, 'validation_failed');
    assert.equal(bad.json().errors[0].path, '/params/propensityFloor');
    const other = await t.tenant('ltr-empty');
    const failed = await runTrainer(t, other, 'search-ranker');
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /no search has an outcome to learn from/);
    // Runs are the tenant's own.
    const foreign = await t.request({ method: 'GET', url: `/v1/trainers/runs/${failed.id}`, headers: h });
    assert.equal(foreign.statusCode, 404);
  });

  test('a run learns from the shoppers’ events alone and beats the serving ranker on held-out queries', async (ctx) => {
    await traffic(8);
    trained = await runTrainer(t, h, 'search-ranker', { promote: 'never' });
    assert.equal(trained.status, 'succeeded', trained.error ?? '');
    assert.equal(trained.kind, 'search-ranker');
    assert.equal(trained.data?.searches, 8 * QUERIES);
    // Queries whose shoppers clicked nothing give no judgments.
    assert.ok((trained.data?.queries ?? 0) >= QUERIES / 2, JSON.stringify(trained.data));
    const metrics = trained.metrics as Record<string, number>;
    const baseline = trained.baseline as Record<string, number>;
    assert.equal(metrics.queries, Math.round(0.2 * (trained.data?.queries ?? 0)));
    ctx.diagnostic(`held-out click NDCG@10: trained ${metrics['ndcg@10']}, serving ${baseline['ndcg@10']}`);
    assert.ok(metrics['ndcg@10'] > baseline['ndcg@10'], JSON.stringify({ metrics, baseline }));
    assert.deepEqual(trained.model, { name: RANKER_MODEL, version: 3 });
    assert.equal(trained.promotion?.decision, 'skipped');
    assert.deepEqual(trained.endpoints, ['search-ranker']);
    // The published version is LambdaMART trees over the wide features (input contract v2), with the
    // parameters chosen on a validation split of the training queries.
    const v = await t.registry.getVersion(TENANT, RANKER_MODEL, '3');
    const ranker = v.metadata.ranker as { kind: string; features: string[]; trees: number };
    assert.equal(ranker.kind, 'trees');
    assert.deepEqual(ranker.features, [...WIDE_RANKER_FEATURES]);
    assert.deepEqual(v.signature.inputs[0].shape, [-1, WIDE_RANKER_FEATURES.length]);
    const params = trained.data?.params;
    assert.ok(
      params && Math.max(1, params.trees) === ranker.trees && params.depth >= 1,
      JSON.stringify(trained.data),
    );
    const published = v.metadata.metrics as Record<string, number>;
    assert.equal(published['ndcg@10'], metrics['ndcg@10']);
    assert.equal(published['current_ndcg@10'], baseline['ndcg@10']);
  });

  test('a rollout of the trained ranker through the endpoint promotes on attributed conversions', async (ctx) => {
    assert.ok(trained, 'the training test ran');
    // An hour later: the rollout compares only what happens from its start.
    now += 3_600_000;
    const from = new Date(now).toISOString();
    const candidate = `${RANKER_MODEL}@3`;
    const started = await t.request({
      method: 'POST',
      url: '/v1/endpoints/search-ranker/rollouts',
      headers: h,
      payload: {
        candidate: { model: RANKER_MODEL, version: 3 },
        steps: [50, 100],
        stepDuration: STEP,
        // Latency on a shared test machine is noise; conversions are under test.
        guardrails: { minRequests: 40, maxP99Ratio: 1000, minConversionRatio: 1 },
      },
    });
    assert.equal(started.statusCode, 201, started.body);
    const rollout = started.json() as Rollout;
    const { buyers, searches } = await traffic(16);
    assert.ok((searches.get(candidate) ?? 0) >= 40, JSON.stringify([...searches]));
    // Wait until routing has attributed every purchase to its variant.
    const end = Date.now() + 30_000;
    for (;;) {
      const res = await t.request({
        method: 'GET',
        url: `/v1/endpoints/search-ranker/results?metric=purchase&from=${from}`,
        headers: h,
      });
      const got = new Map(
        (res.json().variants as Array<{ variant: string; conversions: number }>).map((v) => [
          v.variant,
          v.conversions,
        ]),
      );
      if ([...buyers].every(([variant, n]) => got.get(variant) === n)) break;
      if (Date.now() > end)
        throw new Error(`purchases not attributed: ${res.body} vs ${JSON.stringify([...buyers])}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    now += STEP_MS + 1;
    await t.routing.tick();
    const get = async () =>
      (
        await t.request({
          method: 'GET',
          url: `/v1/endpoints/search-ranker/rollouts/${rollout.id}`,
          headers: h,
        })
      ).json() as Rollout;
    const stepped = await get();
    const promote = stepped.decisions.at(-1)!;
    assert.equal(promote.action, 'promote', JSON.stringify(stepped.decisions));
    const n = promote.numbers;
    ctx.diagnostic(
      `conversion: trained ${n.candidateConversion} (${n.candidateRequests} searches), serving ${n.baselineConversion} (${n.baselineRequests})`,
    );
    assert.ok(
      (n.candidateConversion ?? 0) > (n.baselineConversion ?? 0),
      `conversion ${n.candidateConversion} vs ${n.baselineConversion}`,
    );
    assert.equal(stepped.percent, 100);
    // At 100% every shopper gets the trained ranker; the next step completes the rollout.
    const last = await traffic(2);
    assert.deepEqual([...last.searches.keys()], [candidate]);
    now += STEP_MS + 1;
    await t.routing.tick();
    const done = await get();
    assert.equal(done.status, 'completed', JSON.stringify(done.decisions));
    const ep = await t.request({ method: 'GET', url: '/v1/endpoints/search-ranker', headers: h });
    const serving = ep.json().routes.filter((r: { weight: number }) => r.weight > 0);
    assert.deepEqual(
      serving.map((r: { model: string; version?: number }) => `${r.model}@${r.version}`),
      [candidate],
    );
  });
});

// Training runs through HTTP on SQLite and PostgreSQL: a run reads the tenant's events, publishes a registry
// version with its metrics, moves `champion`, creates the scenario endpoint (which then serves the model);
// the gate blocks a worse version; schedules (every N hours or after N new events) start runs once across ticks,
// gated like any run; tenants cannot see each other.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readCandidates, recommenderRequest } from '../../../src/modules/recommend/index.ts';
import { DEFAULT_COOCCURRENCE } from '../../../src/modules/training/cooccurrence.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { basket } from './testing.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const at = (day: number) => new Date(T0 + day * DAY).toISOString();
const SPLIT = at(10);

const EVENTS = [
  ...basket('u1', 's1', ['A', 'B', 'C'], at(1)),
  ...basket('u2', 's2', ['A', 'B', 'C'], at(2)),
  ...basket('u3', 's3', ['A', 'B', 'D'], at(3)),
  ...basket('u4', 's4', ['A', 'C', 'D'], at(4)),
  ...basket('u1', 's5', ['D'], at(11)),
  ...basket('u3', 's6', ['C'], at(12)),
];

const problem = (res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) => {
  assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  return res.json() as { code: string; errors?: { path: string }[] };
};

for (const kind of STORAGE_KINDS) {
  describe(`training runs (${kind.name})`, () => {
    let t: TestApp;
    let shop: Record<string, string>;
    let other: Record<string, string>;
    let now = Date.now();
    const clock = { now: () => now };

    before(async () => {
      t = await startTestApp(kind, {}, clock, { vectors: null, trainingTickMs: 3_600_000 });
      shop = await t.tenant('shop');
      other = await t.tenant('other');
      const res = await t.request({
        method: 'POST',
        url: '/v1/events',
        headers: shop,
        payload: { events: EVENTS },
      });
      assert.equal(res.statusCode, 202, res.body);
    });
    after(() => t.close());

    const startRun = async (trainer: string, body: object, headers = shop) => {
      const res = await t.request({
        method: 'POST',
        url: `/v1/trainers/${trainer}/runs`,
        headers,
        payload: body,
      });
      assert.equal(res.statusCode, 202, res.body);
      return res.json() as { id: string; status: string };
    };
    const finished = async (id: string, headers = shop) => {
      await t.training.tickNow();
      const res = await t.request({ method: 'GET', url: `/v1/trainers/runs/${id}`, headers });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    test('a run publishes a version with its metrics, becomes champion and creates the endpoint that serves it', async () => {
      const queued = await startRun('cooccurrence', { evaluation: { splitAt: SPLIT } });
      assert.match(queued.id, /^trn_/);
      assert.ok(['queued', 'running'].includes(queued.status));
      const run = await finished(queued.id);
      assert.equal(run.status, 'succeeded', run.error);
      assert.deepEqual(run.progress, { phase: 'done', fraction: 1 });
      assert.deepEqual(run.data, {
        events: EVENTS.length,
        items: 4,
        users: 4,
        from: at(1),
        to: at(12),
        splitAt: SPLIT,
      });
      assert.equal(run.metrics['ndcg@10'], 1);
      assert.equal(run.metrics.users, 2);
      assert.equal(typeof run.baseline['ndcg@10'], 'number');
      for (const phase of ['readMs', 'evaluateMs', 'trainMs', 'publishMs', 'totalMs'])
        assert.equal(typeof run.timings[phase], 'number', phase);
      assert.deepEqual(run.model, { name: 'recs-cooccurrence', version: 1 });
      assert.equal(run.promotion.decision, 'promoted');
      assert.deepEqual(run.endpoints, ['recs-bought-together']);

      const version = (
        await t.request({ method: 'GET', url: '/v1/models/recs-cooccurrence/versions/1', headers: shop })
      ).json();
      assert.equal(version.metadata.metrics['ndcg@10'], 1);
      assert.equal(version.metadata.metrics['popularity_ndcg@10'], run.baseline['ndcg@10']);
      assert.equal(version.metadata.recommender.runId, queued.id);
      // The effective parameters: every default filled in.
      assert.deepEqual(version.metadata.recommender.params, { ...DEFAULT_COOCCURRENCE });
      assert.deepEqual(version.aliases, ['champion']);

      const endpoint = (
        await t.request({ method: 'GET', url: '/v1/endpoints/recs-bought-together', headers: shop })
      ).json();
      assert.deepEqual(endpoint.routes, [{ model: 'recs-cooccurrence', alias: 'champion', weight: 100 }]);
      // Served: A's neighbours are B and C (3 shared baskets each) before D (2).
      const served = await t.request({
        method: 'POST',
        url: '/v1/endpoints/recs-bought-together/infer',
        headers: shop,
        payload: recommenderRequest([{ id: 'A', weight: 1 }]),
      });
      assert.equal(served.statusCode, 200, served.body);
      const ids = readCandidates(served.json(), 'neighbours').map((c) => c.id);
      assert.deepEqual(ids.slice(0, 2).sort(), ['B', 'C']);
      assert.equal(ids[2], 'D');
    });

    test('the gate blocks a worse version; promote always moves champion anyway', async () => {
      const worse = await finished(
        (await startRun('cooccurrence', { params: { maxBasketItems: 2 }, evaluation: { splitAt: SPLIT } }))
          .id,
      );
      assert.equal(worse.status, 'succeeded', worse.error);
      assert.equal(worse.metrics['ndcg@10'], 0);
      assert.equal(worse.model.version, 2);
      assert.deepEqual(worse.promotion, {
        decision: 'blocked',
        reason: worse.promotion.reason,
        candidate: 0,
        champion: 1,
        championVersion: 1,
      });
      const model = (
        await t.request({ method: 'GET', url: '/v1/models/recs-cooccurrence', headers: shop })
      ).json();
      assert.equal(model.aliases.champion, 1);

      const forced = await finished(
        (
          await startRun('cooccurrence', {
            params: { maxBasketItems: 2, neighbours: 3 },
            evaluation: { splitAt: SPLIT },
            promote: 'always',
          })
        ).id,
      );
      assert.equal(forced.promotion.decision, 'promoted');
      const after = (
        await t.request({ method: 'GET', url: '/v1/models/recs-cooccurrence', headers: shop })
      ).json();
      assert.equal(after.aliases.champion, forced.model.version);
      // The endpoint existed: it is left alone.
      assert.deepEqual(forced.endpoints, []);
    });

    test('ALS and popularity publish factors and scores graphs; the list filters by kind', async () => {
      const als = await finished(
        (await startRun('als', { params: { factors: 4, iterations: 3 }, evaluation: { holdout: 0.2 } })).id,
      );
      assert.equal(als.status, 'succeeded', als.error);
      assert.deepEqual(als.endpoints, ['recs-for-user']);
      const pop = await finished((await startRun('popularity', { params: { halfLifeDays: 1 } })).id);
      assert.equal(pop.status, 'succeeded', pop.error);
      assert.deepEqual(pop.endpoints, ['recs-trending']);
      const trending = await t.request({
        method: 'POST',
        url: '/v1/endpoints/recs-trending/infer',
        headers: shop,
        payload: recommenderRequest([]),
      });
      // Half-life 1 day from day 12: C (days 1, 2, 4, 12) leads, then D (3, 4, 11).
      assert.deepEqual(
        readCandidates(trending.json(), 'scores')
          .slice(0, 2)
          .map((c) => c.id),
        ['C', 'D'],
      );
      const list = (
        await t.request({ method: 'GET', url: '/v1/trainers/runs?kind=als', headers: shop })
      ).json();
      assert.deepEqual(
        list.runs.map((r: { id: string }) => r.id),
        [als.id],
      );
    });

    test('a run of a tenant without events fails with the reason', async () => {
      const run = await finished((await startRun('als', {}, other)).id, other);
      assert.equal(run.status, 'failed');
      assert.match(run.error, /no item events/);
    });

    test("tenants cannot see or change each other's runs and schedules", async () => {
      const mine = (await t.request({ method: 'GET', url: '/v1/trainers/runs', headers: shop })).json().runs;
      assert.ok(mine.length > 0);
      const res = await t.request({ method: 'GET', url: `/v1/trainers/runs/${mine[0].id}`, headers: other });
      assert.equal(res.statusCode, 404);
      assert.equal(problem(res).code, 'not_found');
      const theirs = (await t.request({ method: 'GET', url: '/v1/trainers/runs', headers: other })).json()
        .runs;
      assert.ok(theirs.every((r: { id: string }) => !mine.some((m: { id: string }) => m.id === r.id)));
      await t.request({
        method: 'PUT',
        url: '/v1/trainers/als/schedule',
        headers: shop,
        payload: { everyHours: 24 },
      });
      const del = await t.request({ method: 'DELETE', url: '/v1/trainers/als/schedule', headers: other });
      assert.equal(del.statusCode, 404);
      const kept = await t.request({ method: 'GET', url: '/v1/trainers/als/schedule', headers: shop });
      assert.equal(kept.statusCode, 200);
      assert.equal(kept.json().everyHours, 24);
      assert.equal(
        (await t.request({ method: 'DELETE', url: '/v1/trainers/als/schedule', headers: shop })).statusCode,
        204,
      );
    });

    test('a schedule starts one run when due, however many ticks race for it', async () => {
      const put = await t.request({
        method: 'PUT',
        url: '/v1/trainers/popularity/schedule',
        headers: shop,
        payload: { everyHours: 2, params: { halfLifeDays: 7 } },
      });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(put.json().nextRunAt, new Date(now + 2 * 3_600_000).toISOString());
      const before = (
        await t.request({ method: 'GET', url: '/v1/trainers/runs?kind=popularity', headers: shop })
      ).json();
      await t.training.tickNow(); // not due yet
      now += 2 * 3_600_000 + 1;
      await Promise.all([t.training.tickNow(), t.training.tickNow(), t.training.tickNow()]);
      const runs = (
        await t.request({ method: 'GET', url: '/v1/trainers/runs?kind=popularity', headers: shop })
      ).json().runs;
      assert.equal(runs.length, before.runs.length + 1);
      assert.equal(runs[0].trigger, 'schedule');
      assert.deepEqual(runs[0].params, { halfLifeDays: 7 });
      await t.training.tickNow();
      const run = (
        await t.request({ method: 'GET', url: `/v1/trainers/runs/${runs[0].id}`, headers: shop })
      ).json();
      assert.equal(run.status, 'succeeded', run.error);
      const schedule = (
        await t.request({ method: 'GET', url: '/v1/trainers/popularity/schedule', headers: shop })
      ).json();
      assert.equal(schedule.lastRunId, run.id);
      assert.equal(schedule.nextRunAt, new Date(now + 2 * 3_600_000).toISOString());
    });

    test('automatic retraining after N events starts one run once N new events arrive, not before, and records its gate decision', async () => {
      const put = await t.request({
        method: 'PUT',
        url: '/v1/trainers/cooccurrence/schedule',
        headers: shop,
        payload: { afterEvents: 4, evaluation: { splitAt: SPLIT } },
      });
      assert.equal(put.statusCode, 200, put.body);
      // Events accepted before the schedule was set do not count.
      assert.deepEqual(
        { ...(put.json() as object), updatedAt: undefined },
        {
          kind: 'cooccurrence',
          everyHours: null,
          afterEvents: 4,
          newEvents: 0,
          params: {},
          evaluation: { splitAt: SPLIT },
          promote: 'if-better',
          nextRunAt: null,
          lastRunId: null,
          updatedAt: undefined,
        },
      );
      const automatic = async () =>
        (await t.request({ method: 'GET', url: '/v1/trainers/runs?trigger=events', headers: shop })).json()
          .runs as { id: string; trigger: string }[];
      const post = async (events: object[], headers = shop) => {
        const res = await t.request({ method: 'POST', url: '/v1/events', headers, payload: { events } });
        assert.equal(res.statusCode, 202, res.body);
      };
      await post(basket('u5', 's7', ['A', 'B', 'D'], at(13)));
      await post(basket('u9', 's9', ['A', 'B', 'C', 'D'], at(13)), other); // another tenant's events
      await t.training.tickNow();
      assert.equal((await automatic()).length, 0, 'three new events are not four');
      const waiting = await t.request({
        method: 'GET',
        url: '/v1/trainers/cooccurrence/schedule',
        headers: shop,
      });
      assert.equal(waiting.json().newEvents, 3);

      await post(basket('u6', 's8', ['C'], at(14)));
      now += 1000;
      await Promise.all([t.training.tickNow(), t.training.tickNow(), t.training.tickNow()]);
      const runs = await automatic();
      assert.equal(runs.length, 1, 'one run however many ticks race for it');
      assert.equal(runs[0].trigger, 'events');
      await t.training.tickNow();
      const run = (
        await t.request({ method: 'GET', url: `/v1/trainers/runs/${runs[0].id}`, headers: shop })
      ).json();
      assert.equal(run.status, 'succeeded', run.error);
      assert.equal(run.data.events, EVENTS.length + 4, 'the run read the new events');
      // Gated against the champion (the first test's run) like any run, with the figures it compared.
      assert.ok(['promoted', 'blocked'].includes(run.promotion.decision), JSON.stringify(run.promotion));
      assert.equal(run.promotion.candidate, run.metrics['ndcg@10']);
      assert.equal(typeof run.promotion.champion, 'number');
      assert.equal(typeof run.promotion.championVersion, 'number');
      assert.match(run.promotion.reason, /\S/);

      const after = (
        await t.request({ method: 'GET', url: '/v1/trainers/cooccurrence/schedule', headers: shop })
      ).json();
      assert.equal(after.lastRunId, run.id);
      assert.equal(after.newEvents, 0, 'the count restarts at the run');
      await t.training.tickNow();
      assert.equal((await automatic()).length, 1, 'no new events, no new run');
      assert.equal(
        (await t.request({ method: 'DELETE', url: '/v1/trainers/cooccurrence/schedule', headers: shop }))
          .statusCode,
        204,
      );
    });

    test('with both triggers, the one that fires first restarts the other', async () => {
      const put = await t.request({
        method: 'PUT',
        url: '/v1/trainers/popularity/schedule',
        headers: shop,
        payload: { everyHours: 1, afterEvents: 100 },
      });
      assert.equal(put.statusCode, 200, put.body);
      const res = await t.request({
        method: 'POST',
        url: '/v1/events',
        headers: shop,
        payload: { events: basket('u7', 's10', ['B', 'C'], at(15)) },
      });
      assert.equal(res.statusCode, 202, res.body);
      const schedule = async () =>
        (await t.request({ method: 'GET', url: '/v1/trainers/popularity/schedule', headers: shop })).json();
      assert.equal((await schedule()).newEvents, 2);
      now += 3_600_000 + 1;
      await t.training.tickNow();
      const after = await schedule();
      const run = (
        await t.request({ method: 'GET', url: `/v1/trainers/runs/${after.lastRunId}`, headers: shop })
      ).json();
      assert.equal(run.trigger, 'schedule');
      assert.equal(run.status, 'succeeded', run.error);
      assert.equal(after.newEvents, 0, 'the event count restarts at the timed run');
      assert.equal(after.nextRunAt, new Date(now + 3_600_000).toISOString());
      await t.request({ method: 'DELETE', url: '/v1/trainers/popularity/schedule', headers: shop });
    });

    test('bad input answers problem+json naming the field', async () => {
      const cases: [string, string, object, string][] = [
        ['POST', '/v1/trainers/bogus/runs', {}, '/kind'],
        ['POST', '/v1/trainers/als/runs', { params: { factors: 0 } }, '/params/factors'],
        ['POST', '/v1/trainers/als/runs', { params: { shrinkage: 3 } }, '/params/shrinkage'],
        ['POST', '/v1/trainers/cooccurrence/runs', { evaluation: { holdout: 2 } }, '/evaluation/holdout'],
        ['POST', '/v1/trainers/cooccurrence/runs', { promote: 'sometimes' }, '/promote'],
        [
          'POST',
          '/v1/trainers/cooccurrence/runs',
          { evaluation: { splitAt: 'yesterday' } },
          '/evaluation/splitAt',
        ],
        ['PUT', '/v1/trainers/als/schedule', { everyHours: 0 }, '/everyHours'],
        ['PUT', '/v1/trainers/als/schedule', {}, '/everyHours'],
        ['PUT', '/v1/trainers/als/schedule', { afterEvents: 0 }, '/afterEvents'],
      ];
      for (const [method, url, payload, path] of cases) {
        const res = await t.request({ method: method as 'POST', url, headers: shop, payload });
        assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}: ${res.body}`);
        const p = problem(res);
        assert.ok(
          p.errors?.some((e) => e.path.endsWith(path)),
          `${JSON.stringify(payload)} names ${path}: ${JSON.stringify(p.errors)}`,
        );
      }
      const missing = await t.request({ method: 'GET', url: '/v1/trainers/runs/trn_nope', headers: shop });
      assert.equal(missing.statusCode, 404);
      assert.equal(problem(missing).code, 'not_found');
      const reader = await t.tenant('reader', ['recommend']);
      const denied = await t.request({
        method: 'POST',
        url: '/v1/trainers/als/runs',
        headers: reader,
        payload: {},
      });
      assert.equal(denied.statusCode, 403);
      assert.equal(problem(denied).code, 'forbidden');
    });
  });
}

// Redis down in distributed mode: authentication and rate limits keep working on local buckets, what needs
// Redis answers a prompt 503, readiness answers at once; once Redis is back it is used again. The test owns
// its Redis process (stopped and restarted here), never the machine's shared one.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { infer, uploadModel } from '../modules/inference/testing.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { linearModel } from '../support/onnx/index.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

const sqlite = STORAGE_KINDS.find((k) => k.name === 'sqlite')!;
const PREFIX = 'quiver-outage:';
/** Generous: the bug made these take 0.4–15 s; a prompt answer takes milliseconds. */
const PROMPT_MS = 1_500;
/** A bucket that does not refill during the test. */
const TIGHT = { tenantPerSecond: 0.001, tenantBurst: 3, keyPerSecond: 1000, keyBurst: 1000 };
const ROOMY = { tenantPerSecond: 1e6, tenantBurst: 1e9, keyPerSecond: 1e6, keyBurst: 1e9 };
const FEATURE_READ = { features: ['user_recent_items:items'], entities: { userId: ['u1'] } };

const timed = async <T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
};

const until = async (what: string, ok: () => Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('Redis down in distributed mode (private redis-server)', () => {
  let redis: PrivateRedis;
  let app: TestApp;
  let tight: Record<string, string>;
  let reader: Record<string, string>;
  let raw: Redis;
  /** What the app logged at warn and above, one parsed pino line each. */
  const logs: { level: number; msg: string; err?: { stack?: string } }[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });

  before(async () => {
    redis = await startPrivateRedis();
    raw = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    raw.on('error', () => {});
    app = await startTestApp(
      sqlite,
      { redisUrl: redis.url, redisKeyPrefix: PREFIX, inferenceWorkers: 1, logLevel: 'warn' },
      undefined,
      { logStream },
    );
    tight = await app.tenant('tight', ['catalog:read'], TIGHT);
    reader = await app.tenant('reader', ['infer', 'models:write'], ROOMY);
    const model = linearModel({ inFeatures: 1, outFeatures: 2, seed: 5 });
    await uploadModel(app, reader, 'featured', model.bytes, {
      featureInputs: { x: 'item_popularity:views_24h' },
    });
  });
  after(async () => {
    raw.disconnect();
    await app?.close();
    await redis?.close();
  });

  const items = () => app.request({ method: 'GET', url: '/v1/items', headers: tight });
  const features = () =>
    app.request({ method: 'POST', url: '/v1/features/online', headers: reader, payload: FEATURE_READ });
  const metricsText = async () =>
    (await app.request({ method: 'GET', url: '/metrics', headers: app.operator })).body;

  test('while Redis is up, rate limits are counted in Redis', async () => {
    assert.equal((await items()).statusCode, 200);
    assert.equal((await features()).statusCode, 200);
    await raw.connect();
    assert.ok(await raw.exists(`${PREFIX}ratelimit:t:tight`), 'the tenant bucket lives in Redis');
    raw.disconnect();
  });

  test('Redis down: authenticated routes answer promptly, rate limited by local buckets', async () => {
    await redis.stop();
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { value, ms } = await timed(items);
      assert.ok(ms < PROMPT_MS, `answered in ${Math.round(ms)} ms`);
      codes.push(value.statusCode);
      if (value.statusCode === 429) assert.ok(Number(value.headers['retry-after']) >= 1);
    }
    // A fresh local bucket of burst 3: three pass, then the limit holds.
    assert.deepEqual(codes, [200, 200, 200, 429]);
  });

  test('Redis down: online feature reads answer a prompt 503 with Retry-After', async () => {
    const { value: res, ms } = await timed(features);
    assert.ok(ms < PROMPT_MS, `answered in ${Math.round(ms)} ms`);
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.json().code, 'unavailable');
    assert.ok(Number(res.headers['retry-after']) >= 1);
  });

  test('Redis down: inference joined with features answers a prompt 503 with Retry-After', async () => {
    const { value: res, ms } = await timed(() =>
      infer(app, reader, 'featured', { inputs: [], parameters: { entities: { itemId: ['A'] } } }),
    );
    assert.ok(ms < PROMPT_MS, `answered in ${Math.round(ms)} ms`);
    assert.equal(res.statusCode, 503, res.body);
    assert.ok(Number(res.headers['retry-after']) >= 1);
  });

  test('Redis down: the 503s are logged once at warn, not at error with a stack for each', async () => {
    const before = logs.length;
    for (let i = 0; i < 20; i++) assert.equal((await features()).statusCode, 503);
    const during = logs.slice(before);
    assert.deepEqual(
      during.filter((l) => l.level >= 50).map((l) => l.msg),
      [],
      'no error-level lines for expected 503s',
    );
    // The earlier tests of this outage already answered 503s and reported it; nothing more within a minute.
    assert.deepEqual(
      during.map((l) => l.msg),
      [],
      '20 more 503s in the same outage add no line',
    );
    const reported = logs.filter((l) => /Redis is not available/.test(l.msg));
    assert.equal(reported.length, 1, JSON.stringify(logs.map((l) => l.msg)));
    assert.equal(reported[0].level, 40);
  });

  test('Redis down: /readyz answers at once, ready but naming the degraded dependency', async () => {
    const { value: res, ms } = await timed(() => app.request({ method: 'GET', url: '/readyz' }));
    assert.ok(ms < 1_000, `answered in ${Math.round(ms)} ms`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'degraded', degraded: ['redis'] });
  });

  test('Redis down: metrics show the dependency down and the fallback decisions', async () => {
    const text = await metricsText();
    assert.match(text, /^quiver_dependency_up\{dependency="redis"\} 0$/m);
    const fallback = /^quiver_rate_limit_fallback_total (\d+)$/m.exec(text);
    assert.ok(fallback && Number(fallback[1]) >= 4, 'every decision made locally is counted');
  });

  test('Redis back (empty): its buckets and feature reads are used again, without a restart', async () => {
    await redis.start();
    await until('Redis to be used again', async () => {
      await items();
      await raw.connect().catch(() => {});
      const used = (await raw.exists(`${PREFIX}ratelimit:t:tight`).catch(() => 0)) === 1;
      raw.disconnect();
      return used;
    });
    await until('feature reads to answer 200', async () => (await features()).statusCode === 200);
    const joined = await infer(app, reader, 'featured', {
      inputs: [],
      parameters: { entities: { itemId: ['A'] } },
    });
    assert.equal(joined.statusCode, 200, joined.body);
    const ready = await app.request({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
    assert.match(await metricsText(), /^quiver_dependency_up\{dependency="redis"\} 1$/m);
  });
});

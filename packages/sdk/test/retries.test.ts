// Retries against real failures: a proxy refusing with 503, a lost answer, the server's own 429, and a deadline.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { QuiverError, type RetryInfo } from '../src/index.ts';
import {
  client,
  type LiveServer,
  type ProxyAction,
  startLiveServer,
  startProxy,
  type TestProxy,
} from './support.ts';

describe('sdk retries', () => {
  let server: LiveServer;
  let key: string;
  const proxies: TestProxy[] = [];
  const proxy = async (plan: (n: number) => ProxyAction) => {
    const p = await startProxy(server.url, plan);
    proxies.push(p);
    return p;
  };
  before(async () => {
    server = await startLiveServer();
    key = await server.tenant('retry-shop');
  });
  after(async () => {
    for (const p of proxies) await p.close();
    await server.close();
  });

  test('503 then 200: retried under one Idempotency-Key, Retry-After honoured, one write', async () => {
    const p = await proxy((n) =>
      n <= 2 ? { kind: 'refuse', status: 503, retryAfter: '1' } : { kind: 'forward' },
    );
    const retries: RetryInfo[] = [];
    const quiver = client(p.url, key, { onRetry: (r) => retries.push(r) });
    const answer = await quiver.items.batch([{ id: 'lamp', title: 'Brass lamp' }]);
    assert.equal(answer.created, 1);
    assert.equal(p.seen.length, 3);
    const keys = new Set(p.seen.map((s) => s.headers['idempotency-key']));
    assert.equal(keys.size, 1, 'every attempt carries the same key');
    assert.match(String([...keys][0]), /^sdk-/);
    assert.deepEqual(
      retries.map((r) => [r.attempt, r.error.status, r.delayMs]),
      [
        [1, 503, 1000],
        [2, 503, 1000],
      ],
    );
    const changes = await client(server.url, key).changes.list().toArray();
    assert.equal(changes.length, 1);
  });

  test('an answer lost on the way back: the retry replays it, the write happens once', async () => {
    const p = await proxy((n) => (n === 1 ? { kind: 'lose-answer' } : { kind: 'forward' }));
    const retries: RetryInfo[] = [];
    const quiver = client(p.url, key, { onRetry: (r) => retries.push(r) });
    const first = await quiver.items.batch([{ id: 'rug', title: 'Wool rug' }]);
    assert.equal(first.created, 1, 'the replayed answer is the first one: created, not updated');
    assert.equal(retries.length, 1);
    assert.equal(retries[0].error.code, 'network_error');
    assert.equal(p.seen[0].headers['idempotency-key'], p.seen[1].headers['idempotency-key']);
    const direct = client(server.url, key);
    assert.equal((await direct.items.get('rug')).version, 1);
    const { headers } = await direct.request(
      {
        method: 'POST',
        path: '/v1/items/batch',
        json: { items: [{ id: 'rug', title: 'Wool rug' }] },
        headers: {},
      },
      { idempotencyKey: String(p.seen[0].headers['idempotency-key']) },
    );
    assert.equal(headers.get('idempotent-replayed'), 'true');
  });

  test('429 from the rate limiter: waits what Retry-After asks, then succeeds', async () => {
    const limited = await server.tenant('slow-shop', ['admin'], {
      tenantPerSecond: 100,
      tenantBurst: 100,
      keyPerSecond: 1,
      keyBurst: 1,
    });
    const retries: RetryInfo[] = [];
    const quiver = client(server.url, limited, { onRetry: (r) => retries.push(r) });
    await quiver.items.put('a', { title: 'A' });
    const started = Date.now();
    const item = await quiver.items.get('a');
    assert.equal(item.title, 'A');
    assert.ok(retries.length >= 1);
    const first = retries[0];
    assert.equal(first.error.status, 429);
    assert.equal(first.error.code, 'rate_limited');
    assert.ok(first.error.retryAfterMs !== undefined && first.error.retryAfterMs >= 1000);
    assert.equal(first.delayMs, first.error.retryAfterMs, "the wait is the server's Retry-After");
    assert.ok(Date.now() - started >= first.delayMs, 'it did wait');
  });

  test('no retry on a client error; no more than maxRetries', async () => {
    const p = await proxy(() => ({ kind: 'refuse', status: 503, retryAfter: '0' }));
    const quiver = client(p.url, key, { maxRetries: 2 });
    await assert.rejects(quiver.items.get('lamp'), (e: unknown) => {
      assert.ok(e instanceof QuiverError);
      assert.equal(e.status, 503);
      assert.equal(e.code, 'http_503');
      assert.equal(e.attempts, 3);
      return true;
    });
    assert.equal(p.seen.length, 3);
    const direct = client(server.url, key);
    const before = p.seen.length;
    await assert.rejects(direct.items.get('nothing-here'), { status: 404, code: 'not_found', attempts: 1 });
    assert.equal(p.seen.length, before);
  });

  test('a Retry-After longer than the longest wait ends the call at once', async () => {
    const p = await proxy(() => ({ kind: 'refuse', status: 503, retryAfter: '3600' }));
    await assert.rejects(client(p.url, key).items.get('lamp'), {
      status: 503,
      retryAfterMs: 3_600_000,
      attempts: 1,
    });
  });

  test('a per-call timeout covers waiting on a server that never answers', async () => {
    const p = await proxy(() => ({ kind: 'hang' }));
    await assert.rejects(client(p.url, key).items.get('lamp', { timeoutMs: 300 }), (e: unknown) => {
      assert.ok(e instanceof QuiverError);
      assert.equal(e.code, 'timeout');
      assert.equal(e.status, 0);
      return true;
    });
  });

  test('an AbortSignal stops the call, in flight or while waiting to retry', async () => {
    const hang = await proxy(() => ({ kind: 'hang' }));
    const inFlight = new AbortController();
    const call = client(hang.url, key).items.get('lamp', { signal: inFlight.signal });
    setTimeout(() => inFlight.abort(), 50);
    await assert.rejects(call, { code: 'aborted', status: 0 });

    const refusing = await proxy(() => ({ kind: 'refuse', status: 503, retryAfter: '10' }));
    const waiting = new AbortController();
    const retried = client(refusing.url, key, {
      onRetry: () => setTimeout(() => waiting.abort(), 10),
    }).items.get('lamp', { signal: waiting.signal });
    await assert.rejects(retried, { code: 'aborted', attempts: 1 });

    const already = new AbortController();
    already.abort();
    await assert.rejects(client(server.url, key).items.get('lamp', { signal: already.signal }), {
      code: 'aborted',
    });
  });

  test('a server that is not there: network errors are retried, then reported', async () => {
    const p = await proxy(() => ({ kind: 'forward' }));
    const url = p.url;
    await p.close();
    const retries: RetryInfo[] = [];
    await assert.rejects(
      client(url, key, { maxRetries: 2, onRetry: (r) => retries.push(r) }).items.get('lamp'),
      { code: 'network_error', status: 0, attempts: 3 },
    );
    assert.equal(retries.length, 2);
  });
});

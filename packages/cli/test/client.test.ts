// The import client's retry rules over the SDK's transport: network errors and 502/503 retried under one
// Idempotency-Key, a hung attempt abandoned, refusals reported at once, giving up with how to continue.
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { createClient, type RetryInfo } from '../src/client.ts';
import { CliError, EXIT, HttpError } from '../src/errors.ts';

/** A port nothing listens on: bound, then released. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
};

/** A real HTTP server answering each request with the next scripted step; records every request. */
const scripted = async (steps: ((res: ServerResponse) => void)[]) => {
  const seen: IncomingMessage[] = [];
  const server = createHttpServer((req, res) => {
    seen.push(req);
    req.resume();
    const step = steps[Math.min(seen.length - 1, steps.length - 1)];
    step(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
};

const json =
  (status: number, body: unknown, type = 'application/json') =>
  (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': type });
    res.end(JSON.stringify(body));
  };

describe('import client (over @quiver/sdk transport)', () => {
  test('network errors are retried, then reported with how to continue', async () => {
    const retries: RetryInfo[] = [];
    const client = createClient({
      url: `http://127.0.0.1:${await closedPort()}`,
      key: 'k',
      maxAttempts: 4,
      baseDelayMs: 20,
      onRetry: (r) => retries.push(r),
    });
    await assert.rejects(client.post('/v1/events', { events: [] }), (error: unknown) => {
      assert.ok(error instanceof CliError);
      assert.equal(error.exitCode, EXIT.unavailable);
      assert.match(error.message, /failed 4 times, last: ECONNREFUSED\. Progress is saved; run again/);
      return true;
    });
    assert.deepEqual(
      retries.map((r) => [r.path, r.attempt, r.reason]),
      [
        ['/v1/events', 1, 'ECONNREFUSED'],
        ['/v1/events', 2, 'ECONNREFUSED'],
        ['/v1/events', 3, 'ECONNREFUSED'],
      ],
    );
  });

  test('a 502 and a hung attempt are retried under one Idempotency-Key; the answer comes through', async () => {
    const server = await scripted([
      json(502, { code: 'bad_gateway', detail: 'proxy' }, 'application/problem+json'),
      () => {}, // never answers: the attempt's own timeout abandons it
      json(200, { accepted: 3 }),
    ]);
    const retries: RetryInfo[] = [];
    try {
      const client = createClient({
        url: server.url,
        key: 'k',
        baseDelayMs: 10,
        timeoutMs: 300,
        onRetry: (r) => retries.push(r),
      });
      const answer = await client.post<{ accepted: number }>('/v1/events', { events: [] });
      assert.deepEqual(answer, { accepted: 3 });
      assert.equal(server.seen.length, 3);
      const keys = server.seen.map((r) => r.headers['idempotency-key']);
      assert.ok(typeof keys[0] === 'string' && keys[0].length > 8, 'a key is sent');
      assert.deepEqual(new Set(keys).size, 1, 'every attempt carries the same key');
      assert.equal(server.seen[0].headers.authorization, 'Bearer k');
      assert.match(retries[0].reason, /^502 bad_gateway: proxy$/);
      assert.match(retries[1].reason, /no answer within 300 ms/);
    } finally {
      await server.close();
    }
  });

  test('a refusal is not retried and keeps the problem; a read-only POST carries no Idempotency-Key', async () => {
    const server = await scripted([
      json(
        422,
        { code: 'validation_failed', detail: 'bad', errors: [{ path: '/events/0/type', message: 'x' }] },
        'application/problem+json',
      ),
    ]);
    try {
      const client = createClient({ url: server.url, key: 'k', baseDelayMs: 10 });
      await assert.rejects(client.post('/v1/search', { query: 'x' }, { read: true }), (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.equal(error.status, 422);
        assert.equal(error.problem?.errors?.[0].path, '/events/0/type');
        return true;
      });
      assert.equal(server.seen.length, 1);
      assert.equal(server.seen[0].headers['idempotency-key'], undefined);
    } finally {
      await server.close();
    }
  });

  test('an empty key sends no Authorization header', async () => {
    const server = await scripted([json(200, {})]);
    try {
      await createClient({ url: server.url, key: '' }).post('/v1/x', {});
      assert.equal(server.seen[0].headers.authorization, undefined);
    } finally {
      await server.close();
    }
  });
});

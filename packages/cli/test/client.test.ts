// The API client's retry rules: Retry-After in both forms, and giving up on an unreachable server.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { createClient, type RetryInfo, retryAfterMs } from '../src/client.ts';
import { CliError, EXIT } from '../src/errors.ts';

/** A port nothing listens on: bound, then released. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
};

describe('client', () => {
  test('Retry-After as seconds or as an HTTP date; absent or unreadable is undefined', () => {
    assert.equal(retryAfterMs('3'), 3000);
    assert.equal(retryAfterMs('0'), 0);
    const now = Date.parse('2024-05-01T10:00:00Z');
    assert.equal(retryAfterMs('Wed, 01 May 2024 10:00:05 GMT', now), 5000);
    assert.equal(retryAfterMs('Wed, 01 May 2024 09:00:00 GMT', now), 0);
    assert.equal(retryAfterMs(null), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
  });

  test('network errors are retried with growing delays, then reported with how to continue', async () => {
    const delays: number[] = [];
    const retries: RetryInfo[] = [];
    const client = createClient(
      { sleep: async (ms) => void delays.push(ms) },
      {
        url: `http://127.0.0.1:${await closedPort()}`,
        key: 'k',
        maxAttempts: 4,
        baseDelayMs: 100,
        onRetry: (r) => retries.push(r),
      },
    );
    await assert.rejects(client.post('/v1/events', { events: [] }), (error: unknown) => {
      assert.ok(error instanceof CliError);
      assert.equal(error.exitCode, EXIT.unavailable);
      assert.match(error.message, /failed 4 times, last: ECONNREFUSED\. Progress is saved; run again/);
      return true;
    });
    assert.deepEqual(
      retries.map((r) => [r.attempt, r.reason]),
      [
        [1, 'ECONNREFUSED'],
        [2, 'ECONNREFUSED'],
        [3, 'ECONNREFUSED'],
      ],
    );
    // Exponential with jitter: each delay lies in [½, 1] × 100 ms × 2^(attempt-1).
    delays.forEach((d, i) => {
      assert.ok(d >= 50 * 2 ** i && d <= 100 * 2 ** i, `delay ${i}: ${d}`);
    });
  });
});

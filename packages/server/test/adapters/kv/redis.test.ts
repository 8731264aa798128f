// Runs the KV contract on the real Redis (127.0.0.1:6379) under a random key prefix, removed afterwards.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { openKv, RedisKv, takeToken } from '../../../src/adapters/kv/index.ts';
import { isQuiverError } from '../../../src/kernel/index.ts';
import { type PrivateRedis, startPrivateRedis } from '../../support/redis-server.ts';
import { runKvContract } from './contract.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `quiver-test:kv:${randomUUID()}:`;

/** Keys under the prefix, read with a plain client (SCAN ignores ioredis key prefixes). */
const keysUnder = async (prefix: string): Promise<string[]> => {
  const raw = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    if (found.length > 0) await raw.unlink(...found);
    return found;
  } finally {
    await raw.quit();
  }
};

runKvContract({
  name: 'redis',
  open: () => openKv(REDIS_URL, { keyPrefix: PREFIX }),
  openPeer: () => new RedisKv(REDIS_URL, { keyPrefix: PREFIX }),
  cleanup: async () => {
    await keysUnder(PREFIX);
  },
});

describe('Redis KV', () => {
  const other = `quiver-test:kv:${randomUUID()}:`;
  after(async () => {
    await keysUnder(other);
    assert.deepEqual(await keysUnder(other), []);
  });

  it('keeps key prefixes apart', async () => {
    const a = new RedisKv(REDIS_URL, { keyPrefix: other });
    const b = new RedisKv(REDIS_URL, { keyPrefix: `${other}b:` });
    try {
      await a.set('k', 'a');
      await takeToken(a, 't', 1, 1, 0);
      assert.equal(await b.get('k'), null);
      assert.equal((await takeToken(b, 't', 1, 1, 0)).allowed, true);
      assert.deepEqual((await keysUnder(other)).sort(), [`${other}b:t`, `${other}k`, `${other}t`]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('is chosen by URL scheme', async () => {
    const memory = openKv(undefined);
    const redis = openKv('redis://127.0.0.1:6379');
    assert.equal(memory.kind, 'memory');
    assert.equal(redis.kind, 'redis');
    await redis.close();
    assert.throws(() => openKv('memcached://127.0.0.1'), /unsupported REDIS_URL scheme/);
  });

  it('fails a command when the server cannot be reached', async () => {
    const dead = new RedisKv('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, connectTimeoutMs: 500 });
    try {
      await assert.rejects(dead.ping());
    } finally {
      await dead.close();
    }
  });
});

describe('Redis KV when Redis fails (private redis-server)', () => {
  let redis: PrivateRedis;
  let kv: RedisKv;
  const changes: boolean[] = [];
  const isUnavailable = (e: unknown) => isQuiverError(e) && e.code === 'unavailable';
  const until = async (ok: () => boolean) => {
    for (const deadline = Date.now() + 10_000; !ok(); await new Promise((r) => setTimeout(r, 20)))
      if (Date.now() > deadline) throw new Error('timed out');
  };
  before(async () => {
    redis = await startPrivateRedis();
    kv = new RedisKv(redis.url, { commandTimeoutMs: 300 });
    kv.onAvailabilityChange((up) => changes.push(up));
    await kv.set('k', 'v');
  });
  after(async () => {
    await kv?.close();
    await redis?.close();
  });

  it('fails at once with `unavailable` while down, and reconnects by itself', async () => {
    const connection = kv.connection;
    await redis.stop();
    await until(() => !kv.available());
    const started = performance.now();
    await assert.rejects(kv.get('k'), isUnavailable);
    assert.ok(performance.now() - started < 250, 'no wait for a reconnect');
    await redis.start();
    await until(() => kv.available());
    assert.equal(await kv.get('k'), null, 'a restarted Redis is empty');
    assert.notEqual(kv.connection, connection, 'the reconnect is visible');
  });

  it('a stalled server opens the circuit after the command timeout; a probe closes it', async () => {
    redis.pause();
    try {
      await assert.rejects(kv.get('k'), isUnavailable);
      assert.equal(kv.available(), false);
      await assert.rejects(kv.get('k'), isUnavailable); // at once: the circuit is open
    } finally {
      redis.resume();
    }
    await until(() => kv.available());
    await kv.set('k', 'again');
    assert.equal(await kv.get('k'), 'again');
    assert.deepEqual(changes, [true, false, true, false, true]);
  });
});

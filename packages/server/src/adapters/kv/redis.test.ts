// Runs the KV contract on the real Redis (127.0.0.1:6379) under a random key prefix, removed afterwards.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { runKvContract } from './contract.ts';
import { openKv, RedisKv, takeToken } from './index.ts';

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

// Rate limits counted through Redis hold across replicas: two app instances share one budget.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('rate limits across two replicas (PostgreSQL + Redis)', () => {
  let one: TestApp;
  let two: TestApp;
  const prefix = `quiver-test-${randomBytes(4).toString('hex')}:`;
  before(async () => {
    const postgres = STORAGE_KINDS.find((k) => k.name === 'postgres')!;
    one = await startTestApp(postgres, { redisUrl: REDIS_URL, redisKeyPrefix: prefix });
    two = await startTestApp(postgres, {
      redisUrl: REDIS_URL,
      redisKeyPrefix: prefix,
      databaseUrl: one.config.databaseUrl,
    });
  });
  after(async () => {
    await two.close();
    await one.close();
  });

  test('a burst spent on one replica is spent on the other', async () => {
    const key = await one.tenant('shared', ['catalog:read'], {
      tenantPerSecond: 0.01,
      tenantBurst: 4,
      keyPerSecond: 0.01,
      keyBurst: 100,
    });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const replica = i % 2 === 0 ? one : two;
      codes.push((await replica.request({ method: 'GET', url: '/v1/items', headers: key })).statusCode);
    }
    assert.deepEqual(codes, [200, 200, 200, 200, 429, 429]);
  });

  test('readiness includes Redis', async () => {
    assert.equal((await one.request({ method: 'GET', url: '/readyz' })).statusCode, 200);
  });
});

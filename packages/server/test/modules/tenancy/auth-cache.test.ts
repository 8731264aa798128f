// The auth cache's rules: entries live for the TTL, a clear wins over lookups in flight, and while the cache
// is not usable every lookup reads through (and refreshes its entry).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAuthCache } from '../../../src/modules/tenancy/auth-cache.ts';

const clockAt = (start = 0) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

/** A lookup that counts its calls and answers the current `value`. */
const source = (initial: string | undefined) => {
  const s = {
    value: initial,
    calls: 0,
    load: async () => {
      s.calls++;
      return s.value;
    },
  };
  return s;
};

describe('auth cache', () => {
  test('an entry is reused within its TTL and read again after it', async () => {
    const clock = clockAt();
    const cache = createAuthCache<string>({ ttlMs: 1000, clock });
    const db = source('v1');
    assert.equal(await cache.get('k', db.load), 'v1');
    db.value = 'v2';
    assert.equal(await cache.get('k', db.load), 'v1');
    clock.advance(1000);
    assert.equal(await cache.get('k', db.load), 'v2');
    assert.equal(db.calls, 2);
  });

  test('unknown ids are never stored', async () => {
    const cache = createAuthCache<string>({ ttlMs: 1000, clock: clockAt() });
    const db = source(undefined);
    await cache.get('nobody', db.load);
    await cache.get('nobody', db.load);
    assert.equal(db.calls, 2);
  });

  test('a lookup that was in flight when the cache was cleared does not store what it read', async () => {
    const cache = createAuthCache<string>({ ttlMs: 60_000, clock: clockAt() });
    let finish!: (v: string) => void;
    const slow = cache.get('k', () => new Promise<string>((r) => (finish = r)));
    cache.clear(); // a change committed while the lookup read the old state
    finish('old');
    assert.equal(await slow, 'old');
    const db = source('new');
    assert.equal(await cache.get('k', db.load), 'new');
    assert.equal(db.calls, 1);
  });

  test('while not usable every lookup reads through, and refreshes the entry for later', async () => {
    let usable = true;
    const cache = createAuthCache<string>({ ttlMs: 60_000, clock: clockAt(), usable: () => usable });
    const db = source('v1');
    await cache.get('k', db.load);
    usable = false;
    db.value = 'v2';
    assert.equal(await cache.get('k', db.load), 'v2');
    assert.equal(await cache.get('k', db.load), 'v2');
    assert.equal(db.calls, 3);
    usable = true;
    assert.equal(await cache.get('k', db.load), 'v2');
    assert.equal(db.calls, 3);
  });
});

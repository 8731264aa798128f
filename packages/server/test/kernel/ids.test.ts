// Ids drawn from a pooled random buffer: the right shape, and distinct across many refills of the pool.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../../src/kernel/index.ts';

test('newId: prefix, 12 base64url characters, no repeats across pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const id = newId('srch');
    assert.match(id, /^srch_[A-Za-z0-9_-]{12}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 20_000);
});

// Sticky assignment: deterministic, within a point of the weights over 100,000 users, and consistent when
// weights change (only the units in the moved slice change route).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bucketOf,
  cumulativeWeights,
  pickRoute,
  unitHash,
  unitOf,
} from '../../../src/modules/routing/assignment.ts';
import { decodeToken, encodeToken } from '../../../src/modules/routing/token.ts';

const USERS = 100_000;
const assign = (salt: string, weights: number[]) => {
  const cumulative = cumulativeWeights(weights);
  return Array.from({ length: USERS }, (_, i) =>
    pickRoute(cumulative, bucketOf(unitHash(salt, `user-${i}`))),
  );
};

describe('sticky assignment', () => {
  test('is deterministic and within 1 percentage point of the weights over 100,000 users', () => {
    for (const weights of [
      [50, 50],
      [90, 10],
      [70, 20, 10],
      [95, 5],
    ]) {
      const a = assign('salt-1', weights);
      assert.deepEqual(assign('salt-1', weights), a);
      const total = weights.reduce((x, y) => x + y, 0);
      for (let r = 0; r < weights.length; r++) {
        const share = a.filter((x) => x === r).length / USERS;
        assert.ok(Math.abs(share - weights[r] / total) < 0.01, `route ${r} of ${weights}: ${share}`);
      }
    }
  });

  test('another salt gives another, independent assignment', () => {
    const a = assign('salt-1', [50, 50]);
    const b = assign('salt-2', [50, 50]);
    const same = a.filter((x, i) => x === b[i]).length / USERS;
    assert.ok(Math.abs(same - 0.5) < 0.01, String(same));
  });

  test('raising a canary moves only the users it must, and only towards the canary', () => {
    let before = assign('s', [95, 5]);
    for (const canary of [25, 50, 100]) {
      const after = assign('s', [100 - canary, canary]);
      const moved = after.filter((x, i) => x !== before[i]);
      const prev = before.filter((x) => x === 1).length;
      // Every user who moved went from the baseline to the canary; the count is just the new share's gap.
      assert.ok(moved.every((x) => x === 1));
      assert.equal(moved.length, after.filter((x) => x === 1).length - prev);
      before = after;
    }
  });

  test('the routing unit comes from parameters or a header', () => {
    assert.equal(unitOf('userId', { userId: 'u1' }, {}), 'u1');
    assert.equal(unitOf('sessionId', { userId: 'u1' }, {}), undefined);
    assert.equal(unitOf('header:x-user', {}, { 'x-user': 'h1' }), 'h1');
    assert.equal(unitOf(undefined, { userId: 'u1' }, {}), undefined);
    assert.equal(unitOf('userId', { userId: 42 }, {}), '42');
  });

  test('tokens round-trip and refuse what is not one', () => {
    const parts = {
      endpoint: 'home-ranker',
      revision: 3,
      assigned: 1,
      served: { kind: 'fallback' as const, index: 0 },
      version: 7,
      unit: unitHash('s', 'u1'),
    };
    const token = encodeToken(parts);
    assert.ok(token.length < 120);
    assert.deepEqual(decodeToken(token), parts);
    assert.equal(decodeToken('rec_123'), null);
    assert.equal(decodeToken(`${token}~x`), null);
  });
});

// The entity tag's digits: the hand-written base 36 must write exactly what Number#toString(36) writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base36, etagOf } from '../../../src/modules/catalog/etag.ts';

test('base36 writes what toString(36) writes, for integers of every size and the values it hands on', () => {
  const values = [0, 1, 35, 36, 37, 1295, 1296, 2 ** 31, 2 ** 32 + 1, Date.now(), Number.MAX_SAFE_INTEGER];
  for (let i = 0; i < 20_000; i++) values.push(Math.floor(Math.random() * 2 ** (Math.random() * 53)));
  // Not safe non-negative integers: handed to toString as they were.
  values.push(-1, -Date.now(), 0.5, 1e300, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Number.POSITIVE_INFINITY);
  for (const n of values) assert.equal(base36(n), n.toString(36), String(n));
});

test('an item tag is its version and its update time in base 36', () => {
  const updatedAt = '2026-12-07T12:35:03.584Z';
  assert.equal(etagOf({ version: 3, updatedAt }), `"3-${Date.parse(updatedAt).toString(36)}"`);
  assert.equal(etagOf({ version: 1, updatedAt: '1970-01-01T00:00:00.000Z' }), '"1-0"');
});

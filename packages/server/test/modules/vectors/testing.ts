// Helpers for the vectors tests: write catalog items over HTTP, wait for the relay, compare vectors.
import assert from 'node:assert/strict';
import type { TestApp } from '../../support/app.ts';

export const putItem = async (t: TestApp, key: Record<string, string>, id: string, item: object) => {
  const res = await t.request({ method: 'PUT', url: `/v1/items/${id}`, headers: key, payload: item });
  assert.ok([200, 201].includes(res.statusCode), res.body);
};

export const deleteItem = async (t: TestApp, key: Record<string, string>, id: string) => {
  const res = await t.request({ method: 'DELETE', url: `/v1/items/${id}`, headers: key });
  assert.equal(res.statusCode, 204, res.body);
};

/** Polls until `check` holds or `ms` passed; returns how long it took (throws on timeout). */
export const within = async (ms: number, check: () => Promise<boolean>): Promise<number> => {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
};

export const normalized = (v: ArrayLike<number>): Float32Array => {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n) || 1;
  return Float32Array.from(v, (x) => x / n);
};

export const assertVectorClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++)
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
};

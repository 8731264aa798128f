// Helpers for the inference tests: upload a model through the registry, call /v2, read /metrics, compare floats.
import assert from 'node:assert/strict';
import type { TestApp } from '../../support/app.ts';

type Headers = Record<string, string>;

/** Creates the model when needed and uploads `bytes` as a new version; returns its number. */
export const uploadModel = async (
  t: TestApp,
  key: Headers,
  name: string,
  bytes: Uint8Array,
  metadata?: object,
): Promise<number> => {
  const created = await t.request({ method: 'POST', url: '/v1/models', headers: key, payload: { name } });
  assert.ok([201, 409].includes(created.statusCode), created.body);
  const res = await t.request({
    method: 'POST',
    url: `/v1/models/${name}/versions`,
    headers: {
      ...key,
      'content-type': 'application/octet-stream',
      ...(metadata ? { 'quiver-model-metadata': JSON.stringify(metadata) } : {}),
    },
    payload: Buffer.from(bytes),
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().version as number;
};

export const setAlias = async (t: TestApp, key: Headers, name: string, alias: string, version: number) => {
  const res = await t.request({
    method: 'PUT',
    url: `/v1/models/${name}/aliases/${alias}`,
    headers: key,
    payload: { version },
  });
  assert.equal(res.statusCode, 200, res.body);
};

/** POST …/infer; `model` may include `/versions/{v}`. */
export const infer = (t: TestApp, key: Headers, model: string, body: unknown, headers: Headers = {}) =>
  t.request({
    method: 'POST',
    url: `/v2/models/${model}/infer`,
    headers: { ...key, ...headers },
    payload: body as object,
  });

export interface Series {
  labels: Record<string, string>;
  value: number;
}

/** Every sample of `name` in the Prometheus text at /metrics. */
export const scrape = async (t: Pick<TestApp, 'request' | 'operator'>, name: string): Promise<Series[]> => {
  const text = (await t.request({ method: 'GET', url: '/metrics', headers: t.operator })).body;
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
};

/** The sum of the samples of `name` whose labels include `match`. */
export const metric = async (
  t: Pick<TestApp, 'request' | 'operator'>,
  name: string,
  match: Record<string, string>,
): Promise<number> =>
  (await scrape(t, name))
    .filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);

/** Polls until `check` holds (the test runner's timeout bounds the wait). */
export const eventually = async (check: () => Promise<boolean>, pauseMs = 20): Promise<void> => {
  while (!(await check())) await new Promise((r) => setTimeout(r, pauseMs));
};

export const assertClose = (actual: readonly number[], expected: ArrayLike<number>, tol = 1e-4) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const ok = Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i]));
    assert.ok(ok, `at ${i}: ${actual[i]} vs ${expected[i]}`);
  }
};

/** Rows of `width` floats from a seeded generator, rounded so that JSON carries them exactly. */
export const rows = (n: number, width: number, seed = 1): number[][] => {
  let s = seed;
  const next = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return Math.round((s / 2 ** 31) * 2000 - 1000) / 1000;
  };
  return Array.from({ length: n }, () => Array.from({ length: width }, next));
};

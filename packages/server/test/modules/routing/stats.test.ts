// The experiment statistics against published values: quantiles, chi-square p-values, Wilson intervals, lift.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  chiSquarePValue,
  histogramQuantile,
  LATENCY_BOUNDS_MS,
  latencyBucket,
  normalQuantile,
  relativeLift,
  sampleRatioMismatch,
  wilsonInterval,
} from '../../../src/modules/routing/stats.ts';

const close = (actual: number, expected: number, tol: number) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} vs ${expected}`);

describe('routing statistics', () => {
  test('normal quantiles match the tables', () => {
    close(normalQuantile(0.975), 1.959963985, 1e-8);
    close(normalQuantile(0.5), 0, 1e-12);
    close(normalQuantile(0.995), 2.575829304, 1e-8);
    close(normalQuantile(0.001), -3.090232306, 1e-8);
    close(normalQuantile(1e-9), -5.997807015, 1e-6);
  });

  test('chi-square p-values match the critical values', () => {
    close(chiSquarePValue(3.841458821, 1), 0.05, 1e-6);
    close(chiSquarePValue(10.82756617, 1), 0.001, 1e-7);
    close(chiSquarePValue(5.991464547, 2), 0.05, 1e-7);
    close(chiSquarePValue(16.26623619, 3), 0.001, 1e-8);
    close(chiSquarePValue(0.5, 4), 0.9735009788, 1e-8);
    close(chiSquarePValue(100, 2), Math.exp(-50), 1e-25);
    assert.equal(chiSquarePValue(0, 1), 1);
  });

  test('a sample-ratio mismatch is flagged on a skewed split, not on a fair one', () => {
    const fair = sampleRatioMismatch([50_210, 49_790], [50, 50]);
    assert.equal(fair.mismatch, false);
    assert.ok(fair.pValue > 0.1, String(fair.pValue));
    const skewed = sampleRatioMismatch([51_000, 49_000], [50, 50]);
    assert.equal(skewed.mismatch, true);
    assert.ok(skewed.pValue < 1e-9);
    const weighted = sampleRatioMismatch([9_020, 980], [90, 10]);
    assert.equal(weighted.mismatch, false);
    assert.equal(weighted.degreesOfFreedom, 1);
    assert.equal(sampleRatioMismatch([0, 0], [1, 1]).mismatch, false);
  });

  test('Wilson intervals match the textbook values', () => {
    const [lo, hi] = wilsonInterval(50, 100) ?? [Number.NaN, Number.NaN];
    close(lo, 0.4038, 1e-4);
    close(hi, 0.5962, 1e-4);
    const [lo0, hi0] = wilsonInterval(0, 20) ?? [Number.NaN, Number.NaN];
    assert.equal(lo0, 0);
    close(hi0, 0.1611, 1e-4);
    assert.equal(wilsonInterval(0, 0), null);
  });

  test('relative lift and its interval (delta method on the log ratio)', () => {
    const l = relativeLift(100, 1000, 120, 1000);
    assert.ok(l);
    close(l.lift, 0.2, 1e-12);
    // se = sqrt(0.9/100 + 0.88/120) = 0.12780; exp(ln 1.2 ± 1.96·se) − 1
    close(l.interval[0], Math.exp(Math.log(1.2) - 1.959964 * Math.sqrt(0.9 / 100 + 0.88 / 120)) - 1, 1e-6);
    close(l.interval[1], Math.exp(Math.log(1.2) + 1.959964 * Math.sqrt(0.9 / 100 + 0.88 / 120)) - 1, 1e-6);
    assert.ok(l.interval[0] < 0 && l.interval[1] > 0.2);
    assert.equal(relativeLift(0, 10, 3, 10), null);
  });

  test('latency histogram quantiles interpolate inside the bucket', () => {
    const counts = LATENCY_BOUNDS_MS.map(() => 0);
    for (let i = 0; i < 99; i++) counts[latencyBucket(4)]++;
    counts[latencyBucket(400)]++;
    close(histogramQuantile(counts, 0.5) ?? 0, 3 + (2 * 50) / 99, 1e-9);
    assert.ok((histogramQuantile(counts, 0.995) ?? 0) > 300);
    assert.equal(
      histogramQuantile(
        counts.map(() => 0),
        0.99,
      ),
      null,
    );
  });
});

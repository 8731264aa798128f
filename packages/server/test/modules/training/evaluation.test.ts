// Honest offline evaluation: the popularity baseline's half-life tuned on validation, the per-user
// leave-last-out split, who is evaluated and skipped, and the paired bootstrap, against figures worked out by hand.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  evaluateUsers,
  interactionsOf,
  pairedBootstrap,
  perUserSplit,
  quantile,
  tune,
  validationOf,
} from '../../../src/modules/training/index.ts';
import { buy, DAY } from './testing.ts';

/** Day 0 of the fixtures' timestamps (`at` in testing.ts). */
const T0 = Date.UTC(2024, 0, 1);

describe('the popularity baseline is tuned on validation', () => {
  // Ten customers bought A on days 1…10; five bought C on day 5; one bought B on day 39.9 (just before the
  // validation window [40, 50)). In the window the five C buyers buy A (new to them). Popularity at the end of
  // the train part (t = 39.9) with half-life h: A = Σ_{d=1..10} 2^(−(39.9−d)/h), B = 2^(−0.1/h), C = 5·2^(−34.9/h).
  //   h = 7:  A ≈ 0.35 < B ≈ 0.99 → [B, A]: NDCG = 1/log2(3) ≈ 0.63
  //   h = 14: A ≈ 1.85 > B ≈ 1.00 (C ≈ 0.89, and C is the users' own) → [A, …]: NDCG = 1
  // Every longer half-life ties at 1, so the first that reaches it, 14 days, is chosen.
  const events = [
    ...Array.from({ length: 10 }, (_, k) => buy(`a${k}`, `sa${k}`, 'A', k + 1)),
    ...Array.from({ length: 5 }, (_, k) => buy(`v${k}`, `sc${k}`, 'C', 5)),
    buy('w', 'sb', 'B', 39.9),
    ...Array.from({ length: 5 }, (_, k) => buy(`v${k}`, `sv${k}`, 'A', 42 + k)),
    // The test part (from day 50): never read by tuning; a popularity of any half-life ranks D last.
    buy('v0', 'st', 'D', 51),
  ];
  const x = interactionsOf(events);
  const spec = { kind: 'time', at: T0 + 50 * DAY, validationDays: 10 } as const;

  test('the validation split ends at T and starts validationDays before it', () => {
    const v = validationOf(x, spec);
    assert.equal(v.train.length, 16);
    assert.equal(v.test.length, 5);
    assert.ok(v.test.time.every((t) => t >= T0 + 40 * DAY && t < T0 + 50 * DAY));
  });

  test('the shortest half-life that ranks the long seller first wins', () => {
    const { params, trials } = tune(x, spec, ['popularity']);
    assert.deepEqual(params.popularity, { halfLifeDays: 14 });
    const ndcg = new Map(trials.map((t) => [t.params.halfLifeDays, t.metrics['ndcg@10']]));
    assert.ok(Math.abs(ndcg.get(7)! - 1 / Math.log2(3)) < 1e-9, `h=7: ${ndcg.get(7)}`);
    assert.equal(ndcg.get(14), 1);
    assert.equal(ndcg.get(3650), 1);
    assert.equal(
      trials.every((t) => t.metrics.users === 5),
      true,
    );
  });
});

describe('per-user leave-last-out', () => {
  // u1: baskets s1 (day 0), s2 (day 2), s3 (day 4); u2: s4 (day 1), s5 (day 3); u3: one basket s6.
  const x = interactionsOf([
    buy('u1', 's1', 'A', 0),
    buy('u1', 's1', 'B', 0),
    buy('u2', 's4', 'A', 1),
    buy('u1', 's2', 'C', 2),
    buy('u2', 's5', 'C', 3),
    buy('u2', 's5', 'D', 3),
    buy('u1', 's3', 'D', 4),
    buy('u1', 's3', 'E', 4),
    buy('u3', 's6', 'B', 5),
  ]);
  const items = (part: { item: Int32Array; user: Int32Array; length: number }) =>
    Array.from({ length: part.length }, (_, e) => `${x.users[part.user[e]]}:${x.items[part.item[e]]}`);

  test('last-1 holds out each user’s last basket; one-basket users stay in train', () => {
    const s = perUserSplit(x, { lastK: 1 });
    assert.deepEqual(items(s.test), ['u2:C', 'u2:D', 'u1:D', 'u1:E']);
    assert.deepEqual(items(s.train), ['u1:A', 'u1:B', 'u2:A', 'u1:C', 'u3:B']);
    assert.equal(s.singleBasketUsers, 1);
    assert.equal(s.asOf![x.users.indexOf('u1')], T0 + 4 * DAY);
    assert.equal(s.asOf![x.users.indexOf('u2')], T0 + 3 * DAY);
    assert.equal(s.asOf![x.users.indexOf('u3')], Number.POSITIVE_INFINITY);
  });

  test('last-2 keeps at least one basket; a fraction rounds, at least one held out', () => {
    const two = perUserSplit(x, { lastK: 2 });
    // u1 holds out s2 and s3; u2 has two baskets, so only its last.
    assert.deepEqual(items(two.test), ['u1:C', 'u2:C', 'u2:D', 'u1:D', 'u1:E']);
    const half = perUserSplit(x, { fraction: 0.5 });
    // u1: round(1.5) = 2 of 3; u2: round(1) = 1 of 2.
    assert.deepEqual(items(half.test), items(two.test));
    const small = perUserSplit(x, { fraction: 0.01 });
    assert.deepEqual(items(small.test), ['u2:C', 'u2:D', 'u1:D', 'u1:E']);
  });

  test('validation holds out the last train basket of each user again', () => {
    const v = validationOf(x, { kind: 'per-user', lastK: 1 });
    // Train part: u1 {s1, s2}, u2 {s4}, u3 {s6} → validation test: u1's s2 only.
    assert.deepEqual(items(v.test), ['u1:C']);
  });

  test('evaluation counts users, skips with reasons and relevant pairs', () => {
    const s = perUserSplit(x, { lastK: 1 });
    // Scores: E 5, D 4, C 3, B 2, A 1 (items indexed A=0 … E=4 in first-seen order).
    const model = { graph: 'scores', scores: Float32Array.from([1, 2, 3, 4, 5]) } as const;
    const r = evaluateUsers(s.train, s.test, model, { asOf: s.asOf });
    // u1 had A,B,C → ranked [E, D]: both relevant (D, E) → NDCG 1. u2 had A → relevant {C, D}; ranked
    // [E, D, C, B]: hits at ranks 2 and 3 → DCG = 1/log2(3) + 1/2, ideal = 1 + 1/log2(3).
    assert.equal(r.metrics.users, 2);
    assert.equal(r.relevantPairs, 4);
    const u2 = (1 / Math.log2(3) + 0.5) / (1 + 1 / Math.log2(3));
    assert.deepEqual(
      Array.from(r.perUser.users, (u) => x.users[u]),
      ['u1', 'u2'],
    );
    assert.ok(Math.abs(r.perUser['ndcg@10'][1] - u2) < 1e-12);
    assert.equal(r.perUser['ndcg@10'][0], 1);
    assert.deepEqual(r.skipped, {
      'no history before the split': 0,
      'no purchase in the test part': 0,
      'nothing new': 0,
    });
  });
});

describe('paired bootstrap', () => {
  test('a quantile is the ⌈p·n⌉-th smallest', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.025), 1);
    assert.equal(quantile([1, 2, 3, 4], 0.975), 4);
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2);
  });

  test('users scoring 0, 0, 0, 1: the mean of a resample is k/4 with k ~ Binomial(4, 1/4)', () => {
    // P(k = 0) = 0.316 > 2.5%, so the low end is 0; P(k ≤ 2) = 0.949 < 97.5% ≤ P(k ≤ 3) = 0.996, so the high
    // end is 3/4. With 4,000 samples the empirical quantiles are far from those boundaries.
    const r = pairedBootstrap([[0, 0, 0, 1]], 0, { samples: 4000 });
    assert.deepEqual(r.metric[0], { mean: 0.25, low: 0, high: 0.75 });
    assert.deepEqual(r.ratio[0], { mean: 1, low: 1, high: 1 });
  });

  test('the ratio is paired: a model scoring twice the baseline for every user has the interval [2, 2]', () => {
    const baseline = [0.1, 0.5, 0.2, 0.9, 0.3];
    const model = baseline.map((x) => 2 * x);
    const r = pairedBootstrap([baseline, model], 0, { samples: 500 });
    assert.ok(Math.abs(r.ratio[1].mean - 2) < 1e-12);
    assert.ok(Math.abs(r.ratio[1].low - 2) < 1e-12 && Math.abs(r.ratio[1].high - 2) < 1e-12);
    // Each model's own interval still spreads.
    assert.ok(r.metric[1].low < r.metric[1].mean && r.metric[1].mean < r.metric[1].high);
  });

  test('models covering different users are refused', () => {
    assert.throws(() => pairedBootstrap([[1, 2], [1]], 0), /different users/);
  });
});

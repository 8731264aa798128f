// Trainers and offline metrics on a hand-sized fixture, against numbers worked out by hand in the comments.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_ALS,
  DEFAULT_COOCCURRENCE,
  evaluate,
  interactionsOf,
  rankingMetrics,
  scoreContext,
  splitAt,
  trainAls,
  trainCooccurrence,
  trainPopularity,
} from '../../../src/modules/training/index.ts';
import { invertSpd } from '../../../src/modules/training/linalg.ts';
import { at, buy, row } from './testing.ts';

// Baskets: s1 {A,B,C} u1, s2 {A,B} u2, s3 {B,C} u1, s4 {A,D} u3. Items are indexed A=0 B=1 C=2 D=3.
const FIXTURE = [
  buy('u1', 's1', 'A', 0),
  buy('u1', 's1', 'B', 0),
  buy('u1', 's1', 'C', 0),
  buy('u2', 's2', 'A', 1),
  buy('u2', 's2', 'B', 1),
  buy('u1', 's3', 'B', 2),
  buy('u1', 's3', 'C', 2),
  buy('u3', 's4', 'A', 3),
  buy('u3', 's4', 'D', 3),
];

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);

describe('interactions', () => {
  test('events in any order come out in time order (stable for equal times); non-item events are left out', () => {
    const x = interactionsOf([
      buy('u2', 's2', 'B', 2),
      buy('u1', 's1', 'A', 1),
      { type: 'search', userId: 'u1', timestamp: at(1) },
      { type: 'custom:cancellation', userId: 'u1', itemId: 'A', timestamp: at(1) },
      { ...buy('u1', 's1', 'C', 1), type: 'view' },
    ]);
    assert.deepEqual(x.items, ['B', 'A', 'C']);
    assert.deepEqual(Array.from(x.item), [1, 2, 0]);
    assert.deepEqual(Array.from(x.weight), [1, Math.fround(0.1), 1]);
    assert.deepEqual(Array.from(x.purchase), [1, 0, 1]);
    assert.equal(x.baskets, 2);
  });
});

describe('co-occurrence', () => {
  const x = interactionsOf(FIXTURE);
  const base = { ...DEFAULT_COOCCURRENCE, method: 'cosine' as const, halfLifeDays: 0, neighbours: 3 };

  test('cosine: c_ij / √(n_i·n_j) with n_A = 3, n_B = 3, n_C = 2, n_D = 1', () => {
    const t = trainCooccurrence(x, { ...base, shrinkage: 0 });
    // A: with B in s1,s2 → 2/√9; with D in s4 → 1/√3; with C in s1 → 1/√6.
    const a = row(t, 0);
    assert.deepEqual(
      a.map(([j]) => j),
      [1, 3, 2],
    );
    close(a[0][1], 2 / 3, 'A~B');
    close(a[1][1], 1 / Math.sqrt(3), 'A~D');
    close(a[2][1], 1 / Math.sqrt(6), 'A~C');
    // B: C in s1,s3 → 2/√6; A → 2/3; never with D.
    const b = row(t, 1);
    assert.deepEqual(
      b.map(([j]) => j),
      [2, 0],
    );
    close(b[0][1], 2 / Math.sqrt(6), 'B~C');
    // D: only A.
    assert.deepEqual(
      row(t, 3).map(([j]) => j),
      [0],
    );
  });

  test('shrinkage 1 divides by √(n_i·n_j) + 1, which reorders A: D (1/(√3+1)) passes below B (2/4)', () => {
    const t = trainCooccurrence(x, { ...base, shrinkage: 1 });
    const a = row(t, 0);
    close(a[0][1], 2 / 4, 'A~B');
    close(a[1][1], 1 / (Math.sqrt(3) + 1), 'A~D');
    close(a[2][1], 1 / (Math.sqrt(6) + 1), 'A~C');
  });

  test('top-M keeps the best M; user scope makes u1 one basket {A,B,C}', () => {
    assert.deepEqual(
      row(trainCooccurrence(x, { ...base, shrinkage: 0, neighbours: 1 }), 0).map(([j]) => j),
      [1],
    );
    // Baskets by user: u1 {A,B,C}, u2 {A,B}, u3 {A,D}: B~C = 1/√(2·1).
    const t = trainCooccurrence(x, { ...base, shrinkage: 0, scope: 'user' });
    close(row(t, 1)[1][1], 1 / Math.sqrt(2), 'B~C by user');
  });

  test('time decay: with a 1-day half-life s1 (3 days before the end) counts 1/8, s2 1/4, s3 1/2, s4 1', () => {
    const t = trainCooccurrence(x, { ...base, shrinkage: 0, halfLifeDays: 1 });
    // n_A = 1/8 + 1/4 + 1 = 11/8, n_B = 1/8 + 1/4 + 1/2 = 7/8, c_AB = 3/8.
    const ab = row(t, 0).find(([j]) => j === 1);
    close(ab?.[1] ?? 0, 3 / 8 / Math.sqrt((11 / 8) * (7 / 8)), 'A~B decayed');
  });

  test('EASE: B = I − P·diag(1/P_jj), P = (C + λI)⁻¹ over the items in ≥ 2 baskets; D keeps a scaled cosine row', () => {
    const t = trainCooccurrence(x, {
      ...base,
      method: 'ease',
      regularization: 1,
      easeMinBaskets: 2,
      easeFallbackWeight: 0.5,
      shrinkage: 0,
    });
    // A, B, C are in 3, 3, 2 baskets (D in 1). C + λI over A, B, C = [[4,2,1],[2,4,2],[1,2,3]], determinant 24,
    // P = (1/24)·[[8,−4,0],[−4,11,−6],[0,−6,12]]. B_ab = −P_ab/P_bb: A→B 4/11, A→C 0 (dropped), B→A 4/8,
    // B→C 6/12 (a tie up to rounding, so compared by index below), C→A 0 (dropped), C→B 6/11.
    const byIndex = (i: number) => row(t, i).sort((a, b) => a[0] - b[0]);
    assert.deepEqual(
      [0, 1, 2].map((i) => byIndex(i).map(([j]) => j)),
      [[1], [0, 2], [1]],
    );
    close(row(t, 0)[0][1], 4 / 11, 'A→B');
    close(byIndex(1)[0][1], 0.5, 'B→A');
    close(byIndex(1)[1][1], 0.5, 'B→C');
    close(row(t, 2)[0][1], 6 / 11, 'C→B');
    // D is outside the solved items: its cosine neighbour A (1/√3) times the fallback weight 0.5.
    assert.deepEqual(
      row(t, 3).map(([j]) => j),
      [0],
    );
    close(row(t, 3)[0][1], 0.5 / Math.sqrt(3), 'D~A');
  });
});

describe('linear algebra', () => {
  test('invertSpd: A·A⁻¹ = I for a 37×37 SPD matrix (MᵀM + I)', () => {
    const n = 37;
    const m = Float64Array.from({ length: n * n }, (_, k) => Math.sin(k * 1.7) + ((k * 7) % 5) / 5);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? 1 : 0;
        for (let k = 0; k < n; k++) s += m[k * n + i] * m[k * n + j];
        a[i * n + j] = s;
      }
    const inv = invertSpd(a.slice(), n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * inv[k * n + j];
        close(s, i === j ? 1 : 0, `(A·A⁻¹)[${i},${j}]`);
      }
  });
});

describe('popularity', () => {
  test('each event counts 2^(−age/halfLife) with age from the last event', () => {
    const x = interactionsOf(FIXTURE);
    const s = trainPopularity(x, { halfLifeDays: 1 });
    // A: days 0, 1, 3 → 1/8 + 1/4 + 1. B: days 0, 1, 2 → 1/8 + 1/4 + 1/2. C: 1/8 + 1/2. D: 1.
    close(s[0], 1.375, 'A');
    close(s[1], 0.875, 'B');
    close(s[2], 0.625, 'C');
    close(s[3], 1, 'D');
  });

  test('views weigh 0.1 of a purchase', () => {
    const x = interactionsOf([{ ...buy('u', 's', 'A', 0), type: 'view' }, buy('u', 's', 'B', 0)]);
    assert.deepEqual(Array.from(trainPopularity(x, { halfLifeDays: 1 })), [Math.fround(0.1), 1]);
  });
});

describe('ALS', () => {
  const x = interactionsOf(FIXTURE);
  const PURE = { ...DEFAULT_ALS, halfLifeDays: 0, popularityWeight: 0 };

  test('deterministic for a seed', () => {
    const p = { ...PURE, factors: 3, iterations: 3 };
    assert.deepEqual(trainAls(x, p).items, trainAls(x, p).items);
    assert.notDeepEqual(trainAls(x, p).items, trainAls(x, { ...p, seed: 7 }).items);
  });

  test('each user row solves (YᵀC_uY + λI)x = YᵀC_u·p after its half-iteration (exact CG: f steps)', () => {
    const f = 3;
    const p = { ...PURE, factors: f, iterations: 1, cgSteps: f, alpha: 2, regularization: 0.5 };
    // With one iteration, users are solved against the initial items, then items against those users;
    // so check the items: item rows solve against the final user factors.
    const m = trainAls(x, p);
    // r_ui per (user, item) = purchase counts: u1 {A:1, B:2, C:2}, u2 {A:1, B:1}, u3 {A:1, D:1}.
    const r: Record<number, Record<number, number>> = {
      0: { 0: 1, 1: 2, 2: 2 },
      1: { 0: 1, 1: 1 },
      2: { 0: 1, 3: 1 },
    };
    for (let i = 0; i < 4; i++) {
      const a = Array.from({ length: f * f }, (_, k) => (k % (f + 1) === 0 ? p.regularization : 0));
      const b = new Array<number>(f).fill(0);
      for (let u = 0; u < 3; u++) {
        const c = 1 + p.alpha * (r[u][i] ?? 0);
        const xu = m.users.subarray(u * f, (u + 1) * f);
        for (let s = 0; s < f; s++) {
          for (let t = 0; t < f; t++) a[s * f + t] += c * xu[s] * xu[t];
          if (r[u][i]) b[s] += c * xu[s];
        }
      }
      const yi = m.items.subarray(i * f, (i + 1) * f);
      for (let s = 0; s < f; s++) {
        let lhs = 0;
        for (let t = 0; t < f; t++) lhs += a[s * f + t] * yi[t];
        assert.ok(Math.abs(lhs - b[s]) < 1e-4, `item ${i} equation ${s}: ${lhs} vs ${b[s]}`);
      }
    }
  });

  test('the projection is (QᵀQ + λI)⁻¹', () => {
    const f = 2;
    const m = trainAls(x, { ...PURE, factors: f, iterations: 2, foldInRegularization: 0.3 });
    const g = [0.3, 0, 0, 0.3];
    for (let i = 0; i < 4; i++)
      for (let s = 0; s < f; s++)
        for (let t = 0; t < f; t++) g[s * f + t] += m.items[i * f + s] * m.items[i * f + t];
    const det = g[0] * g[3] - g[1] * g[2];
    const inverse = [g[3] / det, -g[1] / det, -g[2] / det, g[0] / det];
    inverse.forEach((v, k) => {
      close(m.projection[k], v, `P[${k}]`);
    });
  });

  test('time decay: a 1-day half-life weighs r_ui by 2^(−age), so the solution differs from plain counts', () => {
    const p = { ...PURE, factors: 3, iterations: 2 };
    assert.notDeepEqual(trainAls(x, p).items, trainAls(x, { ...p, halfLifeDays: 1 }).items);
  });

  test('the popularity prior adds β·W·b_i/max(b) to every score, W = the context weight sum', () => {
    const p = { ...PURE, factors: 3, iterations: 2, popularityHalfLifeDays: 1 };
    const plain = trainAls(x, p);
    const prior = trainAls(x, { ...p, popularityWeight: 0.5 });
    assert.equal(prior.f, 5);
    const score = (m: typeof plain) => {
      const out = new Float32Array(4);
      scoreContext(
        { graph: 'factors', f: m.f, items: m.items, projection: m.projection },
        [0, 2],
        [1, 0.5],
        out,
      );
      return out;
    };
    const a = score(plain);
    const b = score(prior);
    // Popularity (half-life 1 day, from the test above): A 1.375, B 0.875, C 0.625, D 1; max 1.375; W = 1.5.
    [1.375, 0.875, 0.625, 1].forEach((pop, i) => {
      close(b[i] - a[i], 0.5 * 1.5 * (pop / 1.375), `item ${i}`);
    });
  });
});

describe('offline metrics', () => {
  test('rankingMetrics: hits at ranks 2 and 3 of two relevant items', () => {
    const m = rankingMetrics([5, 1, 7, 9], new Set([1, 7]));
    // DCG = 1/log2(3) + 1/log2(4); IDCG = 1 + 1/log2(3).
    close(m.ndcg, (1 / Math.log2(3) + 0.5) / (1 + 1 / Math.log2(3)), 'ndcg');
    assert.equal(m.hr, 1);
    assert.equal(m.recall, 1);
    assert.deepEqual(rankingMetrics([5], new Set([1, 7])), { hr: 0, ndcg: 0, recall: 0 });
  });

  test('time split: new items of users with history, popularity vs co-occurrence', () => {
    // After day 3: u1 buys D (new) and B (already had: ignored); u2 buys C and D; u9 (no history) is skipped.
    const all = interactionsOf([
      ...FIXTURE,
      buy('u1', 's5', 'D', 4),
      buy('u1', 's5', 'B', 4),
      buy('u2', 's6', 'C', 4),
      buy('u2', 's6', 'D', 4),
      buy('u9', 's7', 'A', 4),
    ]);
    const { train, test } = splitAt(all, Date.parse(at(4)));
    assert.equal(train.length, FIXTURE.length);
    // Popularity (half-life 1 day): A 1.375 > D 1 > B 0.875 > C 0.625. u1 (had A,B,C) gets [D]: hit at 1.
    // u2 (had A,B) gets [D, C]: both relevant → NDCG 1. Coverage: {C, D} of 4 items.
    const pop = evaluate(train, test, {
      graph: 'scores',
      scores: trainPopularity(train, { halfLifeDays: 1 }),
    });
    assert.deepEqual(pop, { users: 2, 'hr@10': 1, 'ndcg@10': 1, 'recall@20': 1, coverage: 0.5 });
    // Co-occurrence (cosine): u1's context A,B,C scores D = s_AD = 1/√3 only. u2's context A,B: C = s_AC + s_BC,
    // D = s_AD: C (1/√6 + 2/√6 = 1.22) before D (0.577): both relevant, NDCG 1.
    const co = trainCooccurrence(train, {
      ...DEFAULT_COOCCURRENCE,
      method: 'cosine',
      shrinkage: 0,
      halfLifeDays: 0,
    });
    const m = evaluate(train, test, { graph: 'neighbours', table: co });
    assert.deepEqual(m, { users: 2, 'hr@10': 1, 'ndcg@10': 1, 'recall@20': 1, coverage: 0.5 });
    // A model that only knows B~A ranks nothing new for either user: every metric 0.
    const nothing = evaluate(train, test, {
      graph: 'neighbours',
      table: { m: 1, neighbours: Int32Array.from([1, 0, -1, -1]), weights: Float32Array.from([1, 1, 0, 0]) },
    });
    assert.deepEqual(nothing, { users: 2, 'hr@10': 0, 'ndcg@10': 0, 'recall@20': 0, coverage: 0 });
  });

  test('a miss then a hit: u2 gets [C] where only D is relevant', () => {
    const all = interactionsOf([...FIXTURE, buy('u2', 's6', 'D', 4)]);
    const { train, test } = splitAt(all, Date.parse(at(4)));
    // Scores favour C over D: rank 1 = C (miss), rank 2 = D (hit): NDCG = 1/log2(3), HR 1, recall 1.
    const m = evaluate(train, test, { graph: 'scores', scores: Float32Array.from([0, 0, 2, 1]) });
    close(m['ndcg@10'], 1 / Math.log2(3), 'ndcg');
    assert.equal(m['hr@10'], 1);
    assert.equal(m.users, 1);
  });
});

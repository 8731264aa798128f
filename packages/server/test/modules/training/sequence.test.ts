// The "buy next" transition table and its blend into co-occurrence, against numbers worked out by hand.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  blendNeighbours,
  DEFAULT_COOCCURRENCE,
  DEFAULT_SEQUENCE,
  interactionsOf,
  trainCooccurrence,
  trainSequence,
} from '../../../src/modules/training/offline.ts';
import { buy, row } from './testing.ts';

// u1: {A,B} on day 0, then {C} on day 1, then {D} on day 2; u2: {A} on day 0, then {C} on day 1.
// Items are indexed A=0 B=1 C=2 D=3.
const FIXTURE = [
  buy('u1', 's1', 'A', 0),
  buy('u1', 's1', 'B', 0),
  buy('u2', 's4', 'A', 0),
  buy('u1', 's2', 'C', 1),
  buy('u2', 's5', 'C', 1),
  buy('u1', 's3', 'D', 2),
];

const close = (
  actual: readonly (readonly [number, number])[],
  expected: [number, number][],
  what: string,
) => {
  assert.deepEqual(
    actual.map(([j]) => j),
    expected.map(([j]) => j),
    what,
  );
  actual.forEach(([, w], k) => {
    assert.ok(Math.abs(w - expected[k][1]) < 1e-6, `${what}: ${w} ≠ ${expected[k][1]}`);
  });
};

describe('buy next', () => {
  const plain = { ...DEFAULT_SEQUENCE, window: 2, halfLifeDays: 0, shrinkage: 1 };

  test('t_ij = c_ij / (n_i + 1): the next step counts 1, the one after 1/2; a last step points nowhere', () => {
    const t = trainSequence(interactionsOf(FIXTURE), plain);
    // A: sources u1·s1 and u2·s4 (n = 2); C follows both (c = 2), D is u1's second step after (c = 1/2).
    close(
      row(t, 0),
      [
        [2, 2 / 3],
        [3, 0.5 / 3],
      ],
      'A',
    );
    // B: one source (n = 1): C 1, D 1/2.
    close(
      row(t, 1),
      [
        [2, 1 / 2],
        [3, 0.5 / 2],
      ],
      'B',
    );
    // C: u1's C step is followed by D (u2's is its last step): 1 / 2.
    close(row(t, 2), [[3, 1 / 2]], 'C');
    close(row(t, 3), [], 'D');
  });

  test('a next step of two items shares the transition: each gets 1/2', () => {
    const x = interactionsOf([
      ...FIXTURE,
      buy('u3', 's6', 'B', 0),
      buy('u3', 's7', 'C', 1),
      buy('u3', 's7', 'D', 1),
    ]);
    const t = trainSequence(x, { ...plain, window: 1 });
    // B: sources u1·s1 (→ C) and u3·s6 (→ C, D), n = 2: c_BC = 1 + 1/2, c_BD = 1/2, over n + 1 = 3.
    close(
      row(t, 1),
      [
        [2, 1.5 / 3],
        [3, 0.5 / 3],
      ],
      'B',
    );
  });

  test('window 1 drops the second next step; another user never follows', () => {
    const t = trainSequence(interactionsOf(FIXTURE), { ...plain, window: 1 });
    close(row(t, 0), [[2, 2 / 3]], 'A');
    close(row(t, 1), [[2, 1 / 2]], 'B');
  });

  test('a 1-day half-life decays each transition by its target step (day 1: 1/2, day 2: 1)', () => {
    const t = trainSequence(interactionsOf(FIXTURE), { ...plain, halfLifeDays: 1 });
    // A: n = 1/2 + 1/2 (each source by its next step, day 1); c_AC = 1/2 + 1/2, c_AD = 1 · 1/2.
    close(
      row(t, 0),
      [
        [2, 1 / 2],
        [3, 0.5 / 2],
      ],
      'A',
    );
  });

  test('the events of one time and basket are one step, whatever the order of users in the file', () => {
    const shuffled = [FIXTURE[2], FIXTURE[0], FIXTURE[1], ...FIXTURE.slice(3)];
    assert.deepEqual(
      trainSequence(interactionsOf(shuffled), plain).weights,
      trainSequence(interactionsOf(FIXTURE), plain).weights,
    );
  });

  test('blend: row by row a + weight·b, top-M of the sum', () => {
    const a = {
      m: 2,
      neighbours: Int32Array.from([1, 2, -1, -1, 0, -1]),
      weights: Float32Array.from([0.5, 0.1, 0, 0, 0.3, 0]),
    };
    const b = {
      m: 2,
      neighbours: Int32Array.from([2, -1, 2, -1, -1, -1]),
      weights: Float32Array.from([0.4, 0, 1, 0, 0, 0]),
    };
    const t = blendNeighbours(a, b, 2);
    close(
      row(t, 0),
      [
        [2, 0.1 + 0.8],
        [1, 0.5],
      ],
      'item 0',
    );
    close(row(t, 1), [[2, 2]], 'item 1');
    close(row(t, 2), [[0, 0.3]], 'item 2');
  });

  test('co-occurrence with sequenceWeight adds the table to its rows; 0 leaves them as they were', () => {
    const x = interactionsOf(FIXTURE);
    const base = { ...DEFAULT_COOCCURRENCE, method: 'cosine' as const, halfLifeDays: 0, shrinkage: 0 };
    const alone = trainCooccurrence(x, base);
    assert.deepEqual(trainCooccurrence(x, { ...base, sequenceWeight: 0 }).weights, alone.weights);
    const blended = trainCooccurrence(x, {
      ...base,
      sequenceWeight: 0.5,
      sequenceWindow: 2,
      sequenceHalfLifeDays: 0,
    });
    // A's cosine row: B 1 (s1 is the only basket of two items); its next-table row: C 2/3, D 1/6, halved.
    close(
      row(blended, 0),
      [
        [1, 1],
        [2, 1 / 3],
        [3, 1 / 12],
      ],
      'A',
    );
  });
});

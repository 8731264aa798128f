// The position-based click model by EM: on synthetic clicks with known examination θ_k = k^−η and known
// attractiveness, EM recovers both when every item is shown at every position; when ranks 1–2 never move
// θ is not identified, and with θ given γ is recovered; in the click judgments, an item shown only in explored searches gets a
// gain as large as an equally attractive item always shown on top (inverse propensity scores it down).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { prng } from '../../../src/kernel/random.ts';
import { fitPbm, type PbmCell } from '../../../src/modules/training/click-model.ts';
import { simulatedJudgments } from '../../support/simulated-judgments.ts';

describe('position-based click model by EM', () => {
  for (const eta of [0.5, 1, 1.5])
    test(`recovers the propensities k^−${eta} and the attractiveness of items shown at every position`, () => {
      const random = prng(3);
      const attract = Array.from({ length: 30 }, () => 0.1 + 0.8 * random());
      const cells = new Map<number, PbmCell>();
      // Each search shows 10 of the 30 items in a random order (every item at every position now and then).
      for (let s = 0; s < 20000; s++) {
        const order = [...attract.keys()].sort(() => random() - 0.5).slice(0, 10);
        order.forEach((pair, i) => {
          const key = pair * 16 + i + 1;
          const c = cells.get(key) ?? { pair, position: i + 1, shown: 0, clicked: 0 };
          c.shown++;
          if (random() < (i + 1) ** -eta * attract[pair]) c.clicked++;
          cells.set(key, c);
        });
      }
      const fit = fitPbm([...cells.values()], attract.length);
      assert.equal(fit.theta[0], 1);
      for (let k = 1; k <= 10; k++)
        assert.ok(
          Math.abs(fit.theta[k - 1] - k ** -eta) < 0.05,
          `θ_${k} ${fit.theta[k - 1]} vs ${k ** -eta}`,
        );
      for (const [pair, a] of attract.entries())
        assert.ok(Math.abs(fit.gamma[pair] - a) < 0.06, `γ ${fit.gamma[pair]} vs ${a}`);
    });

  test('when ranks 1–2 never move, free EM cannot place θ; with θ given, γ is recovered', () => {
    // Items 0 and 1 always at positions 1 and 2; items 2–19 shuffled over positions 3–10 (the product's
    // exploration). True θ_k = 1 / k.
    const random = prng(5);
    const attract = Array.from({ length: 20 }, () => 0.1 + 0.8 * random());
    const cells = new Map<number, PbmCell>();
    const show = (pair: number, position: number) => {
      const key = pair * 16 + position;
      const c = cells.get(key) ?? { pair, position, shown: 0, clicked: 0 };
      c.shown++;
      if (random() < attract[pair] / position) c.clicked++;
      cells.set(key, c);
    };
    for (let s = 0; s < 20000; s++) {
      show(0, 1);
      show(1, 2);
      const rest = Array.from({ length: 18 }, (_, i) => i + 2)
        .sort(() => random() - 0.5)
        .slice(0, 8);
      for (const [i, pair] of rest.entries()) show(pair, i + 3);
    }
    const free = fitPbm([...cells.values()], attract.length);
    assert.ok(Math.abs(free.theta[2] - 1 / 3) > 0.05, `free θ_3 ${free.theta[2]}: not identified`);
    const fixed = fitPbm([...cells.values()], attract.length, (k) => 1 / k);
    assert.deepEqual(
      [...fixed.theta],
      Array.from({ length: 10 }, (_, k) => 1 / (k + 1)),
    );
    for (const [pair, a] of attract.entries())
      assert.ok(Math.abs(fixed.gamma[pair] - a) < 0.06, `γ_${pair} ${fixed.gamma[pair]} vs ${a}`);
  });

  test('the prior keeps an item with one click deep on the page below one clicked often on top', () => {
    const cells: PbmCell[] = [
      ...Array.from({ length: 10 }, (_, k) => ({
        pair: 0,
        position: k + 1,
        shown: 100,
        clicked: Math.round(50 / (k + 1)),
      })),
      { pair: 1, position: 9, shown: 1, clicked: 1 },
    ];
    const fit = fitPbm(cells, 2);
    assert.ok(fit.gamma[1] < fit.gamma[0], `${fit.gamma[1]} vs ${fit.gamma[0]}`);
  });

  test('click judgments: an item the ranker shows only in explored searches is not scored down', () => {
    // 20 items; i0 (grade 3) always on top, i15 (grade 3) at rank 16: on the page only when explored.
    const ranking = Array.from({ length: 20 }, (_, i) => `i${i}`);
    const grades = new Map(ranking.map((id) => [id, 0]));
    grades.set('i0', 3);
    grades.set('i15', 3);
    const judge = (labels: 'ips' | 'pbm') =>
      simulatedJudgments({
        ranking,
        grades,
        searches: 20000,
        rate: 0.2,
        seeds: [11, 12],
        options: { estimateEta: true, labels },
      });
    const ips = judge('ips').queries[0].gains;
    assert.ok(ips.get('i15')! < 0.3 * ips.get('i0')!, `ips ${ips.get('i15')} vs ${ips.get('i0')}`);
    const pbm = judge('pbm');
    const gains = pbm.queries[0].gains;
    assert.ok(
      Math.abs(gains.get('i15')! / gains.get('i0')! - 1) < 0.2,
      `pbm ${gains.get('i15')} vs ${gains.get('i0')}`,
    );
    for (const id of ['i1', 'i2', 'i5']) assert.ok(gains.get(id)! < 0.2 * gains.get('i0')!, id);
    assert.ok(Math.abs(pbm.examination![4] - 1 / 5) < 0.05, `θ_5 ${pbm.examination![4]}`);
  });
});

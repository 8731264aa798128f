// Click judgments from simulated shoppers: `searches` searches of one query ("lamp") over `ranking`, a share
// `rate` of them explored (ranks 3–20 shuffled), the first 10 shown, every shopper's events fed to a builder.
import { prng } from '../../src/kernel/random.ts';
import { exploreRanking, newSearchId } from '../../src/modules/search/index.ts';
import {
  type ClickJudgmentOptions,
  createClickJudgmentsBuilder,
  DEFAULT_CLICK_JUDGMENTS,
} from '../../src/modules/training/click-judgments.ts';
import { type ClickModel, createClickSimulator, DEFAULT_CLICK_MODEL } from './click-simulator.ts';

export interface SimulatedSearches {
  ranking: readonly string[];
  grades: ReadonlyMap<string, number>;
  searches: number;
  rate: number;
  /** Seeds of the shoppers and of the exploration. */
  seeds: readonly [number, number];
  model?: ClickModel;
  options?: Partial<ClickJudgmentOptions>;
}

export const simulatedJudgments = (s: SimulatedSearches) => {
  const simulate = createClickSimulator(s.seeds[0], s.model ?? DEFAULT_CLICK_MODEL);
  const pick = exploreRanking(prng(s.seeds[1]), s.rate);
  const b = createClickJudgmentsBuilder({ ...DEFAULT_CLICK_JUDGMENTS, ...s.options });
  for (let n = 0; n < s.searches; n++) {
    const { ids, explored } = pick(s.ranking);
    const searchId = newSearchId(20, undefined, explored);
    const shown = ids.slice(0, 10);
    for (const e of simulate({ query: 'lamp', searchId, shown, userId: `u${n}`, at: '' }, s.grades).events)
      b.add(e);
  }
  return b.build();
};

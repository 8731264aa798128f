// Exploration for click training: clicks only on the shipped ranker's first page cannot teach a ranker
// anything beyond that page, so for a share ε of searches the ranks 3–20 are shuffled before the page is cut
// (the first two stay, so the shopper's experience barely changes). The search event names what was shown,
// in order, so the click model's position propensities stay known.

/** The ranks (1-based, inclusive) an exploring search shuffles. */
export const EXPLORE_FROM = 3;
export const EXPLORE_TO = 20;

/** `ids` with the entries at ranks 3–20 shuffled (Fisher–Yates with `random`); a new array. */
export const shuffleRanks = (ids: readonly string[], random: () => number): string[] => {
  const out = [...ids];
  const from = EXPLORE_FROM - 1;
  const to = Math.min(out.length, EXPLORE_TO);
  for (let i = to - 1; i > from; i--) {
    const j = from + Math.floor(random() * (i - from + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

/** A ranking's exploration: with probability ε, ranks 3–20 shuffled; else the ranking as it is. */
export const explore =
  (random: () => number, epsilon: number) =>
  (ids: readonly string[]): readonly string[] =>
    epsilon > 0 && random() < epsilon ? shuffleRanks(ids, random) : ids;

// Exploration for click training: clicks only on the shipped ranker's first page cannot teach a ranker
// anything beyond that page, so for a share ε of searches (the tenant's `searchExploration` setting) the ranks
// 3–20 are shuffled before the first page is cut (the first two stay, so the shopper's experience barely
// changes). The answer says so (`explored`), its searchId carries the fact, and the search event names what
// was shown, in order, so the click model's position propensities stay known — and the explored searches,
// whose ranks 3–20 are in random order, measure the position bias itself (training/click-judgments.ts).

/** The ranks (1-based, inclusive) an exploring search shuffles. */
export const EXPLORE_FROM = 3;
export const EXPLORE_TO = 20;
/** The largest share of first pages a tenant may explore. */
export const MAX_EXPLORATION = 0.5;

/** `ids` with the entries at ranks 3–20 shuffled (Fisher–Yates with `random`); a new array. */
export const shuffleRanks = <T>(ids: readonly T[], random: () => number): T[] => {
  const out = [...ids];
  const from = EXPLORE_FROM - 1;
  const to = Math.min(out.length, EXPLORE_TO);
  for (let i = to - 1; i > from; i--) {
    const j = from + Math.floor(random() * (i - from + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

/** The ranks `kept` holds of `ranked` (its first EXPLORE_TO), as a mask: bit k−1 for rank k. */
export const ranksOf = <T>(ranked: readonly T[], kept: readonly T[]): number => {
  const keep = new Set(kept);
  let mask = 0;
  for (let i = 0; i < Math.min(ranked.length, EXPLORE_TO); i++) if (keep.has(ranked[i])) mask |= 1 << i;
  return mask;
};

/** The entries of `ranked` at the ranks set in `mask` (see ranksOf). */
export const atRanks = <T>(ranked: readonly T[], mask: number): T[] =>
  ranked.slice(0, EXPLORE_TO).filter((_, i) => (mask & (1 << i)) !== 0);

/** Whether one search explores, at rate ε (clamped to 0–MAX_EXPLORATION). */
export const explores = (random: () => number, epsilon: number): boolean =>
  epsilon > 0 && random() < Math.min(epsilon, MAX_EXPLORATION);

/** A ranking's exploration: with probability ε, ranks 3–20 shuffled (and `explored` true); else as it is. */
export const exploreRanking =
  (random: () => number, epsilon: number) =>
  <T>(ids: readonly T[]): { ids: readonly T[]; explored: boolean } =>
    explores(random, epsilon) ? { ids: shuffleRanks(ids, random), explored: true } : { ids, explored: false };

/** A ranking's exploration, the ids only. */
export const explore =
  (random: () => number, epsilon: number) =>
  (ids: readonly string[]): readonly string[] =>
    exploreRanking(random, epsilon)(ids).ids;

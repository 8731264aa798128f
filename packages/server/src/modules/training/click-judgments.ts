// Relevance judgments from a tenant's own search events, for the search-ranker trainer. A `search` event
// names its answer (`properties.searchId`) and what was shown, in order (`properties.items`, position 1
// first); a click, add-to-cart or purchase naming the same searchId is an outcome for its item. Each
// (search, item) counts its best outcome's grade, divided by the examination propensity of the position it
// was shown at (inverse propensity scoring: a click at position 8 says more than one at position 1, which
// is looked at anyway), p(k) = max(floor, k^−η); a query's gain for an item is the mean over its searches.

/** The grade of a search's best outcome for an item. */
export const OUTCOME_GRADES: Readonly<Record<string, number>> = { click: 1, add_to_cart: 2, purchase: 3 };

export interface ClickJudgmentOptions {
  /** η of the position-bias model p(k) = k^−η (1: examination falls as 1 / position). */
  eta: number;
  /** The smallest propensity divided by: bounds the weight of a click far down (≤ 1 / floor). */
  propensityFloor: number;
}
export const DEFAULT_CLICK_JUDGMENTS: ClickJudgmentOptions = { eta: 1, propensityFloor: 0.1 };

/** The examination propensity of 1-based `position`. */
export const propensity = (position: number, o: ClickJudgmentOptions = DEFAULT_CLICK_JUDGMENTS): number =>
  Math.max(o.propensityFloor, position ** -o.eta);

/** What the builder reads of an event (a StoredEvent fits). */
export interface SearchEventLike {
  type: string;
  itemId?: string;
  query?: string;
  properties?: Record<string, unknown>;
}

export interface ClickJudgedQuery {
  /** The query as searched (normalized: lowercased words joined by one space). */
  query: string;
  /** Searches of it with a search event. */
  searches: number;
  /** Item → debiased gain (mean over the query's searches of grade / propensity); items with outcomes only. */
  gains: Map<string, number>;
}

export interface ClickJudgments {
  queries: ClickJudgedQuery[];
  /** What was read, for the run's data summary. */
  counts: {
    searches: number;
    impressions: number;
    outcomes: number;
    /** (search, item) outcomes whose search event never arrived, or whose position is unknown: not used. */
    unattributed: number;
  };
}

/** A query as judgments key it: lowercased words joined by one space. */
export const clickQuery = (text: string): string =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .join(' ');

interface Search {
  query: string;
  items: readonly string[];
}

/** Collects events in any order (an outcome may arrive before its search); `build()` judges. */
export const createClickJudgmentsBuilder = (options: ClickJudgmentOptions = DEFAULT_CLICK_JUDGMENTS) => {
  const searches = new Map<string, Search>();
  /** searchId → item → [best grade, position told by the outcome (0: none)]. */
  const outcomes = new Map<string, Map<string, [number, number]>>();
  let outcomeCount = 0;
  return {
    /** Adds one event; false (ignored) when it is neither a search with a searchId nor an outcome of one. */
    add(e: SearchEventLike): boolean {
      const searchId = e.properties?.searchId;
      if (typeof searchId !== 'string') return false;
      if (e.type === 'search') {
        if (typeof e.query !== 'string') return false;
        const shown = e.properties?.items;
        const items = Array.isArray(shown) ? shown.filter((x): x is string => typeof x === 'string') : [];
        searches.set(searchId, { query: clickQuery(e.query), items });
        return true;
      }
      const grade = OUTCOME_GRADES[e.type];
      if (grade === undefined || !e.itemId) return false;
      const told = e.properties?.position;
      const position = typeof told === 'number' && Number.isInteger(told) && told >= 1 ? told : 0;
      let byItem = outcomes.get(searchId);
      if (!byItem) {
        byItem = new Map();
        outcomes.set(searchId, byItem);
      }
      const seen = byItem.get(e.itemId);
      byItem.set(e.itemId, [Math.max(grade, seen?.[0] ?? 0), seen?.[1] || position]);
      outcomeCount++;
      return true;
    },

    build(): ClickJudgments {
      const byQuery = new Map<string, ClickJudgedQuery>();
      let impressions = 0;
      let unattributed = 0;
      for (const [searchId, s] of searches) {
        if (!s.query) continue;
        let q = byQuery.get(s.query);
        if (!q) {
          q = { query: s.query, searches: 0, gains: new Map() };
          byQuery.set(s.query, q);
        }
        q.searches++;
        impressions += s.items.length;
        for (const [item, [grade, told]] of outcomes.get(searchId) ?? []) {
          const shownAt = s.items.indexOf(item) + 1;
          const position = shownAt || told;
          if (position === 0) {
            unattributed++;
            continue;
          }
          q.gains.set(item, (q.gains.get(item) ?? 0) + grade / propensity(position, options));
        }
      }
      for (const [searchId, byItem] of outcomes) if (!searches.has(searchId)) unattributed += byItem.size;
      const queries = [...byQuery.values()].filter((q) => q.gains.size > 0);
      for (const q of queries) for (const [item, g] of q.gains) q.gains.set(item, g / q.searches);
      queries.sort((a, b) => (a.query < b.query ? -1 : a.query > b.query ? 1 : 0));
      return {
        queries,
        counts: { searches: searches.size, impressions, outcomes: outcomeCount, unattributed },
      };
    },
  };
};
